'use strict';
// Loading a Sigstore sidecar (.mcpb.sigstore.json): JSON, media type, @sigstore/bundle's shape
// checks, the signer kind, then what verification reads from the bundle before any key: the DSSE
// payload as an in-toto statement, its SLSA provenance view and the subject lookup.
const { makeTarget, importDist } = require('../instrument.cjs');

module.exports = makeTarget(
  () => importDist({ sigstore: 'sigstore/verify.js', statement: 'attest/statement.js' }),
  ({ sigstore, statement }, buf) => {
    const bundle = sigstore.parseSigstoreBundle(buf);
    sigstore.isKeyless(bundle);
    if (bundle.content.$case !== 'dsseEnvelope') return;
    const parsed = statement.parseStatement(Buffer.from(bundle.content.dsseEnvelope.payload));
    statement.provenanceView(parsed);
    statement.matchingSubject(parsed, '0'.repeat(64));
  },
  { name: 'sigstore', instrument: ['sigstore/verify', 'attest/'] },
);
