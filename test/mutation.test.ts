// Issue 14's bar beyond the fuzz corpora: mutated archives and sidecars produce coded errors only.
// A seeded mutator (bit flips, interesting values written over the zip's own length and offset
// fields, truncation, splices within and across files, and for the sidecar JSON values swapped for
// other types) turns real signed bundles, a legacy-signed bundle and a Sigstore sidecar into a few
// thousand hostile files; each goes through the library's verify, inspect and unpack. Whatever
// happens must be a result or an MCPSealError, and a failed unpack must leave nothing behind
// (no target directory, no temporary file beside it). The seeds are fixed: a failure names its
// case, and `MUTATION_SEED=<n>` reruns the suite with other mutants.

import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { inspectBundle, isMCPSealError, unpackBundle, verifyBundle } from '../lib/index.ts';
import { tempDir } from './helpers/cli.ts';
import { makeSigner, signedBundle } from './helpers/install.ts';
import { DEFLATE, buildBundle } from './helpers/zip-builder.ts';
import { mulberry32 } from '../bench/synth.ts';

const require = createRequire(import.meta.url);
const { fixedBundle } = require('../fuzz/zip.cjs') as { fixedBundle: (commentLength?: number) => Buffer };

const BASE_SEED = Number(process.env['MUTATION_SEED'] ?? 14);
const ARCHIVE_CASES = 1200;
const SIDECAR_CASES = 500;

/** mulberry32 (bench/synth.ts) as floats in [0, 1): the same sequence on every machine. */
function random(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() / 4294967296;
}

const INTERESTING_32 = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
const ZIP_SIGNATURES = [0x04034b50, 0x02014b50, 0x06054b50, 0x06064b50, 0x07064b50, 0x08074b50];

/** Offsets just after each zip record signature: where lengths, counts and offsets live. */
function recordFields(bytes: Buffer): number[] {
  const at: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i++) {
    if (ZIP_SIGNATURES.includes(bytes.readUInt32LE(i))) at.push(i + 4);
  }
  return at;
}

type Mutator = (bytes: Buffer, rand: () => number, other: Buffer) => Buffer;
const pick = <T>(items: readonly T[], rand: () => number): T => items[Math.floor(rand() * items.length)]!;
const offsetIn = (bytes: Buffer, rand: () => number): number => Math.floor(rand() * bytes.length);

const BYTE_MUTATORS: Record<string, Mutator> = {
  'flip bits': (bytes, rand) => {
    const out = Buffer.from(bytes);
    for (let n = 1 + Math.floor(rand() * 8); n > 0; n--) out[offsetIn(out, rand)]! ^= 1 << Math.floor(rand() * 8);
    return out;
  },
  'interesting value in a record field': (bytes, rand) => {
    const out = Buffer.from(bytes);
    const fields = recordFields(out);
    const at = Math.min(out.length - 4, (fields.length > 0 ? pick(fields, rand) : 0) + Math.floor(rand() * 42));
    if (at >= 0) {
      if (rand() < 0.5) out.writeUInt32LE(pick(INTERESTING_32, rand), at);
      else out.writeUInt16LE(pick(INTERESTING_32, rand) & 0xffff, at);
    }
    return out;
  },
  truncate: (bytes, rand) => bytes.subarray(0, offsetIn(bytes, rand)),
  'cut a range': (bytes, rand) => {
    const at = offsetIn(bytes, rand);
    return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + Math.floor(rand() * 64))]);
  },
  'duplicate a range': (bytes, rand) => {
    const from = offsetIn(bytes, rand);
    const at = offsetIn(bytes, rand);
    return Buffer.concat([bytes.subarray(0, at), bytes.subarray(from, from + 1 + Math.floor(rand() * 128)), bytes.subarray(at)]);
  },
  'insert random bytes': (bytes, rand) => {
    const at = offsetIn(bytes, rand);
    const noise = Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 16) }, () => Math.floor(rand() * 256)));
    return Buffer.concat([bytes.subarray(0, at), noise, bytes.subarray(at)]);
  },
  'splice with another file': (bytes, rand, other) => Buffer.concat([bytes.subarray(0, offsetIn(bytes, rand)), other.subarray(offsetIn(other, rand))]),
};

/** Replaces one value somewhere in the JSON with a value of another type (or removes it). */
function mutateJsonValue(text: Buffer, rand: () => number): Buffer {
  const doc = JSON.parse(text.toString('utf8')) as unknown;
  const holders: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      holders.push({ parent: value as Record<string, unknown>, key: Array.isArray(value) ? Number(key) : key });
      walk(child);
    }
  };
  walk(doc);
  const { parent, key } = pick(holders, rand);
  const replacements: unknown[] = [null, 0, -1, 1e308, '', 'x'.repeat(5000), 'AAAA', [], [{}], {}, true, { mediaType: 1 }];
  if (rand() < 0.2 && !Array.isArray(parent)) delete parent[key as string];
  else (parent as Record<string | number, unknown>)[key] = pick(replacements, rand);
  return Buffer.from(JSON.stringify(doc));
}

const SIDECAR_MUTATORS: Record<string, Mutator> = {
  ...BYTE_MUTATORS,
  'swap a JSON value': (bytes, rand) => mutateJsonValue(bytes, rand),
  'swap two JSON values': (bytes, rand) => mutateJsonValue(mutateJsonValue(bytes, rand), rand),
};

/** Runs `call`; anything thrown must be an MCPSealError. */
async function codedOnly(what: string, call: () => Promise<unknown>): Promise<'ok' | string> {
  try {
    await call();
    return 'ok';
  } catch (error) {
    if (!isMCPSealError(error)) assert.fail(`${what}: a non-MCPSealError escaped: ${(error as Error)?.stack ?? String(error)}`);
    return error.code;
  }
}

describe('mutated archives and sidecars give coded errors only (issue 14)', function () {
  this.timeout(240_000);
  let dir: { path: string; cleanup: () => Promise<void> };
  let publicKey: string;
  const archives: { name: string; bytes: Buffer }[] = [];
  let signedPath: string;
  let sidecar: Buffer;

  before(async function () {
    dir = await tempDir('mcpseal-mutation-');
    const signer = await makeSigner(dir.path);
    publicKey = await readFile(signer.publicKeyPath, 'utf8');
    signedPath = await signedBundle(dir.path, signer, { files: { 'server/lib/util.js': 'export const x = 1;\n'.repeat(50) } });
    sidecar = await readFile(`${signedPath}.sigstore.json`);
    const legacySeeds = join(import.meta.dirname, '..', 'fuzz', 'corpus', 'legacy');
    const legacyTail = readdirSync(legacySeeds).map((n) => readFileSync(join(legacySeeds, n))).find((b) => b.length > 1000)!;
    archives.push(
      { name: 'signed bundle', bytes: await readFile(signedPath) },
      { name: 'zip-builder bundle', bytes: buildBundle([{ name: 'server/lib/a.js', data: 'export {};\n'.repeat(30), method: DEFLATE }]) },
      { name: 'legacy-signed bundle', bytes: Buffer.concat([fixedBundle().subarray(0, -2), legacyTail]) },
    );
  });

  after(async function () {
    await dir.cleanup();
  });

  /** unpack into a fresh path; on failure nothing may exist there nor beside it. */
  async function unpackLeavesNothing(label: string, path: string, options: Parameters<typeof unpackBundle>[2]): Promise<string> {
    const parent = join(dir.path, 'out');
    await mkdir(parent, { recursive: true });
    const before = await readdir(parent);
    const target = join(parent, 'bundle');
    const outcome = await codedOnly(`${label}: unpack`, () => unpackBundle(path, target, options));
    if (outcome !== 'ok') assert.deepEqual(await readdir(parent), before, `${label}: a failed unpack left files behind`);
    await rm(target, { recursive: true, force: true });
    return outcome;
  }

  it(`${ARCHIVE_CASES} mutated archives through verify, inspect --check-data and unpack (signed and allowUnsigned)`, async function () {
    const codes = new Map<string, number>();
    const names = Object.keys(BYTE_MUTATORS);
    for (let n = 0; n < ARCHIVE_CASES; n++) {
      const rand = random(BASE_SEED * 1_000_003 + n);
      const base = archives[n % archives.length]!;
      const mutator = names[Math.floor(rand() * names.length)]!;
      const bytes = BYTE_MUTATORS[mutator]!(base.bytes, rand, archives[(n + 1) % archives.length]!.bytes);
      const label = `archive case ${n} (${base.name}, ${mutator}, seed ${BASE_SEED})`;
      const path = join(dir.path, `case-${n % 7}.mcpb`);
      await writeFile(path, bytes);
      if (base.name === 'signed bundle') await writeFile(`${path}.sigstore.json`, sidecar);
      else await rm(`${path}.sigstore.json`, { force: true });
      const outcomes = [
        await codedOnly(`${label}: verify`, () => verifyBundle(path, { publicKey })),
        await codedOnly(`${label}: inspect`, () => inspectBundle(path, { checkData: true })),
        await unpackLeavesNothing(label, path, base.name === 'signed bundle' ? { publicKey } : { allowUnsigned: true }),
      ];
      for (const outcome of outcomes) codes.set(outcome, (codes.get(outcome) ?? 0) + 1);
    }
    if (process.env["MUTATION_VERBOSE"]) console.log(Object.fromEntries(codes));
    // The mutants reach many rules, not one early refusal.
    assert.ok(codes.size >= 15, `only ${codes.size} distinct outcomes: ${[...codes.keys()].join(', ')}`);
  });

  it(`${SIDECAR_CASES} mutated Sigstore sidecars beside an intact bundle through verify and unpack`, async function () {
    const codes = new Map<string, number>();
    const names = Object.keys(SIDECAR_MUTATORS);
    const path = join(dir.path, 'sidecar-case.mcpb');
    await writeFile(path, await readFile(signedPath));
    for (let n = 0; n < SIDECAR_CASES; n++) {
      const rand = random(BASE_SEED * 7_000_003 + n);
      const mutator = names[Math.floor(rand() * names.length)]!;
      const label = `sidecar case ${n} (${mutator}, seed ${BASE_SEED})`;
      let bytes: Buffer;
      try {
        bytes = SIDECAR_MUTATORS[mutator]!(sidecar, rand, sidecar);
      } catch {
        bytes = Buffer.from('{');
      }
      await writeFile(`${path}.sigstore.json`, bytes);
      const outcomes = [
        await codedOnly(`${label}: verify`, () => verifyBundle(path, { publicKey })),
        await unpackLeavesNothing(label, path, { publicKey }),
      ];
      for (const outcome of outcomes) codes.set(outcome, (codes.get(outcome) ?? 0) + 1);
    }
    if (process.env["MUTATION_VERBOSE"]) console.log(Object.fromEntries(codes));
    assert.ok(codes.size >= 4, `only ${codes.size} distinct outcomes: ${[...codes.keys()].join(', ')}`);
  });
});
