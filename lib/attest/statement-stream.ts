// The statement of a signed bundle read without its entry list as a tree (issue 14: memory flat in
// the number of entries). mcpseal's predicate lists every archive entry in
// `predicate.buildDefinition.resolvedDependencies`; parsed whole, 40,000 entries are a 5.7 MB
// string and 12 MB of small objects at once. Here the statement is parsed with that array cut
// out, and the array in slices of about 64 KiB, each handed item by item to the same checks
// provenanceView runs (takeDependency), then dropped.
//
// The result is the one JSON.parse gives, or there is no result (null) and the caller parses the
// payload whole. Why a cut never changes the meaning (RFC 8259: a value is self-delimiting, so
// one valid value can stand in for another at the same place):
// - the array's place is the one the statement's own parse finds: the cut is replaced by a string
//   of 128 random bits, which must then be the value of resolvedDependencies (a later duplicate
//   key, a cut in the wrong place, leaves anything else there);
// - the cut text is `[` part `,` part ... `]` and every part parses alone as a non-empty list of
//   values, so the array is valid and its items are the parts' items in order (a single part
//   may be empty: `[]`). A split that does not parse (a `,{` inside a string, say) moves to the
//   next; once the payload's length has been parsed in vain, the whole parse takes over and decides.
// Whatever the bytes, a wrong guess costs a parse that fails, never a different meaning.

import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { MCPSealError } from '../errors.ts';
import { MCPSEAL_BUILD_TYPE, checkedStatement, takeDependency, type DependencySink, type Statement } from './statement.ts';

const KEY = Buffer.from('"resolvedDependencies":', 'utf8');
const ITEM_START = Buffer.from(',{', 'utf8');
const SLICE = 64 * 1024;
const CLOSE = 0x5d;

/**
 * Characters parsed in vain (an end or a split that was not the one), at most the payload's length
 * in all: then the whole parse takes over, so a reading never costs more than a few whole parses.
 */
class Budget {
  #left: number;

  constructor(length: number) {
    this.#left = length;
  }

  /** Spends `length` characters; false once the budget is gone. */
  spend(length: number): boolean {
    this.#left -= length;
    return this.#left >= 0;
  }
}

/** A statement whose dependencies went to a sink; `error` is the first item's error, thrown where provenanceView would. */
export interface StreamedStatement {
  /** The statement, its resolvedDependencies replaced by a string that means nothing. */
  statement: Statement;
  source: DependencySink['source'];
  error: MCPSealError | null;
}

/**
 * Parses the payload (UTF-8, after a byte order mark) as an in-toto statement with its
 * resolvedDependencies given to `sink`, or returns null when this way does not apply: then the
 * caller parses the whole payload (parseStatement), which gives every verdict. Throws what
 * parseStatement throws for the statement's shape.
 */
export function parseStreamedStatement(payload: Buffer, sink: DependencySink): StreamedStatement | null {
  if (!isUtf8(payload)) return null;
  const from = payload.length >= 3 && payload[0] === 0xef && payload[1] === 0xbb && payload[2] === 0xbf ? 3 : 0;
  const budget = new Budget(payload.length);
  const found = statementAround(payload, from, budget);
  if (found === null) return null;
  const definition = found.definition;
  const withEntries = definition['buildType'] === MCPSEAL_BUILD_TYPE;
  let error: MCPSealError | null = null;
  const slices = new Slices(payload, found.start + 1, found.end, budget);
  for (let items = slices.next(); items !== undefined; items = slices.next()) {
    if (items === null) return null;
    for (const item of items) {
      if (error !== null) break;
      try {
        takeDependency(item, withEntries, sink);
      } catch (caught) {
        if (!(caught instanceof MCPSealError)) throw caught;
        error = caught;
      }
    }
  }
  // Every byte parsed: now the statement's shape, where parseStatement checks it.
  return { statement: checkedStatement(found.statement), source: sink.source, error };
}

/**
 * The statement parsed with the array after the first `"resolvedDependencies":` cut out, and the
 * array's brackets. Its end is the last `]` (mcpseal's predicate: only runDetails, without arrays,
 * follows) or one of the few before it: the one for which the cut statement parses with the
 * stand-in as the value of predicate.buildDefinition.resolvedDependencies.
 */
function statementAround(payload: Buffer, from: number, budget: Budget): { statement: unknown; definition: Record<string, unknown>; start: number; end: number } | null {
  const key = payload.indexOf(KEY, from);
  if (key < 0) return null;
  let start = key + KEY.length;
  while (start < payload.length && (payload[start] === 0x20 || payload[start] === 0x0a || payload[start] === 0x0d || payload[start] === 0x09)) start++;
  if (payload[start] !== 0x5b) return null;
  const standIn = randomBytes(16).toString('hex');
  const head = payload.toString('utf8', from, start);
  for (let end = payload.lastIndexOf(CLOSE); end > start; end = payload.lastIndexOf(CLOSE, end - 1)) {
    const text = `${head}"${standIn}"${payload.toString('utf8', end + 1)}`;
    const statement = parseOrNull(text);
    const definition = (statement as { predicate?: { buildDefinition?: unknown } } | null)?.predicate?.buildDefinition;
    if (typeof definition === 'object' && definition !== null && (definition as Record<string, unknown>)['resolvedDependencies'] === standIn) {
      return { statement, definition: definition as Record<string, unknown>, start, end };
    }
    if (!budget.spend(text.length)) return null;
  }
  return null;
}

/**
 * The array's text `[from, end)` (between its brackets) parsed in slices of about 64 KiB, each
 * cut before a `,{` (an item that is an object) and parsed as `[slice]`: next() gives a slice's
 * items, null when the text cannot be read this way, undefined after the last. A cut that does not
 * parse (`,{` inside a string) moves to the next `,{`, within the budget.
 */
class Slices {
  readonly #payload: Buffer;
  readonly #end: number;
  readonly #budget: Budget;
  #at: number;
  #first = true;

  constructor(payload: Buffer, from: number, end: number, budget: Budget) {
    this.#payload = payload;
    this.#at = from;
    this.#end = end;
    this.#budget = budget;
  }

  next(): unknown[] | null | undefined {
    if (this.#at > this.#end) return undefined;
    let cut = this.#end - this.#at > SLICE ? this.#payload.indexOf(ITEM_START, this.#at + SLICE) : -1;
    for (;;) {
      if (cut < 0 || cut >= this.#end) cut = this.#end;
      const items = parseOrNull(`[${this.#payload.toString('utf8', this.#at, cut)}]`) as unknown[] | null;
      // A slice of a longer array must hold an item: `[a,,b]` is no array, though `[a]` and `[]` parse.
      const whole = this.#first && cut === this.#end;
      if (items !== null && (items.length > 0 || whole)) {
        this.#first = false;
        this.#at = cut + 1;
        return items;
      }
      if (cut === this.#end || !this.#budget.spend(cut - this.#at)) return null;
      cut = this.#payload.indexOf(ITEM_START, cut + 1);
    }
  }
}

function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
