// The loopback Sigstore fakes (test/helpers/sigstore-fakes.ts), proven with the real
// @sigstore/sign and @sigstore/verify end to end and no mcpseal code: if these pass, a failing
// mcpseal signing or verification test points at mcpseal, not at the fakes.

import assert from 'node:assert/strict';
import { createServer, get } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { bundleFromJSON, type SerializedBundle } from '@sigstore/bundle';
import { ASN1Obj, X509Certificate } from '@sigstore/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { InternalError } from '@sigstore/sign';
import { toSignedEntity, toTrustMaterial, VerificationError, Verifier, type Signer, type VerifierOptions } from '@sigstore/verify';
import {
  EMAIL_ISSUER,
  FULCIO_OID,
  fulcioExtension,
  GITHUB_ACTIONS_ISSUER,
  githubActionsClaims,
  IN_TOTO_PAYLOAD_TYPE,
  signDSSEWithFakes,
  startSigstoreFakes,
  TRUSTED_ROOT_MEDIA_TYPE,
  type SigstoreFakes,
} from './helpers/sigstore-fakes.ts';

/** An in-toto Statement v1 over one made-up file. */
function statement(name = 'example.mcpb'): Buffer {
  return Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name, digest: { sha256: 'a'.repeat(64) } }],
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: { buildDefinition: { buildType: 'https://example.test/build/v1' }, runDetails: {} },
    }),
  );
}

/** Verifies a bundle JSON against a trusted root JSON exactly as a pinned-root verifier would. */
function verify(bundle: SerializedBundle, trustedRoot: unknown, options?: VerifierOptions): Signer {
  const verifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(trustedRoot)), options);
  return verifier.verify(toSignedEntity(bundleFromJSON(bundle)));
}

/** The leaf certificate of a v0.3 bundle (`verificationMaterial.certificate`). */
function leafCertificate(bundle: SerializedBundle): X509Certificate {
  const material = bundle.verificationMaterial;
  assert.ok('certificate' in material && material.certificate, 'a v0.3 bundle carries the leaf certificate alone');
  return X509Certificate.parse(Buffer.from(material.certificate.rawBytes, 'base64'));
}

/** Asserts that `fn` throws a VerificationError with `code` (and returns it for more checks). */
function assertVerificationError(fn: () => unknown, code: string): VerificationError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof VerificationError, `expected a VerificationError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected a VerificationError ${code}`);
}

describe('sigstore fakes', () => {
  let fakes: SigstoreFakes;
  let other: SigstoreFakes;

  before(async () => {
    [fakes, other] = await Promise.all([startSigstoreFakes(), startSigstoreFakes()]);
  });
  after(async () => {
    await Promise.all([fakes?.close(), other?.close()]);
  });

  it('loads no nock, so real loopback requests to other servers still work', async () => {
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    assert.ok(loaded.some((path) => path.includes('@sigstore/mock/dist/fulcio/')), 'the mock building blocks are loaded');
    assert.deepEqual(loaded.filter((path) => /[\\/]nock[\\/]/u.test(path)), []);
    assert.deepEqual(loaded.filter((path) => /@sigstore[\\/]mock[\\/]dist[\\/](index|mock)\.js$/u.test(path)), []);

    const server = createServer((_req, res) => res.end('pong'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      assert.equal(await (await fetch(url)).text(), 'pong');
      const viaHttp = await new Promise<string>((resolve, reject) => {
        get(url, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(text));
        }).on('error', reject);
      });
      assert.equal(viaHttp, 'pong');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('publishes a trusted root for exactly its own keys, in protobuf-specs JSON form', async () => {
    const root = fakes.trustedRoot;
    assert.equal(root.mediaType, TRUSTED_ROOT_MEDIA_TYPE);
    assert.equal(root.certificateAuthorities.length, 1);
    assert.equal(root.tlogs.length, 1);
    assert.equal(root.ctlogs.length, 1);
    assert.equal(root.timestampAuthorities.length, 1);
    assert.equal(root.timestampAuthorities[0]?.certChain?.certificates.length, 2, 'TSA leaf then root');
    for (const ca of [...root.certificateAuthorities, ...root.timestampAuthorities]) assert.ok(ca.validFor?.start);
    for (const log of [...root.tlogs, ...root.ctlogs]) {
      assert.ok(log.publicKey?.validFor?.start);
      assert.equal(log.hashAlgorithm, 'SHA2_256');
      assert.equal(log.publicKey?.keyDetails, 'PKIX_ECDSA_P256_SHA_256');
      assert.equal(log.baseUrl, fakes.rekorURL);
    }
    assert.deepEqual(TrustedRoot.toJSON(TrustedRoot.fromJSON(root)), root, 'round-trips through protobuf-specs');
    assert.deepEqual(JSON.parse(await readFile(fakes.trustedRootPath, 'utf8')), root);
    assert.match(fakes.fulcioURL, /^http:\/\/127\.0\.0\.1:\d+$/u);
    assert.notEqual(fakes.fulcioURL, other.fulcioURL);
  });

  it('signs keyless DSSE for an email identity that @sigstore/verify accepts', async () => {
    const before = fakes.requests.length;
    const bundle = await signDSSEWithFakes(fakes, { payload: statement() });

    assert.equal(bundle.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    assert.ok('dsseEnvelope' in bundle && bundle.dsseEnvelope);
    assert.equal(bundle.dsseEnvelope.payloadType, IN_TOTO_PAYLOAD_TYPE);
    assert.equal(bundle.verificationMaterial.tlogEntries.length, 1);
    assert.equal(bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps.length, 1);
    assert.deepEqual(
      fakes.requests.slice(before).map(({ service, statusCode }) => `${service} ${statusCode}`).sort(),
      ['fulcio 201', 'rekor 201', 'tsa 201'],
    );

    const signer = verify(bundle, fakes.trustedRoot);
    assert.equal(signer.identity?.subjectAlternativeName, 'publisher@example.test');
    assert.equal(signer.identity?.extensions?.issuer, EMAIL_ISSUER);
    // Everything is stamped with the one clock (certificate times have second precision).
    const leaf = leafCertificate(bundle);
    assert.equal(leaf.notBefore.getTime(), Math.floor(fakes.clock.getTime() / 1000) * 1000);
    assert.equal(bundle.verificationMaterial.tlogEntries[0]?.integratedTime, String(Math.floor(fakes.clock.getTime() / 1000)));
  });

  it('logs dsse entries in the canonical form real Rekor uses, which the verifier checks', async () => {
    const bundle = await signDSSEWithFakes(fakes, { payload: statement() });
    const entry = bundle.verificationMaterial.tlogEntries[0];
    assert.ok(entry);
    assert.deepEqual(entry.kindVersion, { kind: 'dsse', version: '0.0.1' });
    const body = JSON.parse(Buffer.from(entry.canonicalizedBody, 'base64').toString('utf8'));
    // @sigstore/verify (tlog/dsse.js) requires exactly one spec.signatures[].signature equal to
    // the envelope's and spec.payloadHash equal to the payload's sha256; the proposed form
    // ({proposedContent: {envelope, verifiers}}) that the mock would log fails it.
    assert.deepEqual(Object.keys(body.spec).sort(), ['envelopeHash', 'payloadHash', 'signatures']);
    assert.ok('dsseEnvelope' in bundle && bundle.dsseEnvelope);
    assert.equal(body.spec.signatures.length, 1);
    assert.equal(body.spec.signatures[0].signature, bundle.dsseEnvelope.signatures[0]?.sig);
    assert.match(Buffer.from(body.spec.signatures[0].verifier, 'base64').toString(), /^-----BEGIN CERTIFICATE-----\n/u);

    // A body that does not match the envelope is refused even with a valid inclusion proof.
    const tampered = structuredClone(bundle);
    assert.ok('dsseEnvelope' in tampered && tampered.dsseEnvelope);
    tampered.dsseEnvelope.payload = Buffer.from(statement('other.mcpb')).toString('base64');
    assertVerificationError(() => verify(tampered, fakes.trustedRoot), 'TLOG_BODY_ERROR');
  });

  it('issues GitHub Actions certificates whose extensions decode to the workflow claims', async () => {
    const token = fakes.identityToken(githubActionsClaims({ repository: 'owner/repo', ref: 'refs/tags/v1.0.0' }));
    const bundle = await signDSSEWithFakes(fakes, { payload: statement(), token });
    const signer = verify(bundle, fakes.trustedRoot);
    const workflowURI = 'https://github.com/owner/repo/.github/workflows/release.yml@refs/tags/v1.0.0';
    assert.equal(signer.identity?.subjectAlternativeName, workflowURI);
    assert.equal(signer.identity?.extensions?.issuer, GITHUB_ACTIONS_ISSUER);

    // How to read them with @sigstore/core: `extension(oid).value` is the content of the
    // extnValue OCTET STRING. For .8 and later that is a DER UTF8String (0x0c, length, bytes),
    // so it must be decoded; the legacy .1-.6 are the raw string bytes.
    const leaf = leafCertificate(bundle);
    const issuerDER = leaf.extension(FULCIO_OID.issuer)?.value;
    assert.ok(issuerDER);
    assert.equal(issuerDER[0], 0x0c, 'a UTF8String tag, not the text itself');
    const decoded = ASN1Obj.parseBuffer(Buffer.from(issuerDER));
    assert.equal(decoded.tag.number, 12);
    assert.equal(decoded.value.toString('utf8'), GITHUB_ACTIONS_ISSUER);
    assert.equal(leaf.extension(FULCIO_OID.issuerV1)?.value.toString('utf8'), GITHUB_ACTIONS_ISSUER);

    const sha = '0123456789abcdef0123456789abcdef01234567';
    const expected: Record<string, string> = {
      [FULCIO_OID.issuerV1]: GITHUB_ACTIONS_ISSUER,
      [FULCIO_OID.githubWorkflowTrigger]: 'push',
      [FULCIO_OID.githubWorkflowSha]: sha,
      [FULCIO_OID.githubWorkflowName]: 'Release',
      [FULCIO_OID.githubWorkflowRepository]: 'owner/repo',
      [FULCIO_OID.githubWorkflowRef]: 'refs/tags/v1.0.0',
      [FULCIO_OID.issuer]: GITHUB_ACTIONS_ISSUER,
      [FULCIO_OID.buildSignerURI]: workflowURI,
      [FULCIO_OID.buildSignerDigest]: sha,
      [FULCIO_OID.runnerEnvironment]: 'github-hosted',
      [FULCIO_OID.sourceRepositoryURI]: 'https://github.com/owner/repo',
      [FULCIO_OID.sourceRepositoryDigest]: sha,
      [FULCIO_OID.sourceRepositoryRef]: 'refs/tags/v1.0.0',
      [FULCIO_OID.sourceRepositoryIdentifier]: '123456789',
      [FULCIO_OID.sourceRepositoryOwnerURI]: 'https://github.com/owner',
      [FULCIO_OID.sourceRepositoryOwnerIdentifier]: '987654321',
      [FULCIO_OID.buildConfigURI]: workflowURI,
      [FULCIO_OID.buildConfigDigest]: sha,
      [FULCIO_OID.buildTrigger]: 'push',
      [FULCIO_OID.runInvocationURI]: 'https://github.com/owner/repo/actions/runs/1234567890/attempts/1',
      [FULCIO_OID.sourceRepositoryVisibilityAtSigning]: 'public',
    };
    for (const [oid, value] of Object.entries(expected)) assert.equal(fulcioExtension(leaf, oid), value, oid);

    // sigstore-js identity policies are unanchored regular expressions: a mere substring of
    // the SAN passes, which is why mcpseal compares identities itself.
    const verifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(fakes.trustedRoot)));
    const entity = toSignedEntity(bundleFromJSON(bundle));
    assert.doesNotThrow(() => verifier.verify(entity, { subjectAlternativeName: 'owner/repo' }));
    assert.throws(() => verifier.verify(entity, { subjectAlternativeName: '^owner/repo$' }), { code: 'UNTRUSTED_SIGNER_ERROR' });
  });

  it('a reusable workflow becomes the build signer, the caller the build config', async () => {
    const token = fakes.identityToken(
      githubActionsClaims({ repository: 'owner/app', jobWorkflowRef: 'org/shared/.github/workflows/sign.yml@refs/heads/main' }),
    );
    const bundle = await signDSSEWithFakes(fakes, { payload: statement(), token });
    const leaf = leafCertificate(bundle);
    assert.equal(verify(bundle, fakes.trustedRoot).identity?.subjectAlternativeName, 'https://github.com/org/shared/.github/workflows/sign.yml@refs/heads/main');
    assert.equal(fulcioExtension(leaf, FULCIO_OID.buildSignerURI), 'https://github.com/org/shared/.github/workflows/sign.yml@refs/heads/main');
    assert.equal(fulcioExtension(leaf, FULCIO_OID.buildConfigURI), 'https://github.com/owner/app/.github/workflows/release.yml@refs/tags/v1.0.0');
  });

  it('a bundle from one set of fakes does not verify against another set’s trusted root', async () => {
    const bundle = await signDSSEWithFakes(fakes, { payload: statement() });
    // The timestamps are checked first, so the foreign TSA is what fails.
    assertVerificationError(() => verify(bundle, other.trustedRoot), 'TIMESTAMP_ERROR');
    // Without timestamps to check, the foreign Fulcio root is what fails.
    const untimed = await signDSSEWithFakes(fakes, { payload: statement(), tsa: false });
    assertVerificationError(() => verify(untimed, other.trustedRoot), 'CERTIFICATE_ERROR');
  });

  it('20 consecutive keyless round trips all verify (one fixed clock, no fractional-second trap)', async () => {
    for (let i = 0; i < 20; i += 1) {
      const bundle = await signDSSEWithFakes(fakes, { payload: statement(`bundle-${i}.mcpb`) });
      assert.equal(verify(bundle, fakes.trustedRoot).identity?.subjectAlternativeName, 'publisher@example.test', `round ${i}`);
    }
  });

  it('refuses clocks the verifier or the mock roots would make fail', async () => {
    // DER drops trailing zeros of the GeneralizedTime fraction; @sigstore/core accepts three
    // digits or none, so a TSA genTime at .780 s is rejected and one at .789 s is not.
    const generalizedTime = (text: string) => ASN1Obj.parseBuffer(Buffer.from([0x18, text.length, ...Buffer.from(text)]));
    assert.throws(() => generalizedTime('20261201123456.78Z').toDate(), /invalid time/u);
    assert.equal(generalizedTime('20261201123456.789Z').toDate().toISOString(), '2026-12-01T12:34:56.000Z');

    const soon = Math.floor(Date.now() / 1000) * 1000 + 120_000;
    await assert.rejects(startSigstoreFakes({ clock: new Date(soon + 780) }), RangeError);
    // @sigstore/mock stamps its root certificates with the real time: a fixed date in the past
    // (as a literal in a test would become) cannot work.
    await assert.rejects(startSigstoreFakes({ clock: new Date(soon - 86_400_000 + 789) }), /validity/u);
  });

  it('validFor.start: sigstore-js treats a missing start as the beginning of time', async () => {
    const bundle = await signDSSEWithFakes(fakes, { payload: statement() });
    const root = fakes.trustedRoot;

    // Observed: with no start anywhere, toTrustMaterial substitutes new Date(0) (trust/index.js
    // BEGINNING_OF_TIME) and verification succeeds. That is why mcpseal refuses such a root itself.
    const noStart = structuredClone(root);
    for (const ca of [...noStart.certificateAuthorities, ...noStart.timestampAuthorities]) delete ca.validFor;
    for (const log of [...noStart.tlogs, ...noStart.ctlogs]) delete log.publicKey?.validFor;
    assert.equal(TrustedRoot.fromJSON(noStart).certificateAuthorities[0]?.validFor, undefined);
    assert.equal(verify(bundle, noStart).identity?.subjectAlternativeName, 'publisher@example.test');

    // When present, start is enforced: an authority that starts after the signing time fails.
    const later = new Date(fakes.clock.getTime() + 3_600_000).toISOString();
    const lateCA = structuredClone(root);
    for (const ca of lateCA.certificateAuthorities) ca.validFor = { start: later };
    assertVerificationError(() => verify(bundle, lateCA), 'CERTIFICATE_ERROR');
    const lateTSA = structuredClone(root);
    for (const tsa of lateTSA.timestampAuthorities) tsa.validFor = { start: later };
    assertVerificationError(() => verify(bundle, lateTSA), 'TIMESTAMP_ERROR');
    const lateTlog = structuredClone(root);
    for (const log of lateTlog.tlogs) log.publicKey = { ...log.publicKey, validFor: { start: later } };
    assertVerificationError(() => verify(bundle, lateTlog), 'TLOG_INCLUSION_PROMISE_ERROR');
    const lateCTLog = structuredClone(root);
    for (const log of lateCTLog.ctlogs) log.publicKey = { ...log.publicKey, validFor: { start: later } };
    assertVerificationError(() => verify(bundle, lateCTLog), 'CERTIFICATE_ERROR');
  });

  it('the fake Fulcio checks the identity token as the real one does', async () => {
    const refused = async (token: string) => {
      const error = await signDSSEWithFakes(fakes, { payload: statement(), token }).then(
        () => assert.fail('signing should fail'),
        (error: unknown) => error,
      );
      assert.ok(error instanceof InternalError);
      assert.equal(error.code, 'CA_CREATE_SIGNING_CERTIFICATE_ERROR');
    };
    await refused(other.identityToken()); // signed by another fake issuer
    await refused(fakes.identityToken({ aud: 'not-sigstore' }));
    await refused(fakes.identityToken({ exp: Math.floor(fakes.clock.getTime() / 1000) - 1 }));
    await refused(fakes.identityToken({ ...githubActionsClaims(), job_workflow_ref: undefined }));
  });

  it('failNext makes one request to a service fail', async () => {
    fakes.failNext('rekor', 503);
    const error = await signDSSEWithFakes(fakes, { payload: statement() }).then(() => assert.fail('signing should fail'), (e: unknown) => e);
    assert.ok(error instanceof InternalError);
    assert.equal(error.code, 'TLOG_CREATE_ENTRY_ERROR');
    assert.ok(fakes.requests.some(({ service, statusCode }) => service === 'rekor' && statusCode === 503));
    const bundle = await signDSSEWithFakes(fakes, { payload: statement() });
    assert.ok(verify(bundle, fakes.trustedRoot), 'only the next request failed');
  });
});
