// `scopes suggest` from evidence (issue 10 item 2): drafts that cover what the code does, each item
// with its reason (file:line), questions for what cannot be placed, and the property that the
// pasted draft validates, over every bundle of the tests; the CLI in a real process.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { collectSourceFiles } from '../lib/archive/collect.ts';
import { analyzeSources } from '../lib/analysis/analyze.ts';
import { packBundle } from '../lib/pack.ts';
import { suggestFromEvidence } from '../lib/scopes/suggest-evidence.ts';
import { suggestScopes } from '../lib/scopes/suggest.ts';
import { defaultPythonParser, suggestFromPath, type SuggestResult } from '../lib/suggest.ts';
import { jsonOf, ROOT, runCli, tempDir } from './helpers/cli.ts';
import { HARDENED_MANIFEST } from './helpers/manifest.ts';
import { assertDraftValidates } from './helpers/suggest.ts';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'analysis');
const BUNDLES = [join(ROOT, 'examples', 'hello-bundle'), join(FIXTURES, 'node-bundle'), join(FIXTURES, 'python-bundle')];

async function manifestOf(directory: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(directory, 'manifest.json'), 'utf8')) as Record<string, unknown>;
}

async function filesOf(directory: string): Promise<Set<string>> {
  return new Set((await collectSourceFiles(directory)).files.map((file) => file.name));
}

function egressOf(result: SuggestResult): string[] {
  return result.scopes.network.egress.flatMap((rule) => rule.ports.map((port) => `${rule.host}:${port}`)).sort();
}

describe('scopes suggest from evidence', () => {
  for (const directory of BUNDLES) {
    it(`property: the draft for ${directory.slice(ROOT.length)} pasted into its manifest passes validate (hardened)`, async () => {
      const result = await suggestFromPath(directory);
      assertDraftValidates(await manifestOf(directory), result.scopes, await filesOf(directory));
    });
  }

  it('a Node bundle: egress from a literal and from an imported client library, env, secrets, a write beside a file option, a program', async () => {
    const result = await suggestFromPath(join(FIXTURES, 'node-bundle'));
    assert.deepEqual(egressOf(result), ['api.open-meteo.com:443', 'api.weather.example.net:443']);
    assert.deepEqual(result.scopes.env, { read: ['NOTES_FILE', 'WEATHER_TOKEN'], secrets: ['WEATHER_TOKEN'] });
    assert.deepEqual(result.scopes.filesystem.write, ['${user_config.notes_file:parent}']);
    assert.deepEqual(result.scopes.process.spawn, ['git']);
    assert.deepEqual(result.reasons['/network/egress/api.open-meteo.com']?.[0]?.at, ['server/index.js:18']);
    assert.match(result.reasons['/network/egress/api.weather.example.net']?.[0]?.reason ?? '', /dependency weather-client/u);
    assert.deepEqual(result.reasons['/filesystem/write/${user_config.notes_file:parent}']?.[0]?.at, ['server/index.js:13', 'server/index.js:14']);
    assert.ok(result.questions.some((question) => question.question.includes('WEATHER_CLIENT_SECRET')), "a dependency's secret-looking env read is asked about");
  });

  it('a Python bundle: egress, env reads, a write under a directory option, a program', async () => {
    const result = await suggestFromPath(join(FIXTURES, 'python-bundle'));
    assert.deepEqual(result.analysis.unknowns, []);
    assert.deepEqual(egressOf(result), ['api.stocks.example.org:443']);
    assert.deepEqual(result.scopes.env.read, ['DATA_DIR', 'QUOTE_TIMEOUT']);
    assert.deepEqual(result.scopes.filesystem.write, ['${user_config.data_dir}']);
    assert.deepEqual(result.scopes.process.spawn, ['uptime']);
    assert.deepEqual(result.reasons['/process/spawn/uptime']?.[0]?.at, ['server/main.py:21']);
  });

  it('what cannot be placed becomes a question, never a silent omission (dynamic path, non-literal URL, dynamic require, computed env name)', async () => {
    const { path, cleanup } = await tempDir();
    try {
      await mkdir(join(path, 'server'));
      await writeFile(join(path, 'manifest.json'), JSON.stringify({ ...HARDENED_MANIFEST, _meta: undefined }));
      await writeFile(
        join(path, 'server', 'index.js'),
        "const fs = require('fs');\nfs.writeFileSync(pick(), 'x');\nfetch(makeUrl());\nrequire(plugin);\nprocess.env[name];\nspawnIt();\n",
      );
      const result = await suggestFromPath(path);
      const topics = result.questions.map((question) => `${question.topic}:${question.at.join(',')}`).sort();
      assert.deepEqual(topics, ['code:server/index.js:4', 'env:server/index.js:5', 'filesystem:server/index.js:2', 'network:server/index.js:3']);
      assert.deepEqual(result.scopes.filesystem.write, []);
      assert.deepEqual(result.scopes.network.egress, []);
      assertDraftValidates({ ...HARDENED_MANIFEST }, result.scopes, await filesOf(path));
    } finally {
      await cleanup();
    }
  });

  it('a tool that fetches its input URL is user-driven egress with a reason, and roots use is declared', async () => {
    const { path, cleanup } = await tempDir();
    try {
      await mkdir(join(path, 'server'));
      await writeFile(join(path, 'manifest.json'), JSON.stringify(HARDENED_MANIFEST));
      await writeFile(
        join(path, 'server', 'index.js'),
        "const fs = require('fs/promises');\nserver.registerTool('fetch', {}, async (args) => get(args.url));\nasync function get(url) { return fetch(url); }\nconst { roots } = await server.server.listRoots();\nawait fs.writeFile(roots[0].uri, 'x');\n",
      );
      const result = await suggestFromPath(path);
      assert.deepEqual(result.scopes.network.userDriven?.ports, [443, 80]);
      assert.ok((result.scopes.network.userDriven?.reason.length ?? 0) > 0);
      assert.equal(result.scopes.filesystem.roots, 'write');
      assert.deepEqual(result.reasons['/network/userDriven']?.[0]?.at, ['server/index.js:3']);
      assert.deepEqual(result.questions, []);
      assertDraftValidates(HARDENED_MANIFEST, result.scopes, await filesOf(path));
    } finally {
      await cleanup();
    }
  });

  it('home-directory paths as found, working-directory paths as filesystem.cwd, the bundle itself needs nothing new', async () => {
    const code = [
      "import fs from 'node:fs';",
      "import os from 'node:os';",
      "import path from 'node:path';",
      "fs.mkdirSync(path.join(os.homedir(), '.cache', 'notes-app'), { recursive: true });",
      "fs.writeFileSync('out/report.txt', 'x');",
      "fs.readFileSync(path.join(import.meta.dirname, 'data.json'));",
    ].join('\n');
    const bytes = Buffer.from(code);
    const report = await analyzeSources([{ path: 'server/index.js', size: bytes.length, read: async () => bytes }]);
    const draft = suggestFromEvidence(HARDENED_MANIFEST, suggestScopes(HARDENED_MANIFEST), report);
    assert.deepEqual(draft.scopes.filesystem, { read: ['${__dirname}'], write: ['${HOME}/.cache/notes-app'], cwd: 'write' });
    assert.deepEqual(draft.reasons['/filesystem/write/${HOME}/.cache/notes-app']?.[0]?.at, ['server/index.js:4']);
    assert.deepEqual(draft.reasons['/filesystem/cwd']?.[0]?.at, ['server/index.js:5']);
    assert.deepEqual(draft.questions, []);
  });

  it('a Python tool that fetches its argument is user-driven egress', async () => {
    const code = Buffer.from('import httpx\nfrom mcp.server.fastmcp import FastMCP\nmcp = FastMCP("f")\n\n@mcp.tool()\nasync def fetch(url: str) -> str:\n    return httpx.get(url).text\n');
    const report = await analyzeSources([{ path: 'server/main.py', size: code.length, read: async () => code }], { python: defaultPythonParser() });
    const draft = suggestFromEvidence(HARDENED_MANIFEST, suggestScopes(HARDENED_MANIFEST), report);
    assert.deepEqual(draft.scopes.network.userDriven?.ports, [443, 80]);
    assert.deepEqual(draft.reasons['/network/userDriven']?.[0]?.at, ['server/main.py:7']);
  });

  it('a packed .mcpb is read through the strict archive reader and gives the same draft as its source directory', async () => {
    const { path, cleanup } = await tempDir();
    try {
      const bundle = join(path, 'fixture.mcpb');
      // The fixture has no scopes yet (that is what suggest drafts), so pack skips validation.
      await packBundle(join(FIXTURES, 'node-bundle'), bundle, { skipValidation: true });
      const [fromBundle, fromDirectory] = await Promise.all([suggestFromPath(bundle), suggestFromPath(join(FIXTURES, 'node-bundle'))]);
      assert.equal(fromBundle.kind, 'bundle');
      assert.deepEqual(fromBundle.scopes, fromDirectory.scopes);
      assert.deepEqual(fromBundle.reasons, fromDirectory.reasons);
    } finally {
      await cleanup();
    }
  });

  it('CLI: --no-python reports the Python files unknown and asks about them', async () => {
    const result = await runCli(['scopes', 'suggest', '--json', '--no-python', join(FIXTURES, 'python-bundle')]);
    assert.equal(result.status, 0, result.stderr);
    const json = jsonOf(result) as { scopes: { network: { egress: unknown[] } }; questions: Array<{ question: string }>; analysis: { unknowns: Array<{ path: string; reason: string }> } };
    assert.deepEqual(json.analysis.unknowns.map((unknown) => `${unknown.path}:${unknown.reason}`), ['server/main.py:python-unavailable']);
    assert.ok(json.questions.some((question) => question.question.startsWith('server/main.py was not analyzed')));
    assert.deepEqual(json.scopes.network.egress, []);
  });

  it('CLI: scopes suggest --json prints the draft, its reasons and questions; the manifest block is plain scopes', async () => {
    const result = await runCli(['scopes', 'suggest', '--json', join(FIXTURES, 'node-bundle')]);
    assert.equal(result.status, 0, result.stderr);
    const json = jsonOf(result) as { ok: boolean; scopes: { network: { egress: unknown[] } }; manifestBlock: { _meta: Record<string, { scopes: unknown }> }; reasons: Record<string, unknown>; questions: unknown[] };
    assert.equal(json.ok, true);
    assert.deepEqual(json.manifestBlock._meta['dev.mcpseal']?.scopes, json.scopes);
    assert.ok(Object.keys(json.reasons).includes('/network/egress/api.open-meteo.com'));
    assert.ok(json.questions.length > 0);
    const text = await runCli(['scopes', 'suggest', join(FIXTURES, 'node-bundle')]);
    assert.equal(text.status, 0, text.stderr);
    assert.deepEqual(JSON.parse(text.stdout), json.manifestBlock, 'text mode: stdout is exactly the block to paste');
    assert.match(text.stderr, /mcpseal: why:\n/u);
    assert.match(text.stderr, /\/network\/egress\/api\.open-meteo\.com: the code contacts this host \(URL literal\), port 443 \(server\/index\.js:18\)/u);
    assert.match(text.stderr, /mcpseal: questions for the publisher:/u);
  });
});

describe('scopes suggest: the draft validates for generated code', () => {
  // Any UTF-16 text, control characters and lone surrogates included.
  const text = fc.string({ maxLength: 40, unit: 'binary' });
  const line = fc.oneof(
    text.map((value) => `fetch(${JSON.stringify(`https://${value}`)});`),
    fc.tuple(fc.webUrl(), fc.integer({ min: 0, max: 70000 })).map(([url, port]) => `fetch(${JSON.stringify(url.replace(/^(https?:\/\/[^/]+)/u, `$1:${port}`))});`),
    text.map((value) => `process.env[${JSON.stringify(value)}];`),
    fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,20}$/u).map((name) => `process.env.${name};`),
    text.map((value) => `require('fs').writeFileSync(${JSON.stringify(value)}, 'x');`),
    text.map((value) => `require('fs').readFileSync(require('os').homedir() + ${JSON.stringify(`/${value}`)});`),
    text.map((value) => `require('child_process').spawn(${JSON.stringify(value)});`),
    fc.constantFrom('fetch("http://169.254.169.254/latest");', 'fetch("http://[fe80::1]/");', 'fetch("http://[::1]:8080/");', 'fetch("https://EXAMPLE.COM/");', 'process.env.constructor;', 'process.env.__proto__;', 'fetch("https://xn--nxasmq6b.example/");', 'fetch("https://\u3251");', 'fetch("http://224.0.0.1/");'),
    fc.constantFrom('new Worker("./w.js");', 'eval(x);', 'dotenv.config();', 'server.listen(1);', 'await server.server.listRoots();', 'require("./a.node");'),
  );

  it('finding (CI property seed -2043560336): hosts the URL parser folds into refused addresses (https://\u3251 -> 0.0.0.21, 0.0.0.0, multicast) are asked about, never drafted as egress', async () => {
    const code = Buffer.from(['fetch("https://\u3251");', 'fetch("http://0.0.0.0:8080/");', 'fetch("http://224.0.0.1/");', 'fetch("https://api.example.com/");'].join('\n'));
    const report = await analyzeSources([{ path: 'server/index.js', size: code.length, read: async () => code }]);
    const manifest = { ...HARDENED_MANIFEST } as Record<string, unknown>;
    const draft = suggestFromEvidence(manifest, suggestScopes(manifest, { files: new Set(['server/index.js']) }), report);
    assert.deepEqual(draft.scopes.network.egress.map((rule) => rule.host), ['api.example.com']);
    assertDraftValidates(manifest, draft.scopes, new Set(['server/index.js']));
    const asked = JSON.stringify(draft);
    for (const host of ['0.0.0.21', '0.0.0.0', '224.0.0.1']) assert.ok(asked.includes(`the code contacts ${host}, which cannot be declared as egress`), host);
  });

  it('property: any mix of capability calls with arbitrary literals gives a draft that passes validate', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 12 }), async (lines) => {
        const code = Buffer.from(lines.join('\n'));
        const report = await analyzeSources([{ path: 'server/index.js', size: code.length, read: async () => code }]);
        const manifest = { ...HARDENED_MANIFEST } as Record<string, unknown>;
        const draft = suggestFromEvidence(manifest, suggestScopes(manifest, { files: new Set(['server/index.js']) }), report);
        assertDraftValidates(manifest, draft.scopes, new Set(['server/index.js']));
      }),
      { numRuns: 500 },
    );
  });
});
