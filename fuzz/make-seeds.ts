// Writes the seed corpus under fuzz/corpus/<target>/ from the test helpers and fixtures:
// `node fuzz/make-seeds.ts` (after `npm run build` is not needed: this imports lib/ sources).
// Seeds are small valid inputs plus hostile cases, so the engine starts deep in each parser.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFLATE, buildBundle, buildZip, signatureBlock } from '../test/helpers/zip-builder.ts';
import { HOSTILE_CASES } from '../test/helpers/hostile-cases.ts';
import { blockParts, makeTestPki } from '../test/helpers/legacy.ts';
import { signLegacy } from '../lib/legacy/sign.ts';
import { createRequire } from 'node:module';
import { crc32, deflateRawSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const { fixedBundle } = require('./zip.cjs') as { fixedBundle: (commentLength?: number) => Buffer };

const ROOT = join(import.meta.dirname, '..');
const CORPUS = join(ROOT, 'fuzz', 'corpus');
const MAX_SEED = 64 * 1024;

function writeSeeds(target: string, seeds: Buffer[]): void {
  const dir = join(CORPUS, target);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let written = 0;
  for (const seed of seeds) {
    if (seed.length > MAX_SEED) continue;
    writeFileSync(join(dir, createHash('sha256').update(seed).digest('hex').slice(0, 16)), seed);
    written += 1;
  }
  console.log(`${target}: ${written} seeds`);
}

function archiveSeeds(): Buffer[] {
  const valid = [
    buildBundle(),
    buildBundle([{ name: 'server/lib/util.js', data: 'export const x = 1;\n'.repeat(20), method: DEFLATE }]),
    buildZip([{ name: 'a/' }, { name: 'a/b.txt', data: 'b' }]),
    Buffer.concat([buildBundle(), signatureBlock()]),
  ];
  const hostile = HOSTILE_CASES.map((c) => {
    try {
      return c.build();
    } catch {
      return Buffer.alloc(0);
    }
  }).filter((b) => b.length > 0 && b.length <= MAX_SEED);
  return [...valid, ...hostile.slice(0, 40)];
}

/**
 * Signs fuzz/zip.cjs's fixed bundle with a fresh test PKI (a CA-issued leaf sent with its CA, a
 * leaf under an intermediate, a self-signed signer): the DER of each block seeds `cms`; the tail
 * from the end record's comment length on seeds `legacy`, which verifies against the CA written to
 * fuzz/corpus-support/legacy.json at the signing time written there.
 */
async function legacySeeds(): Promise<{ cms: Buffer[]; legacy: Buffer[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'mcpseal-fuzz-seeds-'));
  try {
    const pki = makeTestPki(dir);
    // After every certificate's notBefore (whole seconds, as the signed attribute holds).
    const signingTime = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000);
    const cms: Buffer[] = [];
    const legacy: Buffer[] = [];
    const signers = [
      ['leaf', pki.leaf, [pki.ca.certPem]],
      ['intermediate', pki.intermediateLeaf, [pki.intermediate.certPem]],
      ['self', pki.selfSigned, []],
    ] as const;
    for (const [name, credential, intermediatesPem] of signers) {
      const path = join(dir, `${name}.mcpb`);
      writeFileSync(path, fixedBundle());
      await signLegacy(path, { certPem: credential.certPem, keyPem: credential.keyPem, intermediatesPem, now: signingTime });
      const file = readFileSync(path);
      const { derOffset, derLength, commentLengthOffset } = blockParts(file);
      cms.push(file.subarray(derOffset, derOffset + derLength));
      legacy.push(file.subarray(commentLengthOffset));
    }
    legacy.push(Buffer.from([0, 0]));
    mkdirSync(join(ROOT, 'fuzz', 'corpus-support'), { recursive: true });
    const support = { anchor: pki.ca.certPem, now: new Date(signingTime.getTime() + 60_000).toISOString() };
    writeFileSync(join(ROOT, 'fuzz', 'corpus-support', 'legacy.json'), `${JSON.stringify(support, null, 2)}\n`);
    return { cms, legacy };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The entry target's 8-byte header (see fuzz/targets/entry.cjs) then the stored bytes. */
function entrySeed(mode: number, data: Buffer, size = 0, crc = 0): Buffer {
  const header = Buffer.alloc(8);
  header[0] = mode;
  header.writeUIntLE(size, 1, 3);
  header.writeUInt32LE(crc >>> 0, 4);
  return Buffer.concat([header, data]);
}

function entrySeeds(): Buffer[] {
  const text = Buffer.from('export const greeting = "hello";\n'.repeat(40));
  const deflated = deflateRawSync(text);
  const zeros = deflateRawSync(Buffer.alloc(200_000));
  return [
    entrySeed(0, text),
    entrySeed(1, deflated),
    entrySeed(1 | 4, deflated),
    entrySeed(1 | 8, deflated),
    entrySeed(1 | 2 | 16, deflated, text.length, crc32(text)),
    entrySeed(1 | 16, deflated, text.length - 1),
    entrySeed(1, zeros),
    entrySeed(1 | 16, zeros, 1000),
    entrySeed(32, Buffer.alloc(0)),
    entrySeed(1 | 32, Buffer.from([3, 0])),
    entrySeed(1, Buffer.from([3, 0])),
  ];
}

/** NUL-separated entry names for the name target: real bundle paths and the hostile shapes of the tests. */
function nameSeeds(): Buffer[] {
  const sets = [
    ['manifest.json', 'server/index.js', 'server/lib/', 'server/lib/util.js', 'node_modules/a/package.json'],
    ['../evil', 'a/../../b', '/etc/passwd', 'C:/x', 'a\\b', 'a//b', './a', 'a/./b'],
    ['CON', 'nul.txt', 'a.', 'b ', 'PROGRA~1', 'x:stream', 'a\u200bb.js', 'e\u0301.js', '\u00e9.js'],
    ['Lib/a.js', 'lib/b.js', 'x', 'X/y.js', 'stra\u00dfe', 'STRASSE'],
    ['a/'.repeat(20) + 'f', 'x'.repeat(300)],
  ];
  return sets.map((names) => Buffer.from(names.join('\0'), 'utf8'));
}

function sigstoreSeeds(): Buffer[] {
  const base = join(ROOT, 'test', 'fixtures', 'sigstore-conformance', 'bundle-verify');
  const seeds: Buffer[] = [];
  for (const name of readdirSync(base).sort()) {
    const file = join(base, name, 'bundle.sigstore.json');
    if (existsSync(file)) seeds.push(readFileSync(file));
  }
  return seeds.filter((b) => b.length <= 16 * 1024).slice(0, 24);
}

function manifestSeeds(): Buffer[] {
  const official = join(ROOT, 'test', 'fixtures', 'mcpb-official');
  return [
    readFileSync(join(ROOT, 'examples', 'hello-bundle', 'manifest.json')),
    ...readdirSync(official).filter((n) => n.endsWith('.json')).sort().map((n) => readFileSync(join(official, n))),
  ];
}

function policySeeds(): Buffer[] {
  const dir = join(ROOT, 'examples', 'policies');
  return readdirSync(dir).filter((n) => n.endsWith('.json')).sort().map((n) => readFileSync(join(dir, n)));
}

const signed = await legacySeeds();
writeSeeds('archive', archiveSeeds());
writeSeeds('central-directory', archiveSeeds());
writeSeeds('entry', entrySeeds());
writeSeeds('names', nameSeeds());
writeSeeds('legacy', signed.legacy);
writeSeeds('cms', signed.cms);
writeSeeds('sigstore', sigstoreSeeds());
writeSeeds('manifest', manifestSeeds());
writeSeeds('policy', policySeeds());
writeSeeds('planted', [Buffer.from('seed')]);
