'use strict';
// Phase one of the zip reader alone: end records, zip64 records, signature-block framing, every
// central-directory record and the rules over the whole name set (Archive.open), without the scan.
const { makeTarget, importDist } = require('../instrument.cjs');

module.exports = makeTarget(
  () => importDist({ archive: 'archive/index.js' }),
  async ({ archive }, buf) => {
    const opened = await archive.Archive.open(archive.bufferSource(buf), { limits: { maxEntries: 1000, maxCentralDirectorySize: 1024 * 1024 } });
    opened.fileNames();
  },
  { name: 'central-directory', instrument: ['archive/'] },
);
