// Which JavaScript calls are capabilities, by their qualified name (js-names.ts): the file-system,
// network, process, worker, native-code and dynamic-code APIs of Node and of the packages that wrap
// them. Names are matched after `.promises.` and a `Sync` suffix are dropped.

import type { ObservationKind } from './model.ts';

export type CallRole =
  | { kind: 'fs-read' | 'fs-write'; pathArgs: number[] }
  | { kind: 'fs-open' }
  | { kind: 'network'; factory?: boolean }
  | { kind: 'spawn'; program: 'first-arg' | 'first-word' | 'node' }
  | { kind: 'worker' | 'native' | 'dynamic-code' | 'dotenv' | 'mcp-roots' | 'listen' };

const FS_MODULES = /^(?:fs|graceful-fs|fs-extra|original-fs)\.(\w+)$/u;
const WRITE_ONE = ['writeFile', 'appendFile', 'mkdir', 'mkdtemp', 'rm', 'rmdir', 'unlink', 'truncate', 'chmod', 'chown', 'lchown', 'lchmod', 'utimes', 'lutimes', 'createWriteStream', 'outputFile', 'outputJson', 'outputJSON', 'writeJson', 'writeJSON', 'ensureDir', 'ensureFile', 'mkdirp', 'mkdirs', 'remove', 'emptyDir', 'emptydir'];
const WRITE_TWO = ['rename', 'copyFile', 'cp', 'symlink', 'link', 'move', 'copy', 'ensureSymlink', 'ensureLink'];
const READ_ONE = ['readFile', 'readdir', 'stat', 'lstat', 'access', 'realpath', 'createReadStream', 'exists', 'opendir', 'readlink', 'watch', 'watchFile', 'readJson', 'readJSON', 'pathExists', 'statfs', 'glob'];

const NETWORK = new Set([
  'fetch', 'node-fetch', 'cross-fetch', 'isomorphic-fetch', 'undici.fetch', 'undici.request', 'undici.stream', 'undici.connect',
  'http.request', 'http.get', 'https.request', 'https.get', 'http2.connect',
  'axios', 'axios.get', 'axios.post', 'axios.put', 'axios.patch', 'axios.delete', 'axios.head', 'axios.options', 'axios.request',
  'got', 'got.get', 'got.post', 'got.put', 'got.patch', 'got.delete', 'got.head', 'got.stream',
  'ky', 'ky.get', 'ky.post', 'ky.put', 'ky.patch', 'ky.delete', 'superagent', 'superagent.get', 'superagent.post',
  'needle', 'request', 'request.get', 'request.post', 'WebSocket', 'ws', 'ws.WebSocket', 'EventSource', 'eventsource',
  'net.connect', 'net.createConnection', 'tls.connect',
]);
const NETWORK_FACTORIES = new Set(['axios.create', 'got.extend', 'ky.create', 'ky.extend', 'undici.Pool', 'undici.Client']);

const SPAWN: Record<string, 'first-arg' | 'first-word' | 'node'> = {
  'child_process.spawn': 'first-arg',
  'child_process.execFile': 'first-arg',
  'child_process.exec': 'first-word',
  'child_process.fork': 'node',
  execa: 'first-arg',
  'execa.execa': 'first-arg',
  'execa.execaCommand': 'first-word',
  'execa.command': 'first-word',
  'execa.execaNode': 'node',
  'cross-spawn': 'first-arg',
  'cross-spawn.sync': 'first-arg',
  'cross-spawn.spawn': 'first-arg',
  'shelljs.exec': 'first-word',
};

const WORKERS = new Set(['worker_threads.Worker', 'Worker', 'SharedWorker', 'cluster.fork', 'cluster.setupPrimary', 'cluster.setupMaster', 'piscina', 'piscina.Piscina', 'tinypool', 'tinypool.Tinypool']);
const NATIVE = new Set(['process.dlopen', 'bindings', 'node-gyp-build', 'ffi-napi.Library', 'koffi.load']);
const DYNAMIC = new Set(['eval', 'Function', 'vm.runInNewContext', 'vm.runInThisContext', 'vm.runInContext', 'vm.compileFunction', 'vm.Script', 'vm.SourceTextModule']);
const DOTENV = new Set(['dotenv.config', 'dotenv.configDotenv', 'process.loadEnvFile', '@dotenvx/dotenvx.config']);

/** `fs.promises.writeFileSync` -> `fs.writeFile`; `globalThis.fetch` -> `fetch`. */
export function simplify(name: string): string {
  return name.replace(/^(?:globalThis|global|window|self)\./u, '').replace(/\.promises(?=\.)/u, '').replace(/Sync$/u, '');
}

/** The role of a call (or `new`) of `name`, or undefined when it is not a capability. */
export function callRole(qualified: string): CallRole | undefined {
  const name = simplify(qualified);
  const fs = FS_MODULES.exec(name);
  if (fs) return fsRole(fs[1]!);
  if (name === 'write-file-atomic') return { kind: 'fs-write', pathArgs: [0] };
  if (NETWORK.has(name)) return { kind: 'network' };
  if (NETWORK_FACTORIES.has(name)) return { kind: 'network', factory: true };
  const spawn = SPAWN[name];
  if (spawn !== undefined && Object.hasOwn(SPAWN, name)) return { kind: 'spawn', program: spawn };
  if (WORKERS.has(name)) return { kind: 'worker' };
  if (NATIVE.has(name)) return { kind: 'native' };
  if (DYNAMIC.has(name)) return { kind: 'dynamic-code' };
  if (DOTENV.has(name)) return { kind: 'dotenv' };
  if (name.endsWith('.listRoots')) return { kind: 'mcp-roots' };
  if (name.endsWith('.listen')) return { kind: 'listen' };
  return undefined;
}

function fsRole(operation: string): CallRole | undefined {
  if (operation === 'open') return { kind: 'fs-open' };
  if (WRITE_ONE.includes(operation)) return { kind: 'fs-write', pathArgs: [0] };
  if (WRITE_TWO.includes(operation)) return { kind: 'fs-write', pathArgs: [0, 1] };
  if (READ_ONE.includes(operation)) return { kind: 'fs-read', pathArgs: [0] };
  return undefined;
}

/** Whether an `open` flags argument writes: `w`, `a`, `x` or `+` in a string, or any numeric flags but O_RDONLY (0). */
export function openFlagsWrite(flags: string | number | undefined): boolean {
  if (flags === undefined) return false;
  if (typeof flags === 'number') return flags !== 0;
  return /[wax+]/u.test(flags);
}

/** Callees and names near a URL literal that mean "this URL is contacted". */
export const NETWORK_CONTEXT = /fetch|request|^get$|^post$|^put$|^patch$|^delete$|url|uri|endpoint|base|host|origin|server|connect|axios|got|client|api|websocket|eventsource/iu;

/** Calls whose string arguments are messages, not targets. */
export const MESSAGE_CALLEE = /^console\.|\.(?:describe|log|warn|error|debug|info|trace)$|^(?:assert|expect)\b/u;

export const OBSERVATION_KINDS: readonly ObservationKind[] = ['fs-read', 'fs-write', 'env-read', 'dotenv', 'network', 'url-literal', 'listen', 'spawn', 'worker', 'native', 'dynamic-code', 'mcp-roots', 'eval-fetched', 'obfuscation', 'secret-path'];
