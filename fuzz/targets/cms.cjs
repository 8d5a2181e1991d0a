'use strict';
// The DER inside a legacy MCPB_SIG_V1 block (RFC 5652 SignedData).
const { makeTarget, importDist } = require('../instrument.cjs');

module.exports = makeTarget(
  () => importDist({ cms: 'legacy/cms.js', der: 'legacy/der.js' }),
  ({ cms }, buf) => {
    cms.parseSignedData(buf);
  },
  // node-forge is loaded on the first DER parse (lib/legacy/der.ts): before the inputs, not by one.
  { name: 'cms', instrument: ['legacy/'], warmUp: ({ der }) => der.parseDer(Buffer.from([0x05, 0x00]), 'warm-up') },
);
