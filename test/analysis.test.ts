// The static analyzer (lib/analysis): per observation kind, in JavaScript (ESM, CommonJS, minified
// one-liners, bundler interop) and Python (through the default python3 parser), with evidence;
// and hostile code (deep nesting, a 5 MB file, NUL bytes, syntax errors) as bounded unknowns.

import assert from 'node:assert/strict';
import { analyzeSources, type AnalysisInput } from '../lib/analysis/analyze.ts';
import type { AnalysisReport } from '../lib/analysis/model.ts';
import { defaultPythonParser } from '../lib/suggest.ts';

function source(path: string, text: string | Uint8Array): AnalysisInput {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  return { path, size: bytes.length, read: async () => bytes };
}

async function analyze(files: Record<string, string | Uint8Array>, options: Parameters<typeof analyzeSources>[1] = {}): Promise<AnalysisReport> {
  return analyzeSources(Object.entries(files).map(([path, text]) => source(path, text)), { python: defaultPythonParser(), ...options });
}

/** kind:detail of every observation, for compact assertions. */
function seen(report: AnalysisReport): string[] {
  return report.observations.map((observation) => `${observation.kind}:${observation.detail}`);
}

interface Case {
  name: string;
  file: string;
  code: string;
  expect: string[];
  /** For fs observations: the path origin expected on the first one. */
  origin?: string;
}

const JS_CASES: Case[] = [
  { name: 'fs write, ESM default import, literal path', file: 'a.mjs', code: "import fs from 'node:fs';\nfs.writeFileSync('/var/data/out.txt', 'x');", expect: ['fs-write:fs.writeFileSync'], origin: 'literal' },
  { name: 'fs write, fs/promises named import, home path', file: 'a.mjs', code: "import { appendFile } from 'fs/promises';\nimport os from 'os';\nimport path from 'path';\nawait appendFile(path.join(os.homedir(), '.app', 'log'), 'x');", expect: ['fs-write:fs.promises.appendFile'], origin: 'home' },
  { name: 'fs write, CJS destructured require, env path', file: 'a.cjs', code: "const { mkdirSync } = require('fs');\nmkdirSync(process.env.OUT_DIR, { recursive: true });", expect: ['fs-write:fs.mkdirSync', 'env-read:OUT_DIR'], origin: 'env' },
  { name: 'fs open with a write flag is a write, without one a read', file: 'a.js', code: "const fs = require('fs');\nfs.openSync('/tmp/x', 'a+');\nfs.open('/etc/hosts', () => {});", expect: ['fs-write:fs.openSync', 'fs-read:fs.open'] },
  { name: 'fs read of a relative path is the working directory', file: 'a.js', code: "const fs = require('fs');\nfs.readFileSync('config/settings.json');", expect: ['fs-read:fs.readFileSync'], origin: 'cwd' },
  { name: 'createWriteStream beside __dirname', file: 'a.js', code: "const fs = require('fs');\nconst path = require('path');\nfs.createWriteStream(path.join(__dirname, 'cache.db'));", expect: ['fs-write:fs.createWriteStream'], origin: 'bundle' },
  { name: 'env reads: dot, bracket, destructuring, aliased process.env', file: 'a.js', code: "const a = process.env.ALPHA;\nconst b = process.env['BETA'];\nconst { GAMMA, DELTA: d } = process.env;\nconst env = process.env;\nenv.EPSILON;\nprocess.env.WRITTEN = '1';", expect: ['env-read:ALPHA', 'env-read:BETA', 'env-read:GAMMA', 'env-read:DELTA', 'env-read:EPSILON'] },
  { name: 'dotenv config and the side-effect import', file: 'a.mjs', code: "import dotenv from 'dotenv';\nimport 'dotenv/config';\ndotenv.config();", expect: ['dotenv:dotenv/config', 'dotenv:dotenv.config'] },
  { name: 'fetch of a literal URL', file: 'a.mjs', code: "await fetch('https://api.example.com/v1/items');", expect: ['network:https://api.example.com/v1/items', 'url-literal:https://api.example.com/v1/items'] },
  { name: 'node-fetch and a template head with a complete host', file: 'a.mjs', code: "import fetch from 'node-fetch';\nconst id = 1;\nawait fetch(`https://api.example.com:8443/items/${id}`);", expect: ['network:https://api.example.com:8443/items/…', 'url-literal:https://api.example.com:8443/items/…'] },
  { name: 'fetch of a concatenation, of url.href and of url.toString() read through to the literal', file: 'a.mjs', code: "await fetch('https://slack.com/api/chat?' + q);\nconst url = new URL('https://maps.example.com/geo');\nawait fetch(url.href);\nawait fetch(url.toString());", expect: ['network:https://slack.com/api/chat?…', 'network:https://maps.example.com/geo', 'network:https://maps.example.com/geo', 'url-literal:https://slack.com/api/chat?', 'url-literal:https://maps.example.com/geo'] },
  { name: 'axios.create baseURL and https.request options', file: 'a.js', code: "const axios = require('axios');\nconst https = require('https');\naxios.create({ baseURL: 'https://api.one.example' });\nhttps.request({ hostname: 'two.example', path: '/' });", expect: ['network:https://api.one.example', 'url-literal:https://api.one.example', 'network:https://two.example/'] },
  { name: 'a base URL constant is a url-literal; a sentence with a URL is not', file: 'a.js', code: "const BASE_URL = 'https://api.github.com';\nconsole.error('see https://docs.example.com for help');\nthrow new Error('https://nope.example.com');", expect: ['url-literal:https://api.github.com'] },
  { name: 'fetch of a tool input URL is tool-input driven', file: 'a.mjs', code: "server.registerTool('get', {}, async (args) => fetchIt(args.url));\nasync function fetchIt(url) { return fetch(url); }", expect: ['network:url'] },
  { name: 'listen and MCP roots', file: 'a.js', code: "const http = require('http');\nhttp.createServer(() => {}).listen(8080);\nawait server.server.listRoots();\nconst m = 'roots/list';", expect: ['listen:listen', 'mcp-roots:server.server.listRoots', 'mcp-roots:roots/list'] },
  { name: 'child processes: literal program, shell string, fork, execa, dynamic', file: 'a.mjs', code: "import { spawn, exec, fork } from 'node:child_process';\nimport { execa } from 'execa';\nspawn('git', ['status']);\nexec('ls -la /');\nfork('./worker.js');\nawait execa('docker', ['ps']);\nspawn(process.env.TOOL);", expect: ['spawn:git', 'spawn:ls', 'spawn:node', 'spawn:docker', 'spawn:', 'env-read:TOOL'] },
  { name: 'workers: worker_threads and cluster', file: 'a.js', code: "const { Worker } = require('worker_threads');\nconst cluster = require('cluster');\nnew Worker('./w.js');\ncluster.fork();", expect: ['worker:worker_threads.Worker', 'worker:cluster.fork'] },
  { name: 'native code: a .node require and process.dlopen', file: 'a.js', code: "const addon = require('./build/Release/addon.node');\nprocess.dlopen(module, '/x.node');", expect: ['native:./build/Release/addon.node', 'native:process.dlopen'] },
  { name: 'dynamic code: require(x), import(x), eval, new Function, vm', file: 'a.js', code: "const vm = require('vm');\nrequire(name);\nimport(name);\neval(code);\nnew Function('a', code);\nvm.runInNewContext(code);", expect: ['dynamic-code:require', 'dynamic-code:eval', 'dynamic-code:Function', 'dynamic-code:vm.runInNewContext', 'dynamic-code:import()'] },
  { name: 'minified CJS one-liner with esbuild interop', file: 'dist/min.js', code: 'var a=__toESM(require("fs")),b=__toESM(require("https"));a.default.writeFileSync(process.env.LOG_FILE,"x");b.default.get("https://telemetry.example.io/ping");', expect: ['fs-write:fs.writeFileSync', 'network:https://telemetry.example.io/ping', 'url-literal:https://telemetry.example.io/ping', 'env-read:LOG_FILE'] },
  { name: 'a minifier reusing a name for two modules binds it to neither', file: 'dist/min2.js', code: 'function f(){var a=require("fs");a.writeFileSync("/x","y")}function g(){var a=require("path");a.join("a")}', expect: [] },
  { name: 'TypeScript sources have their types stripped', file: 'src/a.ts', code: "import fs from 'node:fs';\nconst target: string = '/srv/out.json';\nfs.writeFileSync(target, JSON.stringify({} as Record<string, number>));", expect: ['fs-write:fs.writeFileSync'], origin: 'literal' },
];

describe('analysis: JavaScript, one table row per observation kind', () => {
  for (const entry of JS_CASES) {
    it(entry.name, async () => {
      const report = await analyze({ [entry.file]: entry.code });
      assert.deepEqual(report.unknowns, []);
      assert.deepEqual(seen(report).sort(), [...entry.expect].sort());
      if (entry.origin !== undefined) assert.equal(report.observations.find((observation) => observation.kind.startsWith('fs-'))?.target?.origin, entry.origin);
      for (const observation of report.observations) {
        assert.equal(observation.evidence.path, entry.file);
        assert.ok(observation.evidence.line >= 1 && observation.evidence.excerpt.length <= 170);
      }
    });
  }

  it('a fetch of a URL that comes from tool input is marked toolInput; one in a file without tools is not', async () => {
    const report = await analyze({
      'tools.mjs': "server.registerTool('get', {}, async (args) => fetchIt(args.url));\nasync function fetchIt(url) { return fetch(url); }",
      'client.mjs': 'export async function call(url) { return fetch(url); }',
    });
    const byFile = Object.fromEntries(report.observations.map((observation) => [observation.evidence.path, observation.toolInput === true]));
    assert.deepEqual(byFile, { 'tools.mjs': true, 'client.mjs': false });
  });

  it('evidence names the file and line, and the excerpt escapes control characters', async () => {
    const report = await analyze({ 'server/x.js': "\n\nconst t = process.env.TOKEN; // \u001b[31m red\n" });
    const [observation] = report.observations;
    assert.deepEqual({ path: observation?.evidence.path, line: observation?.evidence.line }, { path: 'server/x.js', line: 3 });
    assert.ok(!observation!.evidence.excerpt.includes('\u001b') && observation!.evidence.excerpt.includes('\\u001b'));
  });

  it("dependencies' code is reported separately, with its package", async () => {
    const report = await analyze({
      'server/index.js': "require('@acme/client');",
      'node_modules/@acme/client/lib/index.js': "const u = 'https://api.acme.example/v3';\nfetch(u);\nprocess.env.ACME_TOKEN;",
      'node_modules/@acme/client/examples/demo.js': "process.env.DEMO_SECRET;",
    });
    const dependency = report.observations.filter((observation) => observation.origin === 'dependency');
    assert.deepEqual(dependency.filter((observation) => observation.test !== true).map((observation) => `${observation.package}:${observation.kind}:${observation.detail}`).sort(), [
      '@acme/client:env-read:ACME_TOKEN',
      '@acme/client:network:https://api.acme.example/v3',
    ]);
    assert.ok(dependency.some((observation) => observation.detail === 'DEMO_SECRET' && observation.test === true), "a dependency's examples are marked as not run");
    assert.deepEqual(report.imports, ['@acme/client']);
  });
});

const PYTHON_CASES: Case[] = [
  { name: 'open for writing under an env path', file: 'a.py', code: "import os\nopen(os.path.join(os.environ['DATA'], 'x'), 'w')", expect: ['fs-write:open', 'env-read:DATA'], origin: 'env' },
  { name: 'pathlib write_text under the home directory', file: 'a.py', code: "from pathlib import Path\nPath('~/.cache/app').write_text('x')", expect: ['fs-write:pathlib.Path().write_text'], origin: 'home' },
  { name: 'env reads: getenv, environ.get, environ[...]', file: 'a.py', code: "import os\nfrom os import getenv\nos.environ.get('A')\ngetenv('B')\nos.environ['C']", expect: ['env-read:A', 'env-read:B', 'env-read:C'] },
  { name: 'dotenv load_dotenv', file: 'a.py', code: 'from dotenv import load_dotenv\nload_dotenv()', expect: ['dotenv:dotenv.load_dotenv'] },
  { name: 'requests and httpx with literal URLs', file: 'a.py', code: "import requests, httpx\nrequests.get('https://api.py.example/x')\nhttpx.Client(base_url='https://api.httpx.example')", expect: ['network:https://api.py.example/x', 'network:https://api.httpx.example', 'url-literal:https://api.py.example/x', 'url-literal:https://api.httpx.example'] },
  { name: 'subprocess list, os.system shell string', file: 'a.py', code: "import os, subprocess\nsubprocess.run(['git', 'log'])\nos.system('rm -rf /tmp/x')", expect: ['spawn:git', 'spawn:rm'] },
  { name: 'multiprocessing, ctypes, eval', file: 'a.py', code: "import multiprocessing, ctypes\nmultiprocessing.Process(target=f)\nctypes.CDLL('libc.so.6')\neval(x)", expect: ['worker:multiprocessing.Process', 'native:ctypes.CDLL', 'native:ctypes', 'dynamic-code:eval'] },
  { name: 'socket bind and list_roots', file: 'a.py', code: "import socket\ns = socket.socket()\ns.bind(('0.0.0.0', 80))\nawait session.list_roots()", expect: ['listen:s.bind', 'mcp-roots:session.list_roots'] },
];

describe('analysis: Python, through python3 ast', () => {
  for (const entry of PYTHON_CASES) {
    it(entry.name, async () => {
      const report = await analyze({ [entry.file]: entry.code });
      assert.deepEqual(report.unknowns, []);
      assert.deepEqual(seen(report).sort(), [...entry.expect].sort());
      if (entry.origin !== undefined) assert.equal(report.observations.find((observation) => observation.kind.startsWith('fs-'))?.target?.origin, entry.origin);
    });
  }

  it('without python3, Python files are unknown, not silently clean', async () => {
    const report = await analyzeSources([source('server/main.py', "import os\nos.environ['X']")], { python: defaultPythonParser({ command: '/nonexistent/python3' }) });
    assert.deepEqual(report.observations, []);
    assert.deepEqual(report.unknowns.map((unknown) => `${unknown.path}:${unknown.reason}`), ['server/main.py:python-unavailable']);
  });

  it('a Python syntax error is an unknown for that file only', async () => {
    const report = await analyze({ 'bad.py': 'def (:', 'good.py': "import os\nos.getenv('OK')" });
    assert.deepEqual(seen(report), ['env-read:OK']);
    assert.deepEqual(report.unknowns.map((unknown) => `${unknown.path}:${unknown.reason}`), ['bad.py:parse-error']);
  });
});

describe('analysis: hostile code yields bounded unknowns, never a throw', () => {
  it('deeply nested expressions (JavaScript and Python)', async () => {
    const depth = 100_000;
    const report = await analyze({ 'deep.js': `x = ${'('.repeat(depth)}1${')'.repeat(depth)};`, 'deep.py': `x = ${'('.repeat(depth)}1${')'.repeat(depth)}`, 'ok.js': 'process.env.STILL_READ;' });
    assert.deepEqual(seen(report), ['env-read:STILL_READ']);
    assert.deepEqual(report.unknowns.map((unknown) => unknown.path).sort(), ['deep.js', 'deep.py']);
  });

  it('a 5 MB minified file is over the per-file cap: too-large, and the rest is still read', async () => {
    const big = `var a=1;${'a+=1;'.repeat(1_100_000)}`;
    assert.ok(big.length > 5_000_000);
    const report = await analyze({ 'dist/huge.min.js': big, 'dist/small.js': "fetch('https://ok.example/x')" });
    assert.deepEqual(report.unknowns.map((unknown) => `${unknown.path}:${unknown.reason}`), ['dist/huge.min.js:too-large']);
    assert.deepEqual(seen(report).sort(), ['network:https://ok.example/x', 'url-literal:https://ok.example/x']);
  });

  it('a file with 20,000 capability calls keeps the per-file cap of observations and says it was truncated', async () => {
    const report = await analyze({ 'dist/many.js': `var a=require("fs");${'a.statSync("/x");'.repeat(20_000)}` });
    assert.equal(report.observations.length, 5000);
    assert.deepEqual(report.unknowns.map((unknown) => `${unknown.path}:${unknown.reason}`), ['dist/many.js:truncated']);
  });

  it('a file with a NUL byte, and a syntax error', async () => {
    const report = await analyze({ 'nul.js': Buffer.from('process.env.A;\u0000'), 'broken.js': 'function ( {' });
    assert.deepEqual(report.unknowns.map((unknown) => `${unknown.path}:${unknown.reason}`).sort(), ['broken.js:parse-error', 'nul.js:binary']);
    assert.deepEqual(report.observations, []);
  });

  it('the file-count, total-size and time caps stop the work and say so; own code is read first', async () => {
    const files = { 'node_modules/dep/a.js': 'process.env.DEP;', 'server/a.js': 'process.env.OWN;', 'server/b.js': 'process.env.OWN2;' };
    const capped = await analyze(files, { limits: { maxAnalysisFiles: 2 } });
    assert.deepEqual(seen(capped).sort(), ['env-read:OWN', 'env-read:OWN2']);
    assert.equal(capped.stats.truncated, true);
    assert.deepEqual(capped.unknowns.map((unknown) => `${unknown.path}:${unknown.reason}:${unknown.origin}`), ['*:truncated:dependency']);
    let clock = 0;
    const late = await analyzeSources(Object.entries(files).map(([path, text]) => source(path, text)), { limits: { analysisTimeBudgetMs: 5 }, now: () => (clock += 10) });
    assert.equal(late.stats.truncated, true);
    assert.ok(late.unknowns.some((unknown) => unknown.reason === 'time-budget' && unknown.origin === 'own'));
  });
});

describe('analysis: a layer without I/O', () => {
  it('lib/analysis imports only itself, the limits, the edit distance and node:module (no file system, no processes, no network)', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const dir = join(import.meta.dirname, '..', 'lib', 'analysis');
    const bad: string[] = [];
    for (const name of (await readdir(dir)).filter((file) => file.endsWith('.ts'))) {
      const text = await readFile(join(dir, name), 'utf8');
      for (const match of text.matchAll(/^(?:import|export)[^'"]*from '([^']+)'/gmu)) {
        const spec = match[1]!;
        if (!(spec.startsWith('./') || spec === '../limits.ts' || spec === '../edit-distance.ts' || spec === 'node:module' || spec === 'acorn')) bad.push(`${name}: ${spec}`);
      }
    }
    assert.deepEqual(bad, []);
  });
});
