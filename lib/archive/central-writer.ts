// The packer's central directory (APPNOTE 4.3.12), encoded record by record as each entry is
// written, into a few large chunks. Keeping an object per entry (its name as a Buffer, sizes,
// CRC, offset) until the end cost about 220 bytes of JS heap per file, which made pack's peak
// RSS grow with the number of files (issue 14); the encoded record is ~90 bytes outside the heap,
// and it is exactly what is written at the end.

import { CENTRAL_HEADER_SIZE, EXTRA_ZIP64, HOST_UNIX, S_IFREG, SIG_CENTRAL } from './format.ts';

/** Version made by: Unix host (APPNOTE 4.4.2), spec version 2.0. */
export const VERSION_MADE_BY = (HOST_UNIX << 8) | 20;
export const VERSION_NEEDED = 20;
/** Version needed for zip64 extensions (APPNOTE 4.4.3.2: 4.5). */
export const VERSION_NEEDED_ZIP64 = 45;

const CHUNK_BYTES = 256 * 1024;

/** What the central directory says about one written entry. */
export interface WrittenEntry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** Where the entry's local header starts. */
  offset: number;
  mode: number;
}

export class CentralDirectoryWriter {
  readonly #time: number;
  readonly #date: number;
  readonly #full: Buffer[] = [];
  #chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES);
  #used = 0;
  #count = 0;
  #size = 0;

  constructor(time: number, date: number) {
    this.#time = time;
    this.#date = date;
  }

  /** Records written so far. */
  get count(): number {
    return this.#count;
  }

  /** Bytes of the directory so far. */
  get size(): number {
    return this.#size;
  }

  /** Encodes one record; a local header offset that does not fit 32 bits goes in a zip64 extra field (4.5.3). */
  add(entry: WrittenEntry): void {
    const nameLength = Buffer.byteLength(entry.name, 'utf8');
    const offsetOverflows = entry.offset >= 0xffffffff;
    const extraLength = offsetOverflows ? 12 : 0;
    const length = CENTRAL_HEADER_SIZE + nameLength + extraLength;
    if (this.#used + length > this.#chunk.length) this.#startChunk(length);
    const record = this.#chunk.subarray(this.#used, this.#used + length);
    record.fill(0, 0, CENTRAL_HEADER_SIZE);
    record.writeUInt32LE(SIG_CENTRAL, 0);
    record.writeUInt16LE(VERSION_MADE_BY, 4);
    record.writeUInt16LE(offsetOverflows ? VERSION_NEEDED_ZIP64 : VERSION_NEEDED, 6);
    record.writeUInt16LE(entry.flags, 8);
    record.writeUInt16LE(entry.method, 10);
    record.writeUInt16LE(this.#time, 12);
    record.writeUInt16LE(this.#date, 14);
    record.writeUInt32LE(entry.crc, 16);
    record.writeUInt32LE(entry.compressedSize, 20);
    record.writeUInt32LE(entry.size, 24);
    record.writeUInt16LE(nameLength, 28);
    record.writeUInt16LE(extraLength, 30);
    record.writeUInt32LE(((S_IFREG | entry.mode) << 16) >>> 0, 38);
    record.writeUInt32LE(offsetOverflows ? 0xffffffff : entry.offset, 42);
    record.write(entry.name, CENTRAL_HEADER_SIZE, 'utf8');
    if (offsetOverflows) {
      const extra = CENTRAL_HEADER_SIZE + nameLength;
      record.writeUInt16LE(EXTRA_ZIP64, extra);
      record.writeUInt16LE(8, extra + 2);
      record.writeBigUInt64LE(BigInt(entry.offset), extra + 4);
    }
    this.#used += length;
    this.#count++;
    this.#size += length;
  }

  /** The encoded directory, in order. */
  chunks(): Buffer[] {
    return [...this.#full, this.#chunk.subarray(0, this.#used)];
  }

  #startChunk(atLeast: number): void {
    this.#full.push(this.#chunk.subarray(0, this.#used));
    this.#chunk = Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, atLeast));
    this.#used = 0;
  }
}
