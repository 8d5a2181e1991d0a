'use strict';
// The entry reader: inflate against the declared sizes and CRC-32, through the real scan (the
// digest path verify and unpack take, with a visitor receiving each checked entry in memory) and
// random-access readEntry, under small limits; and the streaming inflater used for large entries.
// The input is an 8-byte header then the entry's stored bytes, wrapped in an otherwise valid zip,
// so the engine spends its time on the data, not on central-directory rules:
//   byte 0: bit 0 deflate (else stored); bit 1 take the CRC from bytes 4-7 (else the true one);
//           bit 2 a data descriptor; bit 3 a second, valid entry after it; bit 4 the declared size
//           from bytes 1-3 (else the true inflated size); bit 5 the name is a directory
//   bytes 1-3: declared uncompressed size (24-bit LE); bytes 4-7: declared CRC-32.
const { crc32, inflateRawSync } = require('node:zlib');
const { makeTarget, importDist } = require('../instrument.cjs');
const { zip, stored } = require('../zip.cjs');

const LIMITS = { maxEntrySize: 256 * 1024, maxTotalSize: 512 * 1024, maxEntries: 16 };

/** The entry's real content, when it inflates within twice the entry cap; null otherwise. */
function trueContent(method, data) {
  if (method === 0) return data;
  try {
    return inflateRawSync(data, { maxOutputLength: 2 * LIMITS.maxEntrySize });
  } catch {
    return null;
  }
}

function entryOf(buf) {
  const mode = buf[0];
  const method = mode & 1 ? 8 : 0;
  const data = buf.subarray(8);
  const content = trueContent(method, data);
  const size = mode & 16 || content === null ? buf.readUIntLE(1, 3) : content.length;
  const crc = mode & 2 || content === null ? buf.readUInt32LE(4) : crc32(content);
  return { name: mode & 32 ? 'data/' : 'data/payload.bin', method, data, crc, size, descriptor: (mode & 4) !== 0 };
}

async function* piecesOf(data, step) {
  for (let at = 0; at < data.length; at += step) yield data.subarray(at, at + step);
}

module.exports = makeTarget(
  () => importDist({ archive: 'archive/index.js', data: 'archive/entry-data.js' }),
  async ({ archive, data }, buf) => {
    if (buf.length < 8) return;
    const entry = entryOf(buf);
    const entries = buf[0] & 8 ? [entry, stored('z.txt', 'z')] : [entry];
    const opened = await archive.Archive.open(archive.bufferSource(zip(entries)), { limits: LIMITS });
    let held = 0;
    const visitor = {
      content: (_e, bytes) => void (held += bytes.length),
      stream: () => ({ write: (chunk) => void (held += chunk.length), end: () => {} }),
    };
    try {
      await opened.scan({ hash: true, visitor });
    } finally {
      if (held > LIMITS.maxTotalSize) throw new Error(`the scan handed ${held} bytes to its visitor, over maxTotalSize`);
    }
    for (const e of opened.entries) await opened.readEntry(e);
    // The streaming inflater on the same declared entry, in 1 KiB pieces (the scan uses it above 8 MiB).
    let streamed = 0;
    const checked = opened.entries[0];
    await data.inflateStream(checked, piecesOf(entry.data, 1024), { write: (chunk) => void (streamed += chunk.length), end: () => {} });
    if (streamed !== checked.size) throw new Error(`inflateStream ended after ${streamed} bytes of ${checked.size}`);
  },
  { name: 'entry', instrument: ['archive/'], maxInput: 16 * 1024 },
);
