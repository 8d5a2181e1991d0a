// The Python side of obfuscation, download-and-run and secret paths (js-evidence.ts and
// secrets.ts for the rules): `exec(base64.b64decode(...))`, `__import__('o' + 's')`,
// `exec(requests.get(u).text)` or a name assigned a network response in the same function,
// and string constants that are paths to home-directory secrets. Read from the facts the
// python3 `ast` helper reports (python-script.ts), never by running anything.

import type { PythonFacts, PythonValue } from './model.ts';
import { secretOfPath, type SecretKind } from './secrets.ts';

const MAX_HOPS = 10;

/** Decoders whose output, executed or imported, hides what runs (a segment of the dotted call name). */
const DECODER = /(?:^|\.)(?:b64decode|b32decode|b16decode|b85decode|a85decode|urlsafe_b64decode|decodebytes|decodestring|unhexlify|a2b_base64|a2b_hex|fromhex|decompress)(?:\(\)|$)|^(?:marshal|pickle)\.loads|^codecs\.decode|^(?:chr|str\.slice)$/u;
/** Network calls and clients (python.ts NETWORK, with urlopen by any import path). */
const NETWORK = /^(?:requests|httpx)\.(?:get|post|put|patch|delete|head|options|request|stream|Client|AsyncClient|Session)$|(?:^|\.)urlopen$|^urllib\.request\.Request$|^aiohttp\.ClientSession$|^http\.client\.HTTPS?Connection$|^websockets\.(?:connect|client\.connect)$|^socket\.create_connection$/u;
/** Calls whose string arguments are messages for people, not paths. */
const MESSAGE = /^(?:print|warnings\.warn|logging\.\w+|logger\.\w+|log\.\w+|\w*(?:Error|Exception|Warning))$|\.(?:debug|info|warning|warn|error|exception|critical|log)$/u;

type Resolve = (name: string) => string;

/** Whether a value is decoded at run time (base64, hex, zlib, marshal, char codes, a reversed slice). */
export function isDecodedValue(value: PythonValue, resolve: Resolve, hops = 0): boolean {
  if (value === null || hops > MAX_HOPS) return false;
  if ('call' in value) return DECODER.test(resolve(value.call)) || value.args.some((arg) => isDecodedValue(arg, resolve, hops + 1));
  if ('concat' in value) return value.concat.some((part) => isDecodedValue(part, resolve, hops + 1));
  if ('name' in value) return DECODER.test(resolve(value.name));
  return false;
}

/** Whether an `__import__`/`import_module` name is assembled from literal pieces or decoded. */
export function isComputedValue(value: PythonValue, resolve: Resolve): boolean {
  if (value === null) return false;
  if (isDecodedValue(value, resolve)) return true;
  if ('concat' in value) return value.concat.length > 1 && value.concat.every((part) => part !== null && 'str' in part);
  if ('call' in value && value.call === 'str.join') return value.args.some((arg) => arg !== null && 'list' in arg && arg.list.every((part) => part !== null && 'str' in part));
  return false;
}

/** Network taint in one file's facts: through the names assigned in the same function (or the module). */
export class PythonTaint {
  readonly #assigns = new Map<string, Array<{ value: PythonValue; scope: number }>>();
  readonly #resolve: Resolve;

  constructor(facts: PythonFacts, resolve: Resolve) {
    this.#resolve = resolve;
    for (const assign of facts.assigns ?? []) {
      const list = this.#assigns.get(assign.name) ?? [];
      if (list.length < 64) list.push({ value: assign.value, scope: assign.scope });
      this.#assigns.set(assign.name, list);
    }
  }

  /** Whether `value`, in function `scope`, holds data from the network. */
  isFetched(value: PythonValue, scope: number, hops = 0): boolean {
    if (value === null || hops > MAX_HOPS) return false;
    if ('call' in value) return this.#fetchedName(value.call, scope, hops) || value.args.some((arg) => this.isFetched(arg, scope, hops + 1));
    if ('name' in value) return this.#fetchedName(value.name, scope, hops);
    if ('subscript' in value) return this.#fetchedName(value.subscript, scope, hops);
    if ('concat' in value) return value.concat.some((part) => this.isFetched(part, scope, hops + 1));
    if ('list' in value) return value.list.some((part) => this.isFetched(part, scope, hops + 1));
    return false;
  }

  /** `requests.get().text`, `r.json`, `resp.read`: a network call in the chain, or a root name assigned one. */
  #fetchedName(dotted: string, scope: number, hops: number): boolean {
    const name = this.#resolve(dotted);
    const calls = name.split('()');
    for (let index = 0; index < calls.length; index++) if (NETWORK.test(calls.slice(0, index + 1).join('()'))) return true;
    const root = name.split(/[.(]/u)[0]!;
    const assigns = this.#assigns.get(root) ?? [];
    return assigns.some((assign) => (assign.scope === scope || assign.scope === 0) && this.isFetched(assign.value, assign.scope, hops + 1));
  }
}

/** The string constants that are paths to home-directory secrets, outside messages. */
export function secretStrings(facts: PythonFacts, resolve: Resolve): Array<{ secret: SecretKind; value: string; line: number }> {
  const out: Array<{ secret: SecretKind; value: string; line: number }> = [];
  const seen = new Set<string>();
  for (const entry of facts.strings ?? []) {
    const secret = secretOfPath(entry.value);
    if (secret === undefined || MESSAGE.test(resolve(entry.context))) continue;
    const key = `${secret}:${entry.line}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ secret, value: entry.value, line: entry.line });
  }
  return out;
}
