'use strict';
// The DER inside a legacy MCPB_SIG_V1 block (RFC 5652 SignedData).
const { makeTarget, importDist } = require('../instrument.cjs');

module.exports = makeTarget(
  () => importDist({ cms: 'legacy/cms.js' }),
  ({ cms }, buf) => {
    cms.parseSignedData(buf);
  },
  { name: 'cms', instrument: ['legacy/'] },
);
