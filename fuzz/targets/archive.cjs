'use strict';
// The strict zip reader: end records, central directory, every local header, inflate and CRC.
const { makeTarget, importDist } = require('../instrument.cjs');

module.exports = makeTarget(
  () => importDist({ archive: 'archive/index.js' }),
  async ({ archive }, buf) => {
    const opened = await archive.Archive.open(archive.bufferSource(buf));
    await opened.scan({ checkData: true, hash: true });
  },
  { name: 'archive', instrument: ['archive/'] },
);
