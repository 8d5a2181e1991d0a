'use strict';
// The Sigstore sidecar (.mcpb.sigstore.json): JSON, media type, @sigstore/bundle's shape checks.
const { makeTarget, importDist } = require('../instrument.cjs');

module.exports = makeTarget(
  () => importDist({ sigstore: 'sigstore/verify.js' }),
  ({ sigstore }, buf) => {
    const bundle = sigstore.parseSigstoreBundle(buf);
    sigstore.isKeyless(bundle);
  },
);
