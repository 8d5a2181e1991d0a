// Where archive bytes come from. The reader only ever sees this interface, so the bytes that are
// verified and the bytes that are extracted come from one open handle (DESIGN.md, pipeline step 1).

import { MCPSealError } from '../errors.ts';
import { openRegularFile } from '../io.ts';

/** What a file source reads through: a FileHandle of node:fs/promises, or io.ts's RegularFile. */
export interface ReadableHandle {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

export interface ByteSource {
  /** Size of the whole input in bytes, fixed when the source was opened. */
  readonly size: number;
  /**
   * Reads exactly `length` bytes at `position`; a short read is an error. With `into`, the bytes
   * may be read into that buffer (which the result then views) to spare an allocation.
   */
  read(position: number, length: number, into?: Buffer): Promise<Buffer>;
  close(): Promise<void>;
}

/** A source over bytes already in memory. */
export function bufferSource(bytes: Uint8Array): ByteSource {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    size: buffer.length,
    async read(position, length) {
      if (position < 0 || position + length > buffer.length) {
        throw new MCPSealError('ARCHIVE_OUT_OF_BOUNDS', `read of ${length} bytes at ${position} is outside the archive`, {
          details: { offset: position },
        });
      }
      return buffer.subarray(position, position + length);
    },
    async close() {},
  };
}

/** A source over an open file handle; the size is taken once, at open. */
export async function fileHandleSource(handle: ReadableHandle, options: { closeHandle?: boolean } = {}): Promise<ByteSource> {
  return sourceOver(handle, (await handle.stat()).size, options.closeHandle === true);
}

/** A source over `handle` whose size is `size`. */
function sourceOver(handle: ReadableHandle, size: number, closeHandle: boolean): ByteSource {
  return {
    size,
    async read(position, length, into) {
      if (position < 0 || position + length > size) {
        throw new MCPSealError('ARCHIVE_OUT_OF_BOUNDS', `read of ${length} bytes at ${position} is outside the archive`, {
          details: { offset: position },
        });
      }
      const buffer = into && into.length >= length ? into.subarray(0, length) : Buffer.allocUnsafe(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
        if (bytesRead === 0) {
          // The file shrank after we measured it: what we would verify is no longer what is there.
          throw new MCPSealError('ARCHIVE_CHANGED_DURING_READ', 'the file became shorter while it was being read', {
            details: { offset: position + filled },
          });
        }
        filled += bytesRead;
      }
      return buffer;
    },
    async close() {
      if (closeHandle) await handle.close();
    },
  };
}

/** Opens a regular file read-only as a source that owns (and closes) its handle. */
export async function openFileSource(path: string): Promise<ByteSource> {
  // Sized by the open's own check (the type is checked on the descriptor): no second fstat.
  const handle = await openRegularFile(path);
  return sourceOver(handle, handle.size, true);
}
