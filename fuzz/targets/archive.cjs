'use strict';
// The strict zip reader: end records, central directory, every local header, inflate and CRC.
// When the scan accepts the file, what it promised must hold: the sha256 it computed is the
// file's, and every file entry read back by random access has its declared size and CRC-32.
const { createHash } = require('node:crypto');
const { crc32 } = require('node:zlib');
const { makeTarget, importDist } = require('../instrument.cjs');

module.exports = makeTarget(
  () => importDist({ archive: 'archive/index.js' }),
  async ({ archive }, buf) => {
    const opened = await archive.Archive.open(archive.bufferSource(buf));
    const { sha256 } = await opened.scan({ checkData: true, hash: true });
    if (sha256 !== createHash('sha256').update(buf).digest('hex')) throw new Error('the scan reported another sha256 than the file has');
    for (const entry of opened.entries) {
      const data = await opened.readEntry(entry);
      if (data.length !== entry.size || (entry.kind === 'file' && crc32(data) !== entry.crc32)) {
        throw new Error(`readEntry returned ${data.length} bytes not matching "${entry.name}"'s declared size or CRC after a clean scan`);
      }
    }
  },
  { name: 'archive', instrument: ['archive/'] },
);
