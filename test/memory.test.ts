// Flat memory (issue 14 item 1): pack, unpack and `inspect --check-data` on a bundle of 256 MB,
// each a real CLI child process, must stay under a peak RSS that is a fraction of the bundle. What
// this asserts is the structure (bytes in flight are bounded, whatever the archive's size), not
// speed: no timing is measured.
//
// The children also run with --max-old-space-size=64: the JS heap cannot hold the bundle's
// entries either. That flag alone would not catch everything (Buffers live outside the JS heap),
// hence the RSS bound, read from getrusage by a preloaded helper (helpers/peak-rss.ts).
//
// Size and speed: 256 MB is large enough that holding the data (or even half of it) breaks the
// bound, and small enough for `npm test`: the data is text that deflate shrinks about 8x quickly
// (a repeated 12 KiB block, within deflate's window, and 4 KiB of fresh hex per 16 KiB), written
// in a second, packed and checked in a few seconds on two cores. The ratio stays far below the
// reader's bomb rule (200:1), so the entries are really deflated, not stored. One entry is larger
// than the whole-entry limit (8 MiB) and takes the streaming paths of the writer and the reader.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BIN, ROOT, tempDir } from './helpers/cli.ts';
import { writeTree } from './helpers/tree.ts';

const MB = 1024 * 1024;
const PERIOD = 16 * 1024;
/** 48 files of 5 MiB (whole entries) and one of 16 MiB (streamed): 256 MiB. */
const FILES = [...Array.from({ length: 48 }, (_, i) => ({ name: `data/part-${String(i).padStart(2, '0')}.txt`, size: 5 * MB })), { name: 'data/large.txt', size: 16 * MB }];
const TOTAL = FILES.reduce((sum, file) => sum + file.size, 0);
/**
 * Peak RSS allowed for each command: far under the bundle's 268 MB, so that holding its data
 * fails; the issue's own bar. Measured on Node 24 (x64): pack 104-126 MB, inspect --check-data
 * 97 MB, unpack 102 MB (before the compact entries and central directory: 125, 122, 135 MB under
 * a 160 MB bound).
 */
const RSS_LIMIT = 150 * 1000 * 1000;
/**
 * JS heap kept per entry of an open archive and per file of a pack listing (entries of a
 * node_modules-like tree): what made peak RSS grow from 20,000 to 40,000 entries. Measured:
 * 75 and 140 bytes; before the entry table, the compact name index and the source files whose
 * path is joined on demand: 302 and 228 bytes.
 */
const HEAP_PER_ENTRY_LIMIT = 150;
const HEAP_PER_LISTED_FILE_LIMIT = 190;
const HEAP_ENTRIES = 20_000;
const HEAP_FLAG = '--max-old-space-size=64';

/** Writes `size` bytes of compressible text, 16 KiB at a time from one reused buffer. */
function writeCompressible(path: string, size: number): void {
  const block = Buffer.from('export function handler(request, response) { return response.json({ ok: true, items: request.items }); }\n'.repeat(120)).subarray(0, 12 * 1024);
  const period = Buffer.alloc(PERIOD);
  block.copy(period, 0);
  const fd = openSync(path, 'w');
  try {
    for (let at = 0; at < size; at += PERIOD) {
      period.write(randomBytes(2048).toString('hex'), block.length, 'latin1');
      writeSync(fd, period, 0, Math.min(PERIOD, size - at));
    }
  } finally {
    closeSync(fd);
  }
}

/** Runs the CLI with a small JS heap and returns its exit status, stderr and peak RSS in bytes. */
function runMeasured(args: string[], rssFile: string): Promise<{ status: number; stderr: string; peakRss: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HEAP_FLAG, '--import', join(ROOT, 'test', 'helpers', 'peak-rss.ts'), BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, MCPSEAL_TEST_RSS_FILE: rssFile },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const err: Buffer[] = [];
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ status: code ?? -1, stderr: Buffer.concat(err).toString('utf8'), peakRss: Number(readFileSync(rssFile, 'utf8')) });
    });
  });
}

describe('flat memory in the number of entries (issue 14 item 1)', function () {
  this.timeout(120_000);

  it(`an open archive keeps under ${HEAP_PER_ENTRY_LIMIT} bytes of JS heap per entry, a pack listing under ${HEAP_PER_LISTED_FILE_LIMIT} per file (${HEAP_ENTRIES} entries)`, async () => {
    const tmp = await tempDir();
    try {
      const child = spawnSync(process.execPath, ['--expose-gc', join(ROOT, 'test', 'helpers', 'entry-heap.ts'), String(HEAP_ENTRIES), join(tmp.path, 'tree')], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(child.status, 0, child.stderr);
      const measured = JSON.parse(child.stdout) as { archivePerEntry: number; listingPerFile: number };
      assert.ok(measured.archivePerEntry < HEAP_PER_ENTRY_LIMIT, `${measured.archivePerEntry.toFixed(0)} bytes of heap per archive entry`);
      assert.ok(measured.listingPerFile < HEAP_PER_LISTED_FILE_LIMIT, `${measured.listingPerFile.toFixed(0)} bytes of heap per listed file`);
    } finally {
      await tmp.cleanup();
    }
  });
});

/**
 * JS heap kept per attested entry by what a signed unpack holds through its pass (the provenance
 * view of a statement listing every entry, its tree dropped): measured 280 bytes; 360 when the
 * view copied every digest (`toLowerCase` copies a lower-case string too).
 */
const HEAP_PER_ATTESTED_ENTRY_LIMIT = 320;

describe('flat memory in the number of attested entries (issue 14 item 1)', function () {
  this.timeout(120_000);

  it(`the provenance of a ${HEAP_ENTRIES}-entry attestation keeps under ${HEAP_PER_ATTESTED_ENTRY_LIMIT} bytes of JS heap per entry (the statement's digests, not copies)`, () => {
    const child = spawnSync(process.execPath, ['--expose-gc', join(ROOT, 'test', 'helpers', 'attestation-heap.ts'), String(HEAP_ENTRIES)], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    const measured = JSON.parse(child.stdout) as { perEntry: number };
    assert.ok(measured.perEntry < HEAP_PER_ATTESTED_ENTRY_LIMIT, `${measured.perEntry.toFixed(0)} bytes of heap per attested entry`);
  });
});

/**
 * What verify and unpack keep per attested entry now (the sidecar's payload decoded from its bytes,
 * the entry list read in slices into a digest per archive row): measured 36 bytes besides the
 * payload, where the provenance alone kept 280 (above). And what is built at once: the longest
 * text JSON.parse is given, measured 66 KB (a 64 KiB slice), where the whole statement (2.9 MB for
 * 20,000 entries) and the whole sidecar (3.9 MB) were parsed at once.
 */
const KEPT_PER_STREAMED_ENTRY_LIMIT = 64;
const LARGEST_PARSE_LIMIT = 128 * 1024;

describe('flat memory in the number of attested entries, as verify and unpack read them (issue 14 item 1)', function () {
  this.timeout(120_000);

  it(`a ${HEAP_ENTRIES}-entry attestation keeps under ${KEPT_PER_STREAMED_ENTRY_LIMIT} bytes per entry besides its payload, and nothing over ${LARGEST_PARSE_LIMIT / 1024} KiB is parsed at once`, () => {
    const child = spawnSync(process.execPath, ['--expose-gc', join(ROOT, 'test', 'helpers', 'attestation-stream-heap.ts'), String(HEAP_ENTRIES)], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    const measured = JSON.parse(child.stdout) as { perEntry: number; largestParse: number };
    assert.ok(measured.perEntry < KEPT_PER_STREAMED_ENTRY_LIMIT, `${measured.perEntry.toFixed(0)} bytes kept per attested entry`);
    assert.ok(measured.largestParse < LARGEST_PARSE_LIMIT, `a text of ${measured.largestParse} characters parsed at once`);
  });
});

describe('flat memory on a 256 MB bundle (issue 14 item 1)', function () {
  this.timeout(600_000);
  let tmp: { path: string; cleanup: () => Promise<void> };
  let src: string;
  let bundle: string;

  before(async () => {
    tmp = await tempDir();
    src = join(tmp.path, 'src');
    bundle = join(tmp.path, 'big.mcpb');
    await writeTree(src, { 'server/index.js': { data: '#!/usr/bin/env node\nconsole.log("hi");\n', mode: 0o755 } });
    await mkdir(join(src, 'data'));
    for (const file of FILES) writeCompressible(join(src, file.name), file.size);
  });

  after(async () => {
    await tmp.cleanup();
  });

  it('pack holds a bounded number of bytes in flight: peak RSS under 150 MB with a 64 MB JS heap', async () => {
    const result = await runMeasured(['pack', src, bundle], join(tmp.path, 'pack.rss'));
    assert.equal(result.status, 0, result.stderr);
    const packed = statSync(bundle).size;
    // Really deflated (not stored): the archive is a fraction of the data.
    assert.ok(packed < TOTAL / 4, `archive of ${packed} bytes for ${TOTAL} bytes of text`);
    assert.ok(result.peakRss < RSS_LIMIT, `pack peaked at ${(result.peakRss / 1e6).toFixed(0)} MB`);
  });

  it('inspect --check-data inflates every entry with a bounded window: peak RSS under 150 MB', async () => {
    const result = await runMeasured(['inspect', bundle, '--check-data'], join(tmp.path, 'check.rss'));
    assert.equal(result.status, 0, result.stderr);
    assert.ok(result.peakRss < RSS_LIMIT, `inspect --check-data peaked at ${(result.peakRss / 1e6).toFixed(0)} MB`);
  });

  it('unpack writes as it inflates: peak RSS under 150 MB, and every byte arrives', async () => {
    const out = join(tmp.path, 'out');
    const result = await runMeasured(['unpack', bundle, out, '--allow-unsigned'], join(tmp.path, 'unpack.rss'));
    assert.equal(result.status, 0, result.stderr);
    assert.ok(result.peakRss < RSS_LIMIT, `unpack peaked at ${(result.peakRss / 1e6).toFixed(0)} MB`);
    assert.deepEqual((await readdir(join(out, 'data'))).sort(), FILES.map((file) => file.name.slice('data/'.length)).sort());
    for (const file of FILES) assert.equal(statSync(join(out, file.name)).size, file.size, file.name);
    // Content, not only sizes: the streamed entry and one whole entry, byte for byte.
    for (const name of ['data/large.txt', 'data/part-07.txt']) assert.ok(readFileSync(join(out, name)).equals(readFileSync(join(src, name))), name);
  });
});
