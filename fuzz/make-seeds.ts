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

async function cmsSeeds(): Promise<Buffer[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mcpseal-fuzz-seeds-'));
  try {
    const pki = makeTestPki(dir);
    const seeds: Buffer[] = [];
    for (const [name, credential, extra] of [['leaf', pki.leaf, pki.ca.certPem], ['self', pki.selfSigned, undefined]] as const) {
      const path = join(dir, `${name}.mcpb`);
      writeFileSync(path, buildBundle());
      await signLegacy(path, { certPem: credential.certPem, keyPem: credential.keyPem, ...(extra === undefined ? {} : { intermediatesPem: [extra] }) });
      const file = readFileSync(path);
      const { derOffset, derLength } = blockParts(file);
      seeds.push(file.subarray(derOffset, derOffset + derLength));
    }
    return seeds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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

writeSeeds('archive', archiveSeeds());
writeSeeds('cms', await cmsSeeds());
writeSeeds('sigstore', sigstoreSeeds());
writeSeeds('manifest', manifestSeeds());
writeSeeds('policy', policySeeds());
writeSeeds('planted', [Buffer.from('seed')]);
