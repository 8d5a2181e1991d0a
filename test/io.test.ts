// lib/io.ts's reads of regular files: through descriptors (no node:fs/promises), in place for a
// file of at most BLOCKING_READ_MAX bytes and on the thread pool for a larger one.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BLOCKING_READ_MAX, openRegularFile, readBoundedFile, setBlockingReadMax } from '../lib/io.ts';
import { openFileSource } from '../lib/archive/source.ts';
import { SequentialReader } from '../lib/archive/sequential-reader.ts';
import { MCPSealError, isMCPSealError } from '../lib/errors.ts';
import { suiteTempDir } from './helpers/cli.ts';

describe('io: regular files read through descriptors', () => {
  const tmp = suiteTempDir();

  it('reads a file of at most BLOCKING_READ_MAX bytes in place, and a larger one on the thread pool', async () => {
    const small = join(tmp.path, 'small');
    writeFileSync(small, 'abcdef');
    const large = join(tmp.path, 'large');
    writeFileSync(large, 'xyz');
    truncateSync(large, BLOCKING_READ_MAX + 1);
    const buffer = Buffer.alloc(3);
    const inPlace = await openRegularFile(small);
    assert.deepEqual([inPlace.size, inPlace.blocking], [6, true]);
    // In place: the bytes are there when read() returns, before its promise is awaited.
    const reading = inPlace.read(buffer, 0, 3, 2);
    assert.equal(buffer.toString(), 'cde');
    assert.deepEqual(await reading, { bytesRead: 3 });
    await inPlace.close();
    const pooled = await openRegularFile(large);
    assert.deepEqual([pooled.size, pooled.blocking], [BLOCKING_READ_MAX + 1, false]);
    assert.deepEqual(await pooled.read(buffer, 0, 3, 0), { bytesRead: 3 });
    assert.equal(buffer.toString(), 'xyz');
    await pooled.close();
    // A second close does nothing, in either mode.
    await inPlace.close();
    await pooled.close();
  });

  it('setBlockingReadMax: a batch worker reads every file on the thread pool', async () => {
    const file = join(tmp.path, 'tiny');
    writeFileSync(file, 'x');
    setBlockingReadMax(0);
    try {
      const handle = await openRegularFile(file);
      assert.equal(handle.blocking, false);
      await handle.close();
    } finally {
      setBlockingReadMax(BLOCKING_READ_MAX);
    }
    const handle = await openRegularFile(file);
    assert.equal(handle.blocking, true);
    await handle.close();
  });

  it("a finished scan's reader frees its chunk buffers at once: its views are detached, its digest kept", async () => {
    const file = join(tmp.path, 'chunks');
    writeFileSync(file, Buffer.alloc(3 * 128 * 1024, 7));
    const source = await openFileSource(file);
    // Chunks above Buffer.poolSize (64 KiB on Node 24): smaller buffers may be slices of Node's pool and are left to the collector.
    const reader = new SequentialReader(source, { hash: true, chunkSize: 128 * 1024 });
    const copy = await reader.take(192 * 1024);
    const view = reader.chunk;
    assert.ok(view.length > 0);
    await reader.take(192 * 1024);
    await reader.release();
    assert.equal(view.length, 0, 'the chunk buffer was moved out (ArrayBuffer#transfer)');
    assert.deepEqual(copy, Buffer.alloc(192 * 1024, 7), 'what take() returned is the caller\'s own');
    assert.match(reader.digest()!, /^[0-9a-f]{64}$/u);
    await source.close();
  });

  it('a read in place that fails rejects, as one on the pool does', async () => {
    const file = join(tmp.path, 'closed');
    writeFileSync(file, 'data');
    const handle = await openRegularFile(file);
    await handle.close();
    await assert.rejects(handle.read(Buffer.alloc(1), 0, 1, 0), { code: 'EBADF' });
  });

  it('readBoundedFile: the size from the open bounds the read; a FIFO or a directory is refused before any read', async () => {
    const file = join(tmp.path, 'bounded');
    writeFileSync(file, '0123456789');
    const tooLarge = (size: number): MCPSealError => new MCPSealError('USAGE_INVALID_ARGUMENT', `too large: ${size}`);
    assert.equal((await readBoundedFile(file, { max: 10, tooLarge })).toString(), '0123456789');
    await assert.rejects(readBoundedFile(file, { max: 9, tooLarge }), /too large: 10/u);
    const fifo = join(tmp.path, 'fifo');
    execFileSync('mkfifo', [fifo]);
    for (const path of [fifo, tmp.path]) {
      await assert.rejects(readBoundedFile(path, { max: 10, tooLarge }), (error: unknown) => isMCPSealError(error) && error.code === 'IO_READ_FAILED', path);
    }
  });
});
