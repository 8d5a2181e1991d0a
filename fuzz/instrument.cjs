'use strict';
// Coverage for jsfuzz on ES modules. jsfuzz instruments what its worker require()s (istanbul's
// CommonJS hook), but dist/ is ESM: the modules a target imports never pass through that hook.
// This registers an in-thread module load hook (node:module registerHooks, Node >= 22.15) that
// instruments dist/**/*.js and fuzz/planted.mjs with istanbul into globalThis.__coverage__,
// the same counters jsfuzz's worker sums to decide whether an input found something new.
const { registerHooks } = require('node:module');
const { fileURLToPath } = require('node:url');
const path = require('node:path');
const { createInstrumenter } = require('istanbul-lib-instrument');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist') + path.sep;
const PLANTED = path.join(ROOT, 'fuzz', 'planted.mjs');
const instrumenter = createInstrumenter({ compact: true, esModules: true, produceSourceMap: false });

let registered = false;
function instrumentOurModules() {
  if (registered) return;
  registered = true;
  registerHooks({
    load(url, context, nextLoad) {
      const result = nextLoad(url, context);
      if (!url.startsWith('file:') || result.format !== 'module') return result;
      const file = fileURLToPath(url);
      if (!file.startsWith(DIST) && file !== PLANTED) return result;
      const source = Buffer.from(result.source).toString('utf8');
      return { ...result, source: instrumenter.instrumentSync(source, file) };
    },
  });
}

/** What a target imports from the built package, resolved from the repository root. */
function distUrl(relative) {
  return require('node:url').pathToFileURL(path.join(ROOT, 'dist', relative)).href;
}

module.exports = { instrumentOurModules, distUrl, ROOT };

/** Largest input a target looks at: the parsers' own caps are larger, but small inputs keep the loop fast. */
const MAX_INPUT = 64 * 1024;

/**
 * Builds a jsfuzz target: `load` imports what the target needs (once, through the instrumenting
 * hook), `run` feeds it one input. An MCPSealError is the parser refusing hostile bytes, which is
 * the point; any other exception escapes and jsfuzz records the input as a crash.
 */
function makeTarget(load, run) {
  instrumentOurModules();
  let loaded;
  async function fuzz(buf) {
    if (buf.length > MAX_INPUT) return;
    loaded ??= await load();
    const { isMCPSealError } = loaded.errors;
    try {
      await run(loaded, buf);
    } catch (error) {
      if (!isMCPSealError(error)) throw error;
    }
  }
  return { fuzz };
}

async function importDist(relatives) {
  const out = { errors: await import(distUrl('errors.js')) };
  for (const [name, relative] of Object.entries(relatives)) out[name] = await import(distUrl(relative));
  return out;
}

module.exports.makeTarget = makeTarget;
module.exports.importDist = importDist;
module.exports.MAX_INPUT = MAX_INPUT;
