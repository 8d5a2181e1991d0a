// What the CLI writes: one JSON error shape on every failure path, and no terminal control or
// invisible format character from a bundle reaching the terminal raw (issue 9 finding 11).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { MCPSealError } from '../lib/errors.ts';
import { Output, terminalSafe } from '../lib/cli/output.ts';
import { HARDENED_MANIFEST } from './helpers/manifest.ts';
import { BIN, ROOT, jsonOf, runCli, tempDir, type CliResult } from './helpers/cli.ts';
import { SERVER_SOURCE, buildZip } from './helpers/zip-builder.ts';

/** Sequences a hostile manifest string can carry, each a different way to act on a terminal or a reader. */
const HOSTILE = {
  osc52: '\u001b]52;c;ZWNobyBwd25lZA==\u0007', // OSC 52: set the clipboard (BEL-terminated)
  erase: '\u001b[2K\r', // CSI 2K + CR: erase the line the reviewer reads, write over it
  c1: '\u009b2K\u009d0;title\u009c', // 8-bit CSI, OSC and ST (C1 controls)
  bidi: '\u202etxt.exe\u202c\u2066x\u2069', // RLO ... PDF, LRI ... PDI: displayed reordered
  invisible: '\u200b\u200d\ufeff\u{e0041}', // zero-width space and joiner, BOM, a tag character
  del: '\u007f',
};
const HOSTILE_TEXT = Object.values(HOSTILE).join('');

/** Anything but LF (which ends our own lines) that a terminal acts on or a reader cannot see. */
const RAW_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|\udb40[\udc00-\udc7f]/u;

function assertTerminalSafe(result: CliResult, context: string): void {
  for (const [name, text] of [['stdout', result.stdout], ['stderr', result.stderr]] as const) {
    const found = RAW_UNSAFE.exec(text);
    assert.equal(found, null, `${context}: raw U+${found?.[0].codePointAt(0)?.toString(16).padStart(4, '0')} on ${name}:\n${JSON.stringify(text)}`);
  }
}

/** A manifest that passes the compat profile with every hostile sequence in its shown strings. */
function hostileManifest(): Record<string, unknown> {
  const manifest = structuredClone(HARDENED_MANIFEST) as Record<string, any>;
  manifest['name'] = `name${HOSTILE_TEXT}`;
  manifest['display_name'] = `Display ${HOSTILE.osc52}${HOSTILE.erase}`;
  manifest['version'] = `1.0.0${HOSTILE.c1}`;
  manifest['description'] = `description${HOSTILE_TEXT}`;
  manifest['server']['mcp_config']['args'].push(`--flag=${HOSTILE.erase}${HOSTILE.bidi}`);
  return manifest;
}

function memoryStreams(): { stdout: PassThrough; stderr: PassThrough; text: () => { stdout: string; stderr: string } } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  return { stdout, stderr, text: () => ({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }) };
}

describe('cli output', function () {
  this.timeout(60_000);

  describe('terminalSafe', () => {
    it('escapes C0, DEL, C1, bidi, zero-width, BOM, tag characters and line separators as \\uXXXX', () => {
      const cases: [string, string][] = [
        ['\u001b]52;c;x\u0007', '\\u001b]52;c;x\\u0007'],
        ['a\r\nb\tc', 'a\\u000d\\u000ab\\u0009c'],
        ['\u007f\u0085\u009b\u009d', '\\u007f\\u0085\\u009b\\u009d'],
        ['\u202eexe\u202c \u2066x\u2069', '\\u202eexe\\u202c \\u2066x\\u2069'],
        ['\u200b\u200c\u200d\u200e\u200f\ufeff\u00ad', '\\u200b\\u200c\\u200d\\u200e\\u200f\\ufeff\\u00ad'],
        ['\u{e0041}', '\\udb40\\udc41'],
        ['\u2028\u2029', '\\u2028\\u2029'],
      ];
      for (const [input, expected] of cases) assert.equal(terminalSafe(input), expected, JSON.stringify(input));
    });

    it('leaves printable text alone, including non-ASCII letters, symbols and emoji', () => {
      for (const text of ['hello-mcpseal 1.0.0', 'Grüße, 日本語, עברית', '${__dirname}/server/index.js', 'C:\\path "quoted"', '🔒 ✓']) {
        assert.equal(terminalSafe(text), text);
      }
    });

    it('its escapes keep a JSON document valid and equal to the original value', () => {
      const value = { name: HOSTILE_TEXT, nested: [HOSTILE.c1, HOSTILE.bidi] };
      // Line by line, as Output writes a document: JSON.stringify puts no raw newline in a string.
      const safe = JSON.stringify(value, null, 2).split('\n').map(terminalSafe).join('\n');
      assert.equal(RAW_UNSAFE.exec(safe), null);
      assert.deepEqual(JSON.parse(safe), value);
    });
  });

  describe('the one JSON error shape', () => {
    it('a failure no rule explains: INTERNAL_ERROR, exit 2, { ok: false, error: { code, message, details } }, escaped', () => {
      const streams = memoryStreams();
      const status = new Output({ ...streams, env: {} }, true).error(new Error(`boom${HOSTILE.erase}`));
      assert.equal(status, 2);
      const { stdout, stderr } = streams.text();
      assert.deepEqual(JSON.parse(stdout), { ok: false, error: { code: 'INTERNAL_ERROR', message: `unexpected failure (please report it): boom${HOSTILE.erase}`, details: {} } });
      assert.match(stderr, /^mcpseal: INTERNAL_ERROR: unexpected failure \(please report it\): boom\\u001b\[2K\\u000d\n$/u);
      assert.equal(RAW_UNSAFE.exec(stdout + stderr), null);
    });

    it('details are nested under error.details, never spread beside code and message', () => {
      const streams = memoryStreams();
      const error = new MCPSealError('ARCHIVE_CRC_MISMATCH', 'bad', { details: { entry: 'a', expected: '1', found: '2', code: 'NOT_THE_CODE' } });
      assert.equal(new Output({ ...streams, env: {} }, true).error(error), 1);
      assert.deepEqual(JSON.parse(streams.text().stdout), {
        ok: false,
        error: { code: 'ARCHIVE_CRC_MISMATCH', message: 'bad', details: { entry: 'a', expected: '1', found: '2', code: 'NOT_THE_CODE' } },
      });
    });

    it('a usage error from argument parsing, a rejection and an I/O error print the same shape (real CLI)', async () => {
      const tmp = await tempDir();
      try {
        const bundle = join(tmp.path, 'two.mcpb');
        await writeFile(bundle, buildZip([{ name: 'manifest.json', data: JSON.stringify(HARDENED_MANIFEST) }, { name: 'server/index.js', data: SERVER_SOURCE }]));
        const usage = await runCli(['inspect', '--no-such-flag', '--json']);
        const rejected = await runCli(['inspect', bundle, '--max-entries', '1', '--json']);
        const missing = await runCli(['inspect', join(tmp.path, 'missing.mcpb'), '--json']);
        for (const [result, code, status] of [
          [usage, 'USAGE_INVALID_ARGUMENT', 2],
          [rejected, 'ARCHIVE_TOO_MANY_ENTRIES', 1],
          [missing, 'IO_NOT_FOUND', 2],
        ] as const) {
          assert.equal(result.status, status, result.stderr);
          const document = jsonOf(result);
          assert.deepEqual(Object.keys(document), ['ok', 'error']);
          assert.equal(document['ok'], false);
          const error = document['error'] as Record<string, unknown>;
          assert.deepEqual(Object.keys(error), ['code', 'message', 'details']);
          assert.equal(error['code'], code);
          assert.equal(typeof error['details'], 'object');
          assert.match(result.stderr, new RegExp(`^mcpseal: ${code}: `, 'u'));
        }
        assert.equal((jsonOf(rejected)['error'] as { details: Record<string, unknown> }).details['limit'], 'maxEntries');
        assert.equal((jsonOf(missing)['error'] as { details: Record<string, unknown> }).details['path'], join(tmp.path, 'missing.mcpb'));
      } finally {
        await tmp.cleanup();
      }
    });

    it('the launcher refuses an unsupported Node with USAGE_UNSUPPORTED_RUNTIME, exit 2, in the same JSON shape', async () => {
      // The real launcher on this Node, with process.versions.node made to read 20.1.0 first.
      const fake = 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.1.0"})';
      const run = (args: string[]): Promise<CliResult> =>
        new Promise((resolve, reject) => {
          const child = spawn(process.execPath, ['--import', fake, BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
          child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
          child.on('error', reject);
          child.on('close', (status) => resolve({ status: status ?? -1, stdout, stderr }));
        });
      const json = await run(['inspect', 'x.mcpb', '--json']);
      assert.equal(json.status, 2);
      assert.deepEqual(jsonOf(json), {
        ok: false,
        error: {
          code: 'USAGE_UNSUPPORTED_RUNTIME',
          message: "Node 20.1.0 is not supported; mcpseal needs Node ^22.22.2 or >=24.15: install Node 24 (https://nodejs.org), or run with npx -y -p node@24 -c 'mcpseal ...'",
          details: { expected: '^22.22.2 || >=24.15', found: '20.1.0' },
        },
      });
      assert.match(json.stderr, /^mcpseal: USAGE_UNSUPPORTED_RUNTIME: Node 20\.1\.0 is not supported/u);
      const text = await run(['inspect', 'x.mcpb']);
      assert.equal(text.status, 2);
      assert.equal(text.stdout, '', 'without --json, nothing on stdout');
    });
  });

  describe('finding 11: terminal escapes from a bundle never reach the terminal raw', () => {
    let tmp: { path: string; cleanup: () => Promise<void> };
    let bundle: string;
    let manifestPath: string;
    const manifest = hostileManifest();

    before(async () => {
      tmp = await tempDir();
      bundle = join(tmp.path, 'hostile.mcpb');
      manifestPath = join(tmp.path, 'manifest.json');
      await writeFile(manifestPath, JSON.stringify(manifest));
      await writeFile(bundle, buildZip([{ name: 'manifest.json', data: JSON.stringify(manifest) }, { name: 'server/index.js', data: SERVER_SOURCE }]));
    });
    after(() => tmp.cleanup());

    it('finding 11: inspect shows the name, version and command line escaped (text), and exact after JSON.parse (--json)', async () => {
      const text = await runCli(['inspect', bundle]);
      assert.equal(text.status, 0, text.stderr);
      assertTerminalSafe(text, 'inspect');
      assert.match(text.stdout, /^name: +name\\u001b\]52;c;ZWNobyBwd25lZA==\\u0007\\u001b\[2K\\u000d\\u009b2K/mu);
      assert.match(text.stdout, /^version: +1\.0\.0\\u009b2K\\u009d0;title\\u009c$/mu);
      assert.match(text.stdout, /^command line: .*--flag=\\u001b\[2K\\u000d\\u202etxt\.exe\\u202c/mu);

      const json = await runCli(['inspect', bundle, '--json']);
      assert.equal(json.status, 0, json.stderr);
      assertTerminalSafe(json, 'inspect --json');
      const shown = jsonOf(json)['manifest'] as Record<string, unknown>;
      assert.equal(shown['name'], manifest['name'], 'the escapes are JSON escapes: the parsed value is the manifest string');
      assert.equal(shown['version'], manifest['version']);
    });

    it('finding 11: validate --profile compat (text and --json) and its stderr error line', async () => {
      // An unknown top-level key and a bad user_config key put hostile text into the findings'
      // pointers and messages, and into the MANIFEST_INVALID line on stderr.
      const keyed = { ...manifest, [`extra${HOSTILE.osc52}${HOSTILE.c1}`]: true };
      const path = join(tmp.path, 'keyed.json');
      await writeFile(path, JSON.stringify(keyed));
      for (const args of [['validate', path, '--profile', 'compat'], ['validate', path, '--profile', 'compat', '--json'], ['validate', path]]) {
        const result = await runCli(args);
        assert.equal(result.status, 1, result.stderr);
        assertTerminalSafe(result, args.join(' '));
        assert.match(result.stderr, /^mcpseal: MANIFEST_INVALID: .*\/extra\\u001b\]52;c;ZWNobyBwd25lZA==\\u0007\\u009b2K/u);
      }
      const valid = await runCli(['validate', manifestPath, '--profile', 'compat', '--json']);
      assert.equal(valid.status, 0, valid.stderr);
      assertTerminalSafe(valid, 'validate --json');
    });

    it('finding 11: verify (text and --json) prints the signed manifest strings escaped', async () => {
      const made = await runCli(['keygen', '--out-dir', tmp.path, '--name', 'k']);
      assert.equal(made.status, 0, made.stderr);
      const signed = await runCli(['sign', bundle, '--key', join(tmp.path, 'k.key'), '--profile', 'compat']);
      assert.equal(signed.status, 0, signed.stderr);
      assertTerminalSafe(signed, 'sign');
      for (const args of [[], ['--json']]) {
        const verified = await runCli(['verify', bundle, '--key', join(tmp.path, 'k.pub'), '--profile', 'compat', ...args]);
        assert.equal(verified.status, 0, verified.stderr);
        assertTerminalSafe(verified, `verify ${args.join(' ')}`);
        if (args.length === 0) assert.match(verified.stdout, /^manifest: +name\\u001b\]52;c;/mu);
        else assert.equal((jsonOf(verified)['manifest'] as Record<string, unknown>)['name'], manifest['name']);
      }
    });
  });
});
