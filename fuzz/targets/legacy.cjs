'use strict';
// The legacy block reader and verifier: a fixed small bundle whose end record's comment length
// (2 bytes) and everything after it come from the input, then Archive.open (block framing,
// signature-block checks), readLegacyBlock and verifyLegacySignature against a fixed test CA at a
// fixed time. The seeds are the tails of that bundle signed by signLegacy (fuzz/make-seeds.ts,
// which also writes fuzz/corpus-support/legacy.json: the anchor and the signing time).
const fs = require('node:fs');
const path = require('node:path');
const { makeTarget, importDist } = require('../instrument.cjs');
const { fixedBundle } = require('../zip.cjs');

const support = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'corpus-support', 'legacy.json'), 'utf8'));
// The bundle up to (not including) its end record's comment length field.
const HEAD = fixedBundle().subarray(0, -2);
const NOW = new Date(support.now);

module.exports = makeTarget(
  () => importDist({ archive: 'archive/index.js', legacy: 'legacy/index.js', der: 'legacy/der.js' }),
  async ({ archive, legacy }, buf) => {
    if (buf.length < 2) return;
    const opened = await archive.Archive.open(archive.bufferSource(Buffer.concat([HEAD, buf])));
    await legacy.readLegacyBlock(opened);
    const result = await legacy.verifyLegacySignature(opened, { anchors: [support.anchor], now: NOW });
  },
  {
    name: 'legacy',
    instrument: ['legacy/', '!legacy/sign', 'archive/signature-block', 'archive/end-records', 'archive/central-directory'],
    maxInput: 8 * 1024,
    // node-forge is loaded on the first DER parse (lib/legacy/der.ts): before the inputs, not by one.
    warmUp: ({ der }) => der.parseDer(Buffer.from([0x05, 0x00]), 'warm-up'),
  },
);
