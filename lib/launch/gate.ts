// The start gate (README "Launch latency"): the sandbox is built while the installed tree is
// re-hashed, and nothing of the bundle runs before the hash has passed.
//
// `run` spawns bwrap with one more pipe, file descriptor GATE_FD inside. Everything up to the
// point before the server's own code starts at once (bwrap's namespaces and mounts, the perl
// launcher with its forwards and Landlock, and for a Node server the interpreter itself), then
// waits for one byte on that pipe: GO once the re-hash passed. A failed hash closes the pipe
// without it (end of file: the waiting side exits 125 without running anything) and kills the
// sandbox. The side that waits is ours:
//   - the perl launcher (landlock.ts), just before it executes the server's command; or
//   - for a Node server, a module preloaded with `--import` (a data: URL: no file to read, and
//     the Node permission model allows it), which blocks until the byte arrives; Node loads the
//     entry point only after its `--import` modules ran. Used only when nothing of the bundle can
//     run before it: the interpreter is not in the bundle tree, no NODE_OPTIONS (its --require
//     would run first), and the manifest passes no Node flags of its own before the entry point
//     (a --require there runs before every --import too).

/**
 * Whether the plan's environment lets the gate's waiting side start before the hash passed. It is
 * the environment of our own interpreters too (perl under -t ignores PERL5OPT and PERL5LIB; Node's
 * NODE_OPTIONS is checked in nodeMayWaitItself), and the dynamic loader reads LD_PRELOAD,
 * LD_LIBRARY_PATH, LD_AUDIT (ld.so(8)) and GLIBC_TUNABLES before any program: a declared one could
 * load a library of the bundle into the launcher. Then there is no gate: the sandbox starts after
 * the hash.
 */
export function environmentAllowsGate(env: Readonly<Record<string, string>>): boolean {
  return !Object.keys(env).some((key) => key.startsWith('LD_') || key === 'GLIBC_TUNABLES');
}

/** The descriptor the waiting side reads inside the sandbox (0-2 are stdio, 3 carries bwrap's options). */
export const GATE_FD = 4;

/** The one byte that lets the server start. */
export const GO = '1';

/** What waits for the go byte: the perl launcher, the Node interpreter's preload, or nothing (no gate: start after the hash). */
export type GateKind = 'launcher' | 'node' | null;

/** When the preload writes the compile cache (nodeGateSource). */
const COMPILE_CACHE_FLUSH_MS = 2000;

/**
 * The preload: a blocking read of GATE_FD (a pipe the parent created blocking; EAGAIN is retried
 * after 2 ms), the descriptor closed, and exit 125 unless the byte was GO. Then, with
 * `compileCache`, Node's module compile cache is switched on (README "Launch latency"): only here,
 * after the hash passed, never through NODE_COMPILE_CACHE, because Node looks up every module in
 * it, this preload included, and a cache entry is trusted on a checksum of the source only: its
 * code could be anything the cache's writer put there. So nothing compiled from it runs before
 * the go byte, and the directory is the tree's own (only that tree's code writes it, see
 * compileCacheDirectory). Node writes the cache when the process exits; a server that is killed
 * instead (a client that ends it with a signal) would never write it, so it is also written
 * COMPILE_CACHE_FLUSH_MS after the start, when the server's own modules are loaded (a timer that
 * keeps nothing alive). The module is imported whole: a Node without one of the two functions
 * (enableCompileCache is 22.1, flushCompileCache 22.10) starts without the cache, not at all.
 */
function nodeGateSource(compileCache: string | null): string {
  return [
    "import{readSync,closeSync}from'node:fs';",
    ...(compileCache === null ? [] : ["import*as m from'node:module';"]),
    'const b=Buffer.alloc(1);let n=0;',
    `for(;;){try{n=readSync(${GATE_FD},b,0,1,null);break}catch(e){if(e.code!=='EAGAIN')throw e;Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,2)}}`,
    `closeSync(${GATE_FD});`,
    `if(n!==1||b[0]!==${GO.charCodeAt(0)})process.exit(125);`,
    ...(compileCache === null ? [] : [`try{m.enableCompileCache(${JSON.stringify(compileCache)});setTimeout(()=>{try{m.flushCompileCache()}catch{}},${COMPILE_CACHE_FLUSH_MS}).unref()}catch{}`]),
  ].join('');
}

/**
 * The Node flag that makes the interpreter wait for the gate before it loads the entry point;
 * with `compileCache` (a directory the sandbox binds read-write), the modules loaded after the
 * gate opened are compiled through Node's compile cache there.
 */
export function nodeGateFlag(compileCache: string | null = null): string {
  return `--import=data:text/javascript,${encodeURIComponent(nodeGateSource(compileCache))}`;
}

/**
 * Whether a Node server may start its interpreter before the hash passed: nothing of the bundle
 * runs before its `--import` modules (see above). `serverArgs` are the manifest's arguments after
 * the interpreter; `nodeMajor` is null when the interpreter is not Node.
 */
export function nodeMayWaitItself(interpreterInTree: boolean, env: Readonly<Record<string, string>>, serverArgs: readonly string[], nodeMajor: number | null): boolean {
  // --import of a data: URL under the permission model: Node >= 22 (what mcpseal itself needs).
  if (nodeMajor === null || nodeMajor < 22 || interpreterInTree) return false;
  if (Object.keys(env).some((key) => key.toUpperCase() === 'NODE_OPTIONS')) return false;
  const first = serverArgs[0];
  return first !== undefined && !first.startsWith('-');
}
