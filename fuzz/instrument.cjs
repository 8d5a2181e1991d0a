'use strict';
// Coverage for jsfuzz on ES modules, and the checks every target applies to every input.
//
// jsfuzz instruments what its worker require()s (istanbul's CommonJS hook), but dist/ is ESM: the
// modules a target imports never pass through that hook. This registers an in-thread module load
// hook (node:module registerHooks, Node >= 22.15) that instruments dist/**/*.js and
// fuzz/planted.mjs with istanbul into globalThis.__coverage__, the same counters jsfuzz's worker
// sums to decide whether an input found something new.
const { registerHooks } = require('node:module');
const { fileURLToPath, pathToFileURL } = require('node:url');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');
const { createInstrumenter } = require('istanbul-lib-instrument');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist') + path.sep;
const PLANTED = path.join(ROOT, 'fuzz', 'planted.mjs');
const instrumenter = createInstrumenter({ compact: true, esModules: true, produceSourceMap: false });

let registered = false;
/**
 * Which dist/ modules get counters: by default all of them; a target names the parser's own
 * modules (dist-relative prefixes), because jsfuzz's worker sums every counter after every input
 * and on a target importing most of dist/ (policy) that sum alone took 1.3 ms an input.
 */
let include = null;
function instrumented(file) {
  if (file === PLANTED) return true;
  if (!file.startsWith(DIST)) return false;
  const relative = file.slice(DIST.length).split(path.sep).join('/');
  if (include === null) return true;
  // A prefix starting with `!` excludes (the generated schema validators of manifest/generated are
  // most of the counters and none of the hand-written checks).
  if (include.some((prefix) => prefix.startsWith('!') && relative.startsWith(prefix.slice(1)))) return false;
  return include.some((prefix) => !prefix.startsWith('!') && relative.startsWith(prefix));
}

function instrumentOurModules(prefixes = null) {
  if (registered) return;
  registered = true;
  include = prefixes;
  registerHooks({
    load(url, context, nextLoad) {
      const result = nextLoad(url, context);
      if (!url.startsWith('file:') || result.format !== 'module') return result;
      const file = fileURLToPath(url);
      if (!instrumented(file)) return result;
      const source = Buffer.from(result.source).toString('utf8');
      return { ...result, source: instrumenter.instrumentSync(source, file) };
    },
  });
}

/** What a target imports from the built package, resolved from the repository root. */
function distUrl(relative) {
  return pathToFileURL(path.join(ROOT, 'dist', relative)).href;
}

/** Largest input a target looks at by default: the parsers' caps are larger, small inputs keep the loop fast. */
const MAX_INPUT = 64 * 1024;

/**
 * The failure bars of issue 14, checked around every input (an input failing one is a finding):
 * - SLOW_MS: one input taking longer than 1 s (re-run once, so a scheduler stall on this shared
 *   machine is not reported; the second run must be slow too);
 * - INPUT_HEAP_CAP: heap plus external (Buffer) memory grown by more than 64 MiB across one input.
 *   What stays allocated after the input returns is at most what it allocated, so this bounds
 *   the memory one input of at most 64 KiB made the parser hold (every target runs with small
 *   limits, far below this);
 * - RSS_CAP: the worker's resident set above 768 MiB after an input;
 * - LEAK_CAP: every LEAK_EVERY inputs, after a full garbage collection, the heap grown by more than
 *   48 MiB over the first such measurement (memory the parsers keep between inputs).
 */
const LIMITS = {
  SLOW_MS: Number(process.env.FUZZ_SLOW_MS ?? 1000),
  INPUT_HEAP_CAP: 64 * 1024 * 1024,
  RSS_CAP: 768 * 1024 * 1024,
  LEAK_EVERY: 20_000,
  LEAK_CAP: 48 * 1024 * 1024,
};

/** An input that broke one of the bars: what jsfuzz records as a crash. */
class FuzzFinding extends Error {
  constructor(kind, message) {
    super(`${kind}: ${message}`);
    this.name = 'FuzzFinding';
    this.kind = kind;
  }
}

let collectGarbage = null;
function fullGc() {
  if (collectGarbage === null) {
    v8.setFlagsFromString('--expose-gc');
    collectGarbage = vm.runInNewContext('gc');
  }
  collectGarbage();
}

function usedMemory() {
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

/**
 * With FUZZ_FINDINGS set (long runs), a finding is written there, one file per distinct failure
 * (kind and top stack frame), and fuzzing goes on, so one finding does not end a million-input
 * run; without it (the default, the smoke test) the finding escapes and jsfuzz stops on it.
 */
const seen = new Map();
function record(target, error, buf) {
  const dir = process.env.FUZZ_FINDINGS;
  if (!dir) throw error;
  const frame = String(error && error.stack).split('\n').find((l) => /^\s+at /.test(l)) ?? '';
  const kind = error instanceof FuzzFinding ? error.kind : (error && error.name) || 'Error';
  const signature = createHash('sha256').update(`${kind}|${frame.trim()}`).digest('hex').slice(0, 12);
  const count = (seen.get(signature) ?? 0) + 1;
  seen.set(signature, count);
  fs.mkdirSync(dir, { recursive: true });
  fs.appendFileSync(path.join(dir, 'findings.log'), `${JSON.stringify({ target, signature, count, kind, message: String(error && error.message).slice(0, 300), frame: frame.trim() })}\n`);
  if (count === 1) fs.writeFileSync(path.join(dir, `${target}-${kind}-${signature}`), buf);
}

/**
 * FUZZ_BATCH=K (long runs): after each engine input, K inputs derived from it by a few byte-level
 * mutations (bit flips, interesting bytes, insert, delete, truncate, duplicate) with a PRNG seeded
 * from the input's own bytes, so the same input always yields the same K. jsfuzz pays about as much
 * per input for its own work (the IPC round trip between two processes, summing every coverage
 * counter, its mutator) as our parsers do; on two cores shared by eight engineers that capped the
 * slower targets at 300 inputs/s. The engine's guidance still picks the parents (a derived input
 * that reaches new code credits its parent, which jsfuzz then keeps); every derived input passes
 * the same checks, and one that fails is written as itself. Executions are counted by the worker
 * (FUZZ_STATS), not from jsfuzz's status line.
 */
const BATCH = Number(process.env.FUZZ_BATCH ?? 0);
const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x30, 0x02, 0x04, 0x50, 0x4b];

function prng(buf) {
  let h = 0x811c9dc5 ^ buf.length;
  for (let i = 0; i < buf.length; i += Math.max(1, buf.length >> 6)) h = Math.imul(h ^ buf[i], 0x01000193);
  return () => {
    h ^= h << 13;
    h ^= h >>> 17;
    h ^= h << 5;
    return (h >>> 0) / 4294967296;
  };
}

function derive(parent, random, maxInput) {
  let b = Buffer.from(parent);
  const steps = 1 + Math.floor(random() * 4);
  for (let s = 0; s < steps; s++) {
    const at = Math.floor(random() * (b.length + 1));
    const op = Math.floor(random() * 7);
    if (b.length === 0 || op === 0) b = Buffer.concat([b.subarray(0, at), Buffer.from([Math.floor(random() * 256)]), b.subarray(at)]);
    else if (op === 1) b[at % b.length] ^= 1 << Math.floor(random() * 8);
    else if (op === 2) b[at % b.length] = INTERESTING[Math.floor(random() * INTERESTING.length)];
    else if (op === 3) b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + Math.floor(random() * 16))]);
    else if (op === 4) b = b.subarray(0, at);
    else if (op === 5) b = Buffer.concat([b.subarray(0, at), b.subarray(Math.floor(random() * b.length)).subarray(0, 1 + Math.floor(random() * 64)), b.subarray(at)]);
    else if (b.length >= 2) b.writeUInt16LE(Math.floor(random() * 65536), Math.min(at, b.length - 2));
  }
  return b.length > maxInput ? b.subarray(0, maxInput) : b;
}

const stats = { engineInputs: 0, executions: 0 };
function writeStats() {
  if (process.env.FUZZ_STATS) fs.writeFileSync(process.env.FUZZ_STATS, JSON.stringify(stats));
}

/**
 * jsfuzz's worker instruments every CommonJS file it loads, this harness included: its branches
 * (which mutation derive() took) would count as new coverage and fill the corpus with inputs that
 * reached nothing new in mcpseal. Istanbul's counters keep their object once a module has run, so
 * dropping the harness's entries from the global map only takes them out of jsfuzz's sum.
 */
function forgetHarnessCoverage() {
  const harness = path.join(ROOT, 'fuzz') + path.sep;
  for (const file of Object.keys(globalThis.__coverage__ ?? {})) {
    if (file.startsWith(harness) && file !== PLANTED) delete globalThis.__coverage__[file];
  }
}

/**
 * Builds a jsfuzz target: `load` imports what the target needs (once, through the instrumenting
 * hook), `run` feeds it one input. An MCPSealError is the parser refusing hostile bytes, which is
 * the point; any other exception, a slow input or memory past the caps is a finding.
 * `options.warmUp(loaded)`, run once after `load`, loads what the code loads on first use.
 */
function makeTarget(load, run, options = {}) {
  const name = options.name ?? 'target';
  const maxInput = options.maxInput ?? MAX_INPUT;
  instrumentOurModules(options.instrument ?? null);
  let loaded;
  let inputs = 0;
  let baseline = null;

  async function once(buf) {
    try {
      await run(loaded, buf);
    } catch (error) {
      if (!loaded.errors.isMCPSealError(error)) throw error;
    }
  }

  async function checked(buf) {
    const before = usedMemory();
    let started = performance.now();
    await once(buf);
    let elapsed = performance.now() - started;
    const grown = usedMemory() - before;
    if (grown > LIMITS.INPUT_HEAP_CAP) throw new FuzzFinding('memory', `one input of ${buf.length} bytes grew the heap by ${Math.round(grown / 1048576)} MiB`);
    if (elapsed > LIMITS.SLOW_MS) {
      started = performance.now();
      await once(buf);
      elapsed = Math.min(elapsed, performance.now() - started);
      if (elapsed > LIMITS.SLOW_MS) throw new FuzzFinding('slow', `one input of ${buf.length} bytes took ${Math.round(elapsed)} ms`);
    }
    if (process.memoryUsage.rss() > LIMITS.RSS_CAP) throw new FuzzFinding('memory', `resident set ${Math.round(process.memoryUsage.rss() / 1048576)} MiB after an input`);
    inputs += 1;
    if (inputs % LIMITS.LEAK_EVERY === 0) checkLeak();
  }

  function checkLeak() {
    fullGc();
    const now = usedMemory();
    if (baseline === null) baseline = now;
    else if (now - baseline > LIMITS.LEAK_CAP) throw new FuzzFinding('leak', `${inputs} inputs left ${Math.round((now - baseline) / 1048576)} MiB more live heap than after ${LIMITS.LEAK_EVERY}`);
  }

  async function one(buf) {
    stats.executions += 1;
    try {
      await checked(buf);
    } catch (error) {
      record(name, error, buf);
    }
  }

  async function fuzz(buf) {
    if (buf.length > maxInput) return;
    if (loaded === undefined) {
      loaded = await load();
      // What a target loads on its first use (node-forge behind lib/legacy/der.ts) is loaded here,
      // not counted against the first input that reaches it.
      if (options.warmUp) await options.warmUp(loaded);
      forgetHarnessCoverage();
    }
    stats.engineInputs += 1;
    await one(buf);
    if (BATCH > 0) {
      const random = prng(buf);
      for (let k = 0; k < BATCH; k++) await one(derive(buf, random, maxInput));
    }
    if (stats.engineInputs % 250 === 0) writeStats();
  }
  return { fuzz };
}

async function importDist(relatives) {
  const out = { errors: await import(distUrl('errors.js')) };
  for (const [name, relative] of Object.entries(relatives)) out[name] = await import(distUrl(relative));
  return out;
}

module.exports = { instrumentOurModules, distUrl, ROOT, makeTarget, importDist, MAX_INPUT, LIMITS, FuzzFinding };
