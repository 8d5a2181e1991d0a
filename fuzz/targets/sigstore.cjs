'use strict';
// Loading a Sigstore sidecar (.mcpb.sigstore.json): JSON, media type, @sigstore/bundle's shape
// checks, the signer kind, then what verification reads from the bundle before any key: the DSSE
// payload as an in-toto statement, its SLSA provenance view and the subject lookup. Differential
// too: the payload decoded from the sidecar's bytes in pieces (sigstore/sidecar-payload) and the
// statement read in slices (attest/statement-stream) must mean what the whole parses mean; a
// difference is thrown as a plain Error, which the engine reports as a finding.
const { makeTarget, importDist } = require('../instrument.cjs');

/** The code of the MCPSealError `run` throws, or null when it returns; anything else escapes. */
function outcome(run) {
  try {
    run();
    return null;
  } catch (error) {
    if (typeof error?.code === 'string' && error.name === 'MCPSealError') return error.code;
    throw error;
  }
}

/** The statement read in slices against the whole parse: the same entries and source, or the same error. */
function sameStatement(statement, stream, payload) {
  let whole = null;
  const wholeCode = outcome(() => {
    whole = statement.provenanceView(statement.parseStatement(payload));
  });
  const entries = Object.create(null);
  const sink = {
    source: null,
    entry(name, sha256) {
      if (Object.hasOwn(entries, name)) statement.listedTwice(name);
      entries[name] = sha256;
    },
  };
  let streamed = null;
  const shapeCode = outcome(() => {
    streamed = stream.parseStreamedStatement(payload, sink);
  });
  if (streamed === null && shapeCode === null) return;
  const streamedCode = shapeCode ?? outcome(() => statement.provenanceHead(streamed.statement)) ?? streamed.error?.code ?? null;
  if (streamedCode !== wholeCode) throw new Error(`the statement read in slices gives ${streamedCode}, the whole parse ${wholeCode}`);
  if (whole === null || whole.entries === null) return;
  if (JSON.stringify(whole.entries) !== JSON.stringify(entries) || JSON.stringify(whole.source) !== JSON.stringify(sink.source)) {
    throw new Error('the statement read in slices lists other entries than the whole parse');
  }
}

module.exports = makeTarget(
  () => importDist({ sigstore: 'sigstore/verify.js', pieces: 'sigstore/sidecar-payload.js', statement: 'attest/statement.js', stream: 'attest/statement-stream.js' }),
  ({ sigstore, pieces, statement, stream }, buf) => {
    const pieced = pieces.parseBundleWithPayload(Buffer.from(buf));
    let bundle;
    try {
      bundle = sigstore.parseSigstoreBundle(buf);
    } catch (error) {
      if (pieced !== null) throw new Error(`the payload decoded in pieces was accepted, the whole parse refused it: ${error.message}`);
      throw error;
    }
    sigstore.isKeyless(bundle);
    if (bundle.content.$case !== 'dsseEnvelope') return;
    const payload = Buffer.from(bundle.content.dsseEnvelope.payload);
    if (pieced !== null && !pieced.content.dsseEnvelope.payload.equals(payload)) throw new Error('the payload decoded in pieces is not the whole parse\'s');
    sameStatement(statement, stream, payload);
    const parsed = statement.parseStatement(payload);
    statement.provenanceView(parsed);
    statement.matchingSubject(parsed, '0'.repeat(64));
  },
  { name: 'sigstore', instrument: ['sigstore/verify', 'sigstore/sidecar-payload', 'attest/'] },
);
