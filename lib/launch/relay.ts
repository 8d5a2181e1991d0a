// The stdio relay of `mcpseal run` (issue 12 item 6): newline-delimited JSON-RPC between the MCP
// client and the sandboxed server (MCP 2025-06-18 "Transports", stdio), which pins the server's
// tools. Everything passes through byte for byte except:
// - a `tools/list` answer to the client, from which changed and new tools are withheld (and
//   which pins the tools on the first run);
// - a client's `tools/call` of a withheld tool, answered by the relay with a JSON-RPC error and
//   never forwarded.
// - a client's answer listing MCP roots (`result.roots`, the answer to the server's `roots/list`),
//   from which every root outside the directories the sandbox shares (`roots`) is dropped, with
//   a line on stderr: the server never believes it can reach what the sandbox hides.
// `notifications/tools/list_changed` passes through; the client's next list is checked again.
//
// Memory: a server line streams through in chunks unless a `tools/list` answer is awaited, when
// the line may be that answer and is held whole (at most `maxRelayMessage` bytes) before any of it is
// sent. A `tools/list` request is forwarded only at a server line boundary, so an answer can never
// hide in a line that had started streaming before the request. Client lines are small requests
// and are held whole (same cap) to read their method. Both directions wait for `drain`.
//
// Malformed server lines that are held (JSON.parse fails) are DROPPED with a warning: a line the
// relay cannot read cannot be checked, and a lenient client parser might still take it for the
// `tools/list` answer. Malformed client lines are forwarded: the server answers them.

import { posix } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { MCPSealError } from '../errors.ts';
import { resolveLimits, type Limits } from '../limits.ts';
import { compareTools, liveTool, pinsOf, type ToolChange, type ToolPin, type ToolPins } from './tool-pins.ts';

export interface RelayOptions {
  /** The MCP client's side (process.stdin / process.stdout). */
  client: { input: Readable; output: Writable };
  /** The server child's stdin / stdout. */
  server: { input: Writable; output: Readable };
  /** The pins from the lock; undefined: the first run, whose first `tools/list` is pinned. */
  pins: ToolPins | undefined;
  /** The manifest's `tools[].name`; live tools outside it are flagged (undefined: not checked). */
  declaredTools: readonly string[] | undefined;
  /** Stores the first run's pins (into the lock). */
  savePins(pins: ToolPins): Promise<void>;
  /** One line for stderr. */
  warn(line: string): void;
  signal?: AbortSignal;
  /** The bundle name shown in `mcpseal tools accept <name>` (default `<name>`). */
  bundle?: string;
  /**
   * Records how the last complete live list differs from the pins (empty: it matches), so that
   * `mcpseal tools accept` can re-pin without starting the server. Called only when it changes.
   */
  savePending?(changes: readonly ToolChange[]): Promise<void>;
  /** Caps (only `maxRelayMessage` is read: the largest line held in memory). */
  limits?: Partial<Limits>;
  /** The directories the sandbox shares (absolute); a client's root outside all of them is dropped. Undefined: roots pass unchanged. */
  roots?: readonly string[];
}

/** The JSON-RPC error code of a call to a withheld tool (the implementation-defined server range, JSON-RPC 2.0 §5.1). */
export const TOOL_WITHHELD_ERROR = -32001;

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A request id as a map key: JSON-RPC ids are strings or numbers, and "1" is not 1. */
const idKey = (id: unknown): string | null => (typeof id === 'string' || typeof id === 'number' ? JSON.stringify(id) : null);

/** Relays until the server's output ends (or `signal` aborts: IO_INTERRUPTED). */
export function relayStdio(options: RelayOptions): Promise<void> {
  return new Relay(options).run();
}

class Relay {
  readonly #options: RelayOptions;
  readonly #max: number;
  readonly #bundle: string;
  #pins: ToolPin[] | undefined;
  /** Still pinning: the first run, until a list arrives that has no further page. */
  #firstRun: boolean;
  /** Outstanding client `tools/list` requests: id key -> whether it asked for a later page. */
  readonly #listRequests = new Map<string, { paged: boolean }>();
  /** Live tools withheld from the client, with why. */
  readonly #withheld = new Map<string, 'changed' | 'new'>();
  readonly #warned = new Set<string>();
  /** The last differences recorded (null: none yet; the first complete list always records, clearing a stale state). */
  #pendingKey: string | null = null;
  /** A server line is part-written to the client: nothing else may be written until it ends. */
  #midLine = false;
  #boundaryWaiters: (() => void)[] = [];
  #stopped = false;

  constructor(options: RelayOptions) {
    this.#options = options;
    this.#max = resolveLimits(options.limits).maxRelayMessage;
    this.#bundle = options.bundle ?? '<name>';
    this.#pins = options.pins === undefined ? undefined : [...options.pins];
    this.#firstRun = options.pins === undefined;
  }

  async run(): Promise<void> {
    const { client, server, signal } = this.#options;
    // A write error (EPIPE: the other side exited) must not crash the process; the pump stops.
    const ignore = (): void => {};
    server.input.on('error', ignore);
    client.output.on('error', ignore);
    const clientLines = new LineReader(this.#max);
    const serverDone = pump(server.output, (chunk) => this.#fromServer(chunk), () => this.#serverEnded(), () => this.#stopped);
    const clientDone = pump(client.input, (chunk) => this.#fromClient(clientLines, chunk), () => this.#clientEnded(clientLines), () => this.#stopped);
    clientDone.catch(ignore);
    const aborted = new Promise<never>((_, reject) => {
      const onAbort = (): void => reject(new MCPSealError('IO_INTERRUPTED', 'interrupted', { cause: signal?.reason }));
      if (signal?.aborted) onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(ignore);
    try {
      await Promise.race([serverDone, aborted]);
    } finally {
      this.#stopped = true;
      this.#releaseBoundary();
      server.input.off('error', ignore);
      client.output.off('error', ignore);
    }
  }

  // ---- client -> server ----------------------------------------------------------------------

  async #fromClient(reader: LineReader, chunk: Buffer): Promise<void> {
    for (const line of reader.push(chunk)) await this.#clientLine(line);
  }

  async #clientEnded(reader: LineReader): Promise<void> {
    const rest = reader.end();
    if (rest !== null) await this.#clientLine(rest);
    this.#options.server.input.end();
  }

  async #clientLine(line: Line): Promise<void> {
    if (line.overflow) {
      this.#options.warn(`dropped a client message of more than ${this.#max} bytes (maxRelayMessage)`);
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(line.bytes.toString('utf8'));
    } catch {
      await write(this.#options.server.input, line.bytes);
      return;
    }
    const given = Array.isArray(message) ? message : [message];
    const messages = given.map((item) => this.#filteredRoots(item));
    const rewritten = messages.some((item, index) => item !== given[index]);
    const refused = messages.filter((item) => this.#refusedCall(item) !== null);
    const lists = messages.filter((item) => isRecord(item) && item['method'] === 'tools/list' && idKey(item['id']) !== null);
    for (const item of lists as Json[]) {
      const params = item['params'];
      this.#listRequests.set(idKey(item['id'])!, { paged: isRecord(params) && params['cursor'] !== undefined });
    }
    // The answer to a list must start a new server line (see the header).
    if (lists.length > 0) await this.#atBoundary();
    for (const item of refused) await this.#refuse(item as Json);
    if (refused.length === 0 && !rewritten) await write(this.#options.server.input, line.bytes);
    else if (refused.length === 0) await write(this.#options.server.input, `${JSON.stringify(Array.isArray(message) ? messages : messages[0])}\n`);
    else if (refused.length < messages.length) {
      const rest = messages.filter((item) => !refused.includes(item));
      await write(this.#options.server.input, `${JSON.stringify(rest)}\n`);
    }
  }

  /**
   * A client answer listing roots (any response whose `result.roots` is a list, whatever its id:
   * see #checkListAnswer), without the roots the sandbox does not share; other messages unchanged.
   */
  #filteredRoots(message: unknown): unknown {
    const shared = this.#options.roots;
    if (shared === undefined || !isRecord(message) || message['method'] !== undefined || !isRecord(message['result'])) return message;
    const result = message['result'];
    if (!Array.isArray(result['roots'])) return message;
    const kept = (result['roots'] as unknown[]).filter((root) => {
      const path = isRecord(root) && typeof root['uri'] === 'string' ? filePath(root['uri']) : null;
      if (path !== null && shared.some((dir) => isAtOrBelow(path, dir))) return true;
      const shown = isRecord(root) && typeof root['uri'] === 'string' ? root['uri'] : JSON.stringify(root);
      this.#options.warn(`dropped the client's root ${shown} from its roots/list answer: the sandbox does not share it (give it with --root DIR, if the bundle is granted filesystem.roots)`);
      return false;
    });
    return kept.length === result['roots'].length ? message : { ...message, result: { ...result, roots: kept } };
  }

  /** Why a `tools/call` must not reach the server, or null. */
  #refusedCall(message: unknown): 'changed' | 'new' | null {
    if (!isRecord(message) || message['method'] !== 'tools/call' || !isRecord(message['params'])) return null;
    const name = message['params']['name'];
    // The first run trusts what it sees (it is pinning); later, only pinned, unchanged tools are called.
    if (typeof name !== 'string' || this.#pins === undefined || this.#firstRun) return null;
    const withheld = this.#withheld.get(name);
    if (withheld !== undefined) return withheld;
    // Not pinned and never listed in this session: a tool the client guessed is not trusted either.
    return this.#pins.some((pin) => pin.name === name) ? null : 'new';
  }

  async #refuse(call: Json): Promise<void> {
    const name = (call['params'] as Json)['name'] as string;
    const reason = this.#refusedCall(call)!;
    const accept = `mcpseal tools accept ${this.#bundle}`;
    const why = reason === 'changed' ? 'its definition changed since it was pinned' : 'it is not among the pinned tools';
    this.#options.warn(`refused a call of tool ${JSON.stringify(name)}: ${why}; review it, then run "${accept}"`);
    if (idKey(call['id']) === null) return;
    const error = { code: TOOL_WITHHELD_ERROR, message: `mcpseal withheld tool ${JSON.stringify(name)}: ${why}; to trust it, run "${accept}"`, data: { tool: name, reason, accept } };
    await this.#toClientAtBoundary(`${JSON.stringify({ jsonrpc: '2.0', id: call['id'], error })}\n`);
  }

  // ---- server -> client ----------------------------------------------------------------------

  #held: Buffer[] = [];
  #heldSize = 0;
  /** The current server line: streamed, held whole, or being dropped (over the cap). */
  #mode: 'start' | 'stream' | 'hold' | 'drop' = 'start';

  async #fromServer(chunk: Buffer): Promise<void> {
    let start = 0;
    while (start < chunk.length && !this.#stopped) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline + 1;
      if (this.#mode === 'start') this.#mode = this.#listRequests.size > 0 ? 'hold' : 'stream';
      await this.#serverPiece(chunk.subarray(start, end));
      if (newline !== -1) await this.#serverLineEnd();
      start = end;
    }
  }

  async #serverPiece(piece: Buffer): Promise<void> {
    if (this.#mode === 'stream') {
      this.#midLine = true;
      await write(this.#options.client.output, piece);
    } else if (this.#mode === 'hold') {
      this.#heldSize += piece.length;
      if (this.#heldSize > this.#max) {
        this.#options.warn(`dropped a server message of more than ${this.#max} bytes (maxRelayMessage) while a tools/list answer was awaited`);
        this.#held = [];
        this.#mode = 'drop';
      } else this.#held.push(piece);
    }
  }

  async #serverLineEnd(): Promise<void> {
    if (this.#mode === 'hold') await this.#heldLine(Buffer.concat(this.#held));
    this.#held = [];
    this.#heldSize = 0;
    this.#mode = 'start';
    this.#midLine = false;
    this.#releaseBoundary();
  }

  async #serverEnded(): Promise<void> {
    if (this.#mode !== 'start') await this.#serverLineEnd();
    this.#options.client.output.end();
  }

  async #heldLine(bytes: Buffer): Promise<void> {
    let message: unknown;
    try {
      message = JSON.parse(bytes.toString('utf8'));
    } catch {
      this.#options.warn('dropped a server line that is not JSON while a tools/list answer was awaited');
      return;
    }
    const items = Array.isArray(message) ? message : [message];
    let rewritten = false;
    const out: unknown[] = [];
    for (const item of items) {
      const next = await this.#checkListAnswer(item);
      rewritten ||= next !== item;
      out.push(next);
    }
    if (!rewritten) await write(this.#options.client.output, bytes);
    else await write(this.#options.client.output, `${JSON.stringify(Array.isArray(message) ? out : out[0])}\n`);
  }

  /**
   * The message to send for one held server message: itself, or a list answer without its
   * withheld tools. Any message whose `result.tools` is a list is checked, whatever its id says:
   * clients match ids loosely (the TypeScript SDK looks a response up by `Number(id)`, so `"1"`,
   * `true` and `[1]` all answer request 1, and `null`, `""` or `false` request 0).
   */
  async #checkListAnswer(message: unknown): Promise<unknown> {
    if (!isRecord(message)) return message;
    const request = message['method'] === undefined ? this.#answered(message['id']) : undefined;
    const result = message['result'];
    if (!isRecord(result) || !Array.isArray(result['tools'])) return message;
    // An answer matched to no request is checked as one page of a list (nothing "removed").
    const paged = request?.paged ?? true;
    const lastPage = request !== undefined && result['nextCursor'] === undefined;
    const tools = result['tools'] as unknown[];
    const live = tools.map(liveTool);
    const known = live.filter((tool) => tool !== null);
    if (this.#firstRun) await this.#pinFirstRun(known, lastPage);
    else await this.#recheck(known, !paged && lastPage);
    // Sent: the first definition of each name, neither withheld nor unreadable.
    const names = new Set<string>();
    const kept = tools.filter((_, index) => {
      const tool = live[index];
      if (tool == null || names.has(tool.name) || this.#withheld.has(tool.name)) return false;
      names.add(tool.name);
      return true;
    });
    // Always re-serialised: the client gets exactly what was checked (with duplicate keys, a
    // parser that keeps the first one would otherwise read another list than JSON.parse did).
    return { ...message, result: { ...result, tools: kept } };
  }

  /** The outstanding list request a response id answers (exactly, or as a number), now no longer outstanding. */
  #answered(id: unknown): { paged: boolean } | undefined {
    const number = typeof id === 'object' && id !== null && !Array.isArray(id) ? Number.NaN : Number(id);
    for (const key of [idKey(id), Number.isFinite(number) ? JSON.stringify(number) : null]) {
      const request = key === null ? undefined : this.#listRequests.get(key);
      if (request !== undefined) {
        this.#listRequests.delete(key!);
        return request;
      }
    }
    return undefined;
  }

  async #pinFirstRun(live: { name: string; sha256: string }[], lastPage: boolean): Promise<void> {
    this.#pins = pinsOf([...(this.#pins ?? []), ...live]);
    if (lastPage) this.#firstRun = false;
    this.#flagUndeclared(live.map((tool) => tool.name));
    try {
      await this.#options.savePins(this.#pins);
      this.#options.warn(`pinned ${this.#pins.length} tool${this.#pins.length === 1 ? '' : 's'} of ${this.#bundle} (first run)`);
    } catch (error) {
      this.#options.warn(`could not save the tool pins: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async #recheck(live: { name: string; sha256: string }[], complete: boolean): Promise<void> {
    const comparison = compareTools(live, this.#pins ?? [], { complete, declared: undefined });
    for (const name of comparison.unchanged) this.#withheld.delete(name);
    const accept = `mcpseal tools accept ${this.#bundle}`;
    for (const change of [...comparison.changed, ...comparison.added]) {
      this.#withheld.set(change.name, change.change === 'new' ? 'new' : 'changed');
      const why = change.change === 'new' ? 'is new since the tools were pinned' : `changed since it was pinned (sha256 ${change.pinned!.slice(0, 12)} -> ${change.sha256!.slice(0, 12)})`;
      this.#warnOnce(`${change.name}\0${change.sha256}`, `tool ${JSON.stringify(change.name)} ${why}: withheld from the client until "${accept}"`);
    }
    for (const change of comparison.removed) this.#warnOnce(`${change.name}\0removed`, `tool ${JSON.stringify(change.name)} was pinned and is no longer listed by the server`);
    this.#flagUndeclared(live.map((tool) => tool.name));
    if (complete) await this.#recordPending([...comparison.changed, ...comparison.added, ...comparison.removed]);
  }

  async #recordPending(changes: ToolChange[]): Promise<void> {
    const key = JSON.stringify(changes);
    if (key === this.#pendingKey || this.#options.savePending === undefined) return;
    this.#pendingKey = key;
    try {
      await this.#options.savePending(changes);
    } catch (error) {
      this.#options.warn(`could not record the pending tool changes: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  #flagUndeclared(names: string[]): void {
    const declared = this.#options.declaredTools;
    if (declared === undefined) return;
    for (const name of names) {
      if (!declared.includes(name)) this.#warnOnce(`${name}\0undeclared`, `tool ${JSON.stringify(name)} is not declared in the manifest's tools list`);
    }
  }

  #warnOnce(key: string, line: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#options.warn(line);
  }

  // ---- line boundaries on the client's output ------------------------------------------------

  /** Resolves when no server line is part-written to the client. */
  async #atBoundary(): Promise<void> {
    while (this.#midLine && !this.#stopped) await new Promise<void>((resolve) => this.#boundaryWaiters.push(resolve));
  }

  #releaseBoundary(): void {
    const waiters = this.#boundaryWaiters;
    this.#boundaryWaiters = [];
    for (const resolve of waiters) resolve();
  }

  async #toClientAtBoundary(text: string): Promise<void> {
    await this.#atBoundary();
    // Synchronous from the check to the write: the server pump cannot start a line in between.
    await write(this.#options.client.output, text);
  }
}

/** The absolute path of a file: URI (MCP roots are file URIs), normalised; null for anything else. */
function filePath(uri: string): string | null {
  try {
    const url = new URL(uri);
    if (url.protocol !== 'file:' || (url.host !== '' && url.host !== 'localhost')) return null;
    const path = posix.normalize(decodeURIComponent(url.pathname));
    return path.startsWith('/') && !path.includes('\0') ? path : null;
  } catch {
    return null;
  }
}

function isAtOrBelow(path: string, dir: string): boolean {
  const base = posix.normalize(dir).replace(/\/+$/u, '');
  return path === base || path.startsWith(`${base}/`) || (base === '' && path.startsWith('/'));
}

interface Line {
  bytes: Buffer;
  /** The line was longer than the cap: its bytes were not kept. */
  overflow: boolean;
}

/** Splits chunks into whole lines (with their newline), holding at most `max` bytes of one line. */
class LineReader {
  readonly #max: number;
  #parts: Buffer[] = [];
  #size = 0;
  #overflow = false;

  constructor(max: number) {
    this.#max = max;
  }

  push(chunk: Buffer): Line[] {
    const lines: Line[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline + 1;
      this.#add(chunk.subarray(start, end));
      if (newline !== -1) lines.push(this.#take());
      start = end;
    }
    return lines;
  }

  /** The last line when the stream ended without a newline, or null. */
  end(): Line | null {
    return this.#size === 0 && !this.#overflow ? null : this.#take();
  }

  #add(piece: Buffer): void {
    this.#size += piece.length;
    if (this.#size > this.#max) {
      this.#overflow = true;
      this.#parts = [];
    } else if (!this.#overflow) this.#parts.push(piece);
  }

  #take(): Line {
    const line = { bytes: Buffer.concat(this.#parts), overflow: this.#overflow };
    this.#parts = [];
    this.#size = 0;
    this.#overflow = false;
    return line;
  }
}

/** Writes and waits for `drain` when the stream asks for it; false when the stream is gone. */
function write(stream: Writable, data: Buffer | string): Promise<boolean> {
  if (stream.destroyed || stream.writableEnded) return Promise.resolve(false);
  if (stream.write(data)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => (): void => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      stream.off('error', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    stream.once('drain', onDrain);
    stream.once('close', onClose);
    stream.once('error', onClose);
  });
}

/**
 * Feeds `readable`'s chunks to `handle` one at a time (paused while it runs: backpressure), then
 * calls `ended`. Stops without destroying the stream (it belongs to the caller) once `stopped()`.
 */
function pump(readable: Readable, handle: (chunk: Buffer) => Promise<void>, ended: () => Promise<void>, stopped: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    let chain = Promise.resolve();
    const finish = (error?: unknown): void => {
      readable.off('data', onData);
      readable.off('end', onEnd);
      readable.off('error', onError);
      if (error === undefined) resolve();
      else reject(error instanceof Error ? error : new Error(String(error)));
    };
    const onData = (chunk: Buffer | string): void => {
      readable.pause();
      chain = chain
        .then(() => (stopped() ? undefined : handle(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)))
        .then(() => {
          if (stopped()) finish();
          else readable.resume();
        }, finish);
    };
    const onEnd = (): void => {
      chain = chain.then(() => (stopped() ? undefined : ended())).then(() => finish(), finish);
    };
    const onError = (error: unknown): void => {
      chain = chain.then(() => (stopped() ? undefined : ended())).then(() => finish(error), finish);
    };
    readable.on('data', onData);
    readable.once('end', onEnd);
    readable.once('error', onError);
    if (readable.readableEnded) onEnd();
  });
}
