// Offline Sigstore for tests: a fake Fulcio, Rekor (v1 API) and timestamp authority that sign for
// real with @sigstore/mock's building blocks, served from one loopback HTTP server, plus a trusted
// root built from the same keys. The real @sigstore/sign and @sigstore/verify run against them
// end to end, in process or from a CLI child process (pass the URLs and `trustedRootPath`).
//
//   const fakes = await startSigstoreFakes();
//   const token = fakes.identityToken(githubActionsClaims({ repository: 'owner/repo' }));
//   const bundle = await signDSSEWithFakes(fakes, { payload, token });   // SerializedBundle JSON
//   ... verify `bundle` against `fakes.trustedRoot` ...
//   await fakes.close();
//
// Traps this file exists to avoid (each explained where it is handled):
// - `@sigstore/mock`'s index loads `nock`, which patches node:http: only deep modules are imported;
// - the fake TSA writes the clock's milliseconds into GeneralizedTime, trailing zeros stripped,
//   and the verifier rejects a fraction that is not exactly three digits: see `checkClock`;
// - the mock stamps its root certificates with the real time, so the clock cannot be in the past;
// - the mock Rekor logs a `dsse` entry as proposed, the real one logs a canonical form the
//   verifier depends on: see `canonicalDSSEEntry`;
// - the mock Fulcio handler takes the certificate's SAN from `sub` only and checks neither the
//   token nor the proof of possession: this file has its own Fulcio handler over the mock CA.

import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  sign as signBytes,
  verify as verifySignature,
  X509Certificate as NodeX509Certificate,
  type KeyObject,
} from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleToJSON, type SerializedBundle } from '@sigstore/bundle';
import { ASN1Obj, dsse, X509Certificate } from '@sigstore/core';
import { HashAlgorithm, PublicKeyDetails, TrustedRoot } from '@sigstore/protobuf-specs';
import { DSSEBundleBuilder, FulcioSigner, RekorWitness, TSAWitness, type Witness } from '@sigstore/sign';
// Deep imports on purpose: `@sigstore/mock`'s index also loads `./mock.js`, which requires nock,
// and nock monkey-patches node:http (real loopback requests then fail or hang). These four
// modules load no nock; the package has no `exports` map, so the deep paths are allowed.
import { initializeCA, initializeCTLog, type CA } from '@sigstore/mock/dist/fulcio/index.js';
import { initializeTLog, type TLog } from '@sigstore/mock/dist/rekor/index.js';
import { initializeTSA, tsaHandler, type TSA } from '@sigstore/mock/dist/timestamp/index.js';
import { generateKeyPair } from '@sigstore/mock/dist/util/key.js';

export const TRUSTED_ROOT_MEDIA_TYPE = 'application/vnd.dev.sigstore.trustedroot+json;version=0.1';
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';
export const EMAIL_ISSUER = 'https://accounts.example.test';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/**
 * Fulcio certificate extension OIDs (sigstore/fulcio docs/oid-info.md). `.1`-`.6` are the
 * deprecated ones whose value is the raw string; `.8` and later hold a DER UTF8String.
 */
export const FULCIO_OID = {
  issuerV1: '1.3.6.1.4.1.57264.1.1',
  githubWorkflowTrigger: '1.3.6.1.4.1.57264.1.2',
  githubWorkflowSha: '1.3.6.1.4.1.57264.1.3',
  githubWorkflowName: '1.3.6.1.4.1.57264.1.4',
  githubWorkflowRepository: '1.3.6.1.4.1.57264.1.5',
  githubWorkflowRef: '1.3.6.1.4.1.57264.1.6',
  issuer: '1.3.6.1.4.1.57264.1.8',
  buildSignerURI: '1.3.6.1.4.1.57264.1.9',
  buildSignerDigest: '1.3.6.1.4.1.57264.1.10',
  runnerEnvironment: '1.3.6.1.4.1.57264.1.11',
  sourceRepositoryURI: '1.3.6.1.4.1.57264.1.12',
  sourceRepositoryDigest: '1.3.6.1.4.1.57264.1.13',
  sourceRepositoryRef: '1.3.6.1.4.1.57264.1.14',
  sourceRepositoryIdentifier: '1.3.6.1.4.1.57264.1.15',
  sourceRepositoryOwnerURI: '1.3.6.1.4.1.57264.1.16',
  sourceRepositoryOwnerIdentifier: '1.3.6.1.4.1.57264.1.17',
  buildConfigURI: '1.3.6.1.4.1.57264.1.18',
  buildConfigDigest: '1.3.6.1.4.1.57264.1.19',
  buildTrigger: '1.3.6.1.4.1.57264.1.20',
  runInvocationURI: '1.3.6.1.4.1.57264.1.21',
  sourceRepositoryVisibilityAtSigning: '1.3.6.1.4.1.57264.1.22',
} as const;

const LEGACY_FULCIO_OIDS: ReadonlySet<string> = new Set([
  FULCIO_OID.issuerV1,
  FULCIO_OID.githubWorkflowTrigger,
  FULCIO_OID.githubWorkflowSha,
  FULCIO_OID.githubWorkflowName,
  FULCIO_OID.githubWorkflowRepository,
  FULCIO_OID.githubWorkflowRef,
]);

/** Claims of an OIDC identity token; any other claim is carried through untouched. */
export interface TokenClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  email?: string;
  email_verified?: boolean;
  iat?: number;
  exp?: number;
  [claim: string]: unknown;
}

/** A GitHub Actions workflow run, as its OIDC token describes it. Every field has a default. */
export interface GitHubWorkflow {
  /** `owner/name`; default `owner/repo`. */
  repository?: string;
  /** Default `.github/workflows/release.yml`. */
  workflowPath?: string;
  /** Default `refs/tags/v1.0.0`. */
  ref?: string;
  /** Commit of the run; default a fixed 40-hex value. */
  sha?: string;
  /** The workflow's `name:`; default `Release`. */
  workflowName?: string;
  /** Default `push`. */
  eventName?: string;
  /** Default `github-hosted`. */
  runnerEnvironment?: string;
  /** The reusable workflow that ran the job (`owner/other/.github/workflows/x.yml@ref`); default the workflow itself. */
  jobWorkflowRef?: string;
  repositoryId?: string;
  repositoryOwnerId?: string;
  repositoryVisibility?: string;
  runId?: string;
  runAttempt?: string;
}

export interface SigstoreFakesOptions {
  /**
   * The one time all four services stamp on what they issue. Default: the start time, rounded
   * down to the second, plus one minute and 789 ms. See `checkClock` for the two constraints.
   */
  clock?: Date;
}

/** A request one of the fakes received, in order of arrival. */
export interface FakeRequest {
  service: 'fulcio' | 'rekor' | 'tsa' | 'unknown';
  method: string;
  path: string;
  statusCode: number;
}

export interface SigstoreFakes {
  /** Base URLs (`http://127.0.0.1:<port>`), as `@sigstore/sign` and the CLI flags take them. */
  fulcioURL: string;
  rekorURL: string;
  tsaURL: string;
  /** The trusted root (protobuf-specs JSON form) for exactly these fakes. */
  trustedRoot: TrustedRootJSON;
  /** The same trusted root written to a temporary file (removed by `close`). */
  trustedRootPath: string;
  /** The fixed time stamped into certificates, SCTs, log entries and timestamps. */
  clock: Date;
  /** Every request received so far. */
  requests: readonly FakeRequest[];
  /**
   * An ES256 identity token signed by the fakes' own OIDC key, which the fake Fulcio checks.
   * Default: an email identity (`publisher@example.test`, issuer `EMAIL_ISSUER`); `claims`
   * are merged over it (pass `githubActionsClaims(...)` for a workflow identity).
   */
  identityToken(claims?: TokenClaims): string;
  /** Makes the next request to `service` fail with `statusCode` (default 500). */
  failNext(service: 'fulcio' | 'rekor' | 'tsa', statusCode?: number): void;
  close(): Promise<void>;
}

/** The JSON form of a TrustedRoot (sigstore_trustroot.proto), as `TrustedRoot.toJSON` writes it. */
export interface TrustedRootJSON {
  mediaType: string;
  tlogs: TransparencyLogInstanceJSON[];
  certificateAuthorities: CertificateAuthorityJSON[];
  ctlogs: TransparencyLogInstanceJSON[];
  timestampAuthorities: CertificateAuthorityJSON[];
}
export interface TimeRangeJSON {
  start?: string;
  end?: string;
}
export interface CertificateAuthorityJSON {
  subject?: { organization?: string; commonName?: string };
  uri?: string;
  certChain?: { certificates: { rawBytes: string }[] };
  validFor?: TimeRangeJSON;
  operator?: string;
}
export interface TransparencyLogInstanceJSON {
  baseUrl?: string;
  hashAlgorithm?: string;
  publicKey?: { rawBytes?: string; keyDetails?: string; validFor?: TimeRangeJSON };
  logId?: { keyId: string };
  checkpointKeyId?: { keyId: string };
  operator?: string;
}

interface HandlerResult {
  statusCode: number;
  response: string | ArrayBufferView;
  contentType?: string;
}
type Route = (body: string) => Promise<HandlerResult>;

const FULCIO_PATH = '/api/v2/signingCert';
const REKOR_PATH = '/api/v1/log/entries';
const TSA_PATH = '/api/v1/timestamp';
const MAX_REQUEST_BYTES = 1024 * 1024;

/** Starts the fakes on 127.0.0.1 with fresh keys. Always `close()` them (an `after` hook). */
export async function startSigstoreFakes(options: SigstoreFakesOptions = {}): Promise<SigstoreFakes> {
  const startedAt = Math.floor(Date.now() / 1000) * 1000;
  const clock = new Date(options.clock ?? startedAt + 60_000 + 789);
  checkClockMilliseconds(clock);

  const routes = new Map<string, { service: FakeRequest['service']; route: Route }>();
  const requests: FakeRequest[] = [];
  const failures = new Map<FakeRequest['service'], number>();
  const server = createServer((req, res) => {
    void serve(req, res, routes, requests, failures);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const baseURL = `http://127.0.0.1:${port}`;

  let tmp: string | undefined;
  try {
    // One key pair per service, as in production; all P-256.
    const ctlog = await initializeCTLog(generateKeyPair('prime256v1'), clock);
    const ca = await initializeCA(generateKeyPair('prime256v1'), ctlog, clock);
    // The checkpoint's signer name is the host of this URL; the verifier requires it to be a
    // substring of the trusted root's tlog `baseUrl`, so the log is initialised after `listen`.
    const tlog = await initializeTLog(baseURL, generateKeyPair('prime256v1'), clock);
    const tsa = await initializeTSA(generateKeyPair('prime256v1'), clock);
    checkClockWindow(clock, ca, tsa);

    const oidc = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    routes.set(FULCIO_PATH, { service: 'fulcio', route: fulcioRoute(ca, oidc.publicKey, clock) });
    routes.set(REKOR_PATH, { service: 'rekor', route: rekorRoute(tlog) });
    routes.set(TSA_PATH, { service: 'tsa', route: tsaHandler(tsa).fn });

    // Every authority starts when the fakes did (second precision, so it is not after the root
    // certificates' notBefore, which the mock sets from the real time).
    const validFor = { start: new Date(startedAt) };
    const trustedRoot = TrustedRoot.toJSON({
      mediaType: TRUSTED_ROOT_MEDIA_TYPE,
      certificateAuthorities: [
        {
          subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
          uri: baseURL,
          certChain: { certificates: [{ rawBytes: bytes(ca.rootCertificate) }] },
          validFor,
          operator: 'mcpseal-test-fakes',
        },
      ],
      tlogs: [logInstance(baseURL, tlog.publicKey, validFor)],
      ctlogs: [logInstance(baseURL, ctlog.publicKey, validFor, bytes(ctlog.logID))],
      timestampAuthorities: [
        {
          subject: { organization: 'sigstore.mock', commonName: 'tsa' },
          uri: baseURL,
          // Leaf (the TSA signing certificate) first, then its root.
          certChain: {
            certificates: [{ rawBytes: bytes(tsa.intCertificate) }, { rawBytes: bytes(tsa.rootCertificate) }],
          },
          validFor,
          operator: 'mcpseal-test-fakes',
        },
      ],
    }) as TrustedRootJSON;

    tmp = await mkdtemp(join(tmpdir(), 'mcpseal-sigstore-fakes-'));
    const trustedRootPath = join(tmp, 'trusted_root.json');
    await writeFile(trustedRootPath, `${JSON.stringify(trustedRoot, null, 2)}\n`);
    const tmpDir = tmp;

    return {
      fulcioURL: baseURL,
      rekorURL: baseURL,
      tsaURL: baseURL,
      trustedRoot,
      trustedRootPath,
      clock: new Date(clock),
      requests,
      identityToken: (claims = {}) => mintToken(oidc.privateKey, clock, claims),
      failNext: (service, statusCode = 500) => {
        failures.set(service, statusCode);
      },
      close: async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await rm(tmpDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    server.closeAllConnections();
    server.close();
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
    throw error;
  }
}

/** Claims of a GitHub Actions OIDC token for `workflow` (audience `sigstore`). */
export function githubActionsClaims(workflow: GitHubWorkflow = {}): TokenClaims {
  const repository = workflow.repository ?? 'owner/repo';
  const owner = repository.split('/')[0] ?? repository;
  const ref = workflow.ref ?? 'refs/tags/v1.0.0';
  const sha = workflow.sha ?? '0123456789abcdef0123456789abcdef01234567';
  const workflowRef = `${repository}/${workflow.workflowPath ?? '.github/workflows/release.yml'}@${ref}`;
  return {
    iss: GITHUB_ACTIONS_ISSUER,
    sub: `repo:${repository}:ref:${ref}`,
    aud: 'sigstore',
    repository,
    repository_owner: owner,
    repository_id: workflow.repositoryId ?? '123456789',
    repository_owner_id: workflow.repositoryOwnerId ?? '987654321',
    repository_visibility: workflow.repositoryVisibility ?? 'public',
    ref,
    ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    sha,
    workflow: workflow.workflowName ?? 'Release',
    workflow_ref: workflowRef,
    workflow_sha: sha,
    job_workflow_ref: workflow.jobWorkflowRef ?? workflowRef,
    job_workflow_sha: sha,
    event_name: workflow.eventName ?? 'push',
    runner_environment: workflow.runnerEnvironment ?? 'github-hosted',
    run_id: workflow.runId ?? '1234567890',
    run_attempt: workflow.runAttempt ?? '1',
    run_number: '42',
    actor: 'octocat',
    actor_id: '583231',
  };
}

/**
 * A Fulcio extension's value as a string: the raw bytes for the legacy `.1`-`.6`, the decoded
 * DER UTF8String for `.8` and later (a test oracle independent of mcpseal's own decoder).
 */
export function fulcioExtension(certificate: X509Certificate, oid: string): string | undefined {
  const extension = certificate.extension(oid);
  if (extension === undefined) return undefined;
  if (LEGACY_FULCIO_OIDS.has(oid)) return extension.value.toString('utf8');
  // extnValue is an OCTET STRING whose contents are the DER encoding of a UTF8String
  // (universal tag 12); parseBuffer also refuses trailing bytes.
  const inner = ASN1Obj.parseBuffer(Buffer.from(extension.value));
  if (!inner.tag.isUniversal() || inner.tag.constructed || inner.tag.number !== 12) {
    throw new Error(`extension ${oid} is not a DER UTF8String`);
  }
  return inner.value.toString('utf8');
}

/**
 * Signs `payload` keyless in a DSSE envelope with the real `@sigstore/sign` against the fakes
 * (Fulcio certificate, Rekor v1 `dsse` entry, RFC 3161 timestamp) and returns the bundle JSON.
 * Independent of mcpseal's signing code, so verification tests have an outside oracle.
 */
export async function signDSSEWithFakes(
  fakes: SigstoreFakes,
  options: { payload: Buffer; payloadType?: string; token?: string; tlog?: boolean; tsa?: boolean },
): Promise<SerializedBundle> {
  const token = options.token ?? fakes.identityToken();
  const witnesses: Witness[] = [];
  if (options.tlog ?? true) witnesses.push(new RekorWitness({ rekorBaseURL: fakes.rekorURL }));
  if (options.tsa ?? true) witnesses.push(new TSAWitness({ tsaBaseURL: fakes.tsaURL }));
  const builder = new DSSEBundleBuilder({
    signer: new FulcioSigner({ fulcioBaseURL: fakes.fulcioURL, identityProvider: { getToken: () => Promise.resolve(token) } }),
    witnesses,
  });
  const bundle = await builder.create({ data: options.payload, type: options.payloadType ?? IN_TOTO_PAYLOAD_TYPE });
  return bundleToJSON(bundle);
}

// --- the clock ---------------------------------------------------------------------------------

/**
 * The fake TSA encodes the clock as an RFC 3161 genTime (GeneralizedTime) with milliseconds, and
 * DER strips trailing zeros (".780" becomes ".78"), but @sigstore/core's time parser accepts a
 * fraction of exactly three digits or none. So a clock whose milliseconds end in 0 (but are not
 * 000) yields timestamps the verifier rejects: about one run in ten with a `new Date()` clock.
 */
function checkClockMilliseconds(clock: Date): void {
  if (Number.isNaN(clock.getTime())) throw new RangeError('the fakes clock is an invalid Date');
  const ms = clock.getUTCMilliseconds();
  if (ms !== 0 && ms % 10 === 0) {
    throw new RangeError(
      `the fakes clock ${clock.toISOString()} has milliseconds ending in 0: the TSA would write a ` +
        'fraction shorter than three digits, which @sigstore/verify rejects; use e.g. .789',
    );
  }
}

/**
 * The mock creates its root certificates (Fulcio and TSA) with the real time as notBefore and a
 * one-year lifetime, whatever the clock; the verifier checks the chain at the signing time. So
 * the clock must lie between the fakes' start and a year later (a fixed date in the past fails).
 */
function checkClockWindow(clock: Date, ca: CA, tsa: TSA): void {
  const leafLifetime = 10 * 60 * 1000; // the mock CA issues 10-minute certificates
  for (const der of [ca.rootCertificate, tsa.rootCertificate, tsa.intCertificate]) {
    const root = X509Certificate.parse(bytes(der));
    if (clock < root.notBefore || clock.getTime() + leafLifetime > root.notAfter.getTime()) {
      throw new RangeError(
        `the fakes clock ${clock.toISOString()} lies outside the mock root certificates' validity ` +
          `(${root.notBefore.toISOString()} to ${root.notAfter.toISOString()}), which @sigstore/mock ` +
          'sets from the real time: use a clock between now and a year from now',
      );
    }
  }
}

// --- Fulcio ------------------------------------------------------------------------------------

/**
 * Fulcio's `POST /api/v2/signingCert` (public-key request form, as `@sigstore/sign` sends it):
 * checks the identity token's signature, audience and expiry and the proof of possession, then
 * has the mock CA issue a certificate with the SAN and extensions real Fulcio derives from the
 * token. The response carries the leaf and the root, SCT embedded.
 */
function fulcioRoute(ca: CA, oidcKey: KeyObject, clock: Date): Route {
  return async (body) => {
    const request = JSON.parse(body) as {
      credentials?: { oidcIdentityToken?: string };
      publicKeyRequest?: { publicKey?: { content?: string }; proofOfPossession?: string };
    };
    const claims = verifyToken(request.credentials?.oidcIdentityToken, oidcKey, clock);
    const keyPem = request.publicKeyRequest?.publicKey?.content;
    const proof = request.publicKeyRequest?.proofOfPossession;
    if (keyPem === undefined || proof === undefined) throw new FakeServiceError(400, 'only publicKeyRequest is supported');
    const publicKey = createPublicKey(keyPem);
    // The challenge is the token's principal, signed with the key being certified (Fulcio:
    // email for email tokens, else the subject; @sigstore/sign signs the same string).
    const principal = typeof claims.email === 'string' ? claims.email : String(claims.sub);
    if (!verifySignature('sha256', Buffer.from(principal), publicKey, Buffer.from(proof, 'base64'))) {
      throw new FakeServiceError(400, 'the proof of possession does not verify');
    }
    const identity = certificateIdentity(claims);
    const leaf = await ca.issueCertificate({
      publicKey: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
      subjectAltName: identity.subjectAltName,
      extensions: identity.extensions,
    });
    const chain = [toPEM(leaf), toPEM(ca.rootCertificate)];
    return json(201, { signedCertificateEmbeddedSct: { chain: { certificates: chain } } });
  };
}

interface ExtensionValue {
  oid: string;
  value: string;
  legacy?: boolean;
}

/**
 * The SAN and extensions real Fulcio puts in a certificate for these claims: for GitHub Actions
 * (fulcio pkg/identity/github) the SAN is the job workflow's URL and the workflow claims become
 * extensions; for any other issuer the SAN is the email (or the subject) and only the issuer is
 * recorded. The mock CA always writes the SAN as a URI, even for an email (real Fulcio: rfc822Name).
 */
function certificateIdentity(claims: TokenClaims): { subjectAltName: string; extensions: ExtensionValue[] } {
  const issuer = String(claims.iss);
  const extensions: ExtensionValue[] = [
    { oid: FULCIO_OID.issuerV1, value: issuer, legacy: true },
    { oid: FULCIO_OID.issuer, value: issuer },
  ];
  if (issuer !== GITHUB_ACTIONS_ISSUER) {
    const subjectAltName = typeof claims.email === 'string' ? claims.email : String(claims.sub);
    return { subjectAltName, extensions };
  }
  const claim = (name: string): string => {
    const value = claims[name];
    if (typeof value !== 'string' || value === '') throw new FakeServiceError(400, `the GitHub Actions token has no ${name} claim`);
    return value;
  };
  const server = typeof claims['server_url'] === 'string' ? claims['server_url'] : 'https://github.com';
  const repository = claim('repository');
  const add = (oid: string, value: string, legacy = false) => extensions.push(legacy ? { oid, value, legacy } : { oid, value });
  add(FULCIO_OID.githubWorkflowTrigger, claim('event_name'), true);
  add(FULCIO_OID.githubWorkflowSha, claim('sha'), true);
  add(FULCIO_OID.githubWorkflowName, claim('workflow'), true);
  add(FULCIO_OID.githubWorkflowRepository, repository, true);
  add(FULCIO_OID.githubWorkflowRef, claim('ref'), true);
  add(FULCIO_OID.buildSignerURI, `${server}/${claim('job_workflow_ref')}`);
  add(FULCIO_OID.buildSignerDigest, claim('job_workflow_sha'));
  add(FULCIO_OID.runnerEnvironment, claim('runner_environment'));
  add(FULCIO_OID.sourceRepositoryURI, `${server}/${repository}`);
  add(FULCIO_OID.sourceRepositoryDigest, claim('sha'));
  add(FULCIO_OID.sourceRepositoryRef, claim('ref'));
  add(FULCIO_OID.sourceRepositoryIdentifier, claim('repository_id'));
  add(FULCIO_OID.sourceRepositoryOwnerURI, `${server}/${claim('repository_owner')}`);
  add(FULCIO_OID.sourceRepositoryOwnerIdentifier, claim('repository_owner_id'));
  add(FULCIO_OID.buildConfigURI, `${server}/${claim('workflow_ref')}`);
  add(FULCIO_OID.buildConfigDigest, claim('workflow_sha'));
  add(FULCIO_OID.buildTrigger, claim('event_name'));
  add(FULCIO_OID.runInvocationURI, `${server}/${repository}/actions/runs/${claim('run_id')}/attempts/${claim('run_attempt')}`);
  if (typeof claims['repository_visibility'] === 'string') {
    add(FULCIO_OID.sourceRepositoryVisibilityAtSigning, claims['repository_visibility']);
  }
  return { subjectAltName: `${server}/${claim('job_workflow_ref')}`, extensions };
}

// --- Rekor -------------------------------------------------------------------------------------

/** Rekor v1 `POST /api/v1/log/entries`, with `dsse` entries canonicalised as the real log does. */
function rekorRoute(tlog: TLog): Route {
  return async (body) => {
    const proposed = JSON.parse(body) as { kind?: unknown };
    const entry = proposed.kind === 'dsse' ? canonicalDSSEEntry(proposed) : proposed;
    return json(201, await tlog.log(entry));
  };
}

/**
 * Real Rekor (pkg/types/dsse/v0.0.1/entry.go) never logs the proposed envelope: it verifies each
 * signature with the proposed verifiers and logs `{envelopeHash, payloadHash, signatures:
 * [{signature, verifier}]}`, signatures sorted. @sigstore/verify reads exactly those fields (one
 * signature equal to the bundle's, payloadHash equal to the payload's sha256), so an uncanonical
 * body fails with "signature count mismatch".
 */
function canonicalDSSEEntry(proposed: object): object {
  const { apiVersion, spec } = proposed as { apiVersion?: string; spec?: { proposedContent?: { envelope?: string; verifiers?: string[] } } };
  const content = spec?.proposedContent;
  if (apiVersion !== '0.0.1' || typeof content?.envelope !== 'string' || !Array.isArray(content.verifiers)) {
    throw new FakeServiceError(400, 'expected a dsse 0.0.1 entry with proposedContent');
  }
  const envelope = JSON.parse(content.envelope) as { payload: string; payloadType: string; signatures: { sig: string }[] };
  const payload = Buffer.from(envelope.payload, 'base64');
  const pae = dsse.preAuthEncoding(envelope.payloadType, payload);
  const verifiers = content.verifiers.map((b64) => Buffer.from(b64, 'base64').toString('utf8'));
  const signatures = envelope.signatures.map(({ sig }) => {
    const verifier = verifiers.find((pem) => verifySignature('sha256', pae, createPublicKey(pem), Buffer.from(sig, 'base64')));
    if (verifier === undefined) throw new FakeServiceError(400, 'a DSSE signature does not verify with any verifier');
    return { signature: sig, verifier: Buffer.from(canonicalPEM(verifier)).toString('base64') };
  });
  signatures.sort((a, b) => (a.signature < b.signature ? -1 : a.signature > b.signature ? 1 : 0));
  return {
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      envelopeHash: { algorithm: 'sha256', value: sha256Hex(Buffer.from(content.envelope)) },
      payloadHash: { algorithm: 'sha256', value: sha256Hex(payload) },
      signatures,
    },
  };
}

/** Rekor's canonical form of a verifier: PEM re-encoded (certificate or SPKI public key). */
function canonicalPEM(pem: string): string {
  return pem.includes('CERTIFICATE')
    ? new NodeX509Certificate(pem).toString()
    : createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString();
}

// --- identity tokens ---------------------------------------------------------------------------

const TOKEN_KEY_ID = 'mcpseal-test-fakes';

function mintToken(key: KeyObject, clock: Date, claims: TokenClaims): string {
  const now = Math.floor(clock.getTime() / 1000);
  const payload: TokenClaims = {
    iss: EMAIL_ISSUER,
    sub: 'publisher@example.test',
    aud: 'sigstore',
    email: 'publisher@example.test',
    email_verified: true,
    iat: now,
    exp: now + 600,
    ...claims,
  };
  // A workflow identity has no email: drop the defaults unless the caller set them.
  if (payload.iss === GITHUB_ACTIONS_ISSUER) {
    if (!('email' in claims)) delete payload.email;
    if (!('email_verified' in claims)) delete payload.email_verified;
  }
  const header = { alg: 'ES256', typ: 'JWT', kid: TOKEN_KEY_ID };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = signBytes('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** The checks Fulcio makes on a token (RFC 7519 §7.2): signature, audience, expiry, email verified. */
function verifyToken(token: string | undefined, key: KeyObject, clock: Date): TokenClaims {
  const parts = typeof token === 'string' ? token.split('.') : [];
  const [header, payload, signature] = parts;
  if (parts.length !== 3 || header === undefined || payload === undefined || signature === undefined) {
    throw new FakeServiceError(401, 'the identity token is not a JWS compact serialisation');
  }
  const signed = verifySignature('sha256', Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  if (!signed) throw new FakeServiceError(401, 'the identity token signature does not verify');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes('sigstore')) throw new FakeServiceError(401, 'the identity token audience is not sigstore');
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= clock.getTime()) throw new FakeServiceError(401, 'the identity token has expired');
  if (typeof claims.iss !== 'string' || claims.iss === '') throw new FakeServiceError(401, 'the identity token has no issuer');
  if (typeof claims.email === 'string' && claims.email_verified !== true) throw new FakeServiceError(401, 'the token email is not verified');
  if (typeof claims.email !== 'string' && (typeof claims.sub !== 'string' || claims.sub === '')) {
    throw new FakeServiceError(401, 'the identity token has no subject');
  }
  return claims;
}

// --- the HTTP server ---------------------------------------------------------------------------

class FakeServiceError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string) {
    super(message);
    this.statusCode = statusCode;
  }
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  routes: Map<string, { service: FakeRequest['service']; route: Route }>,
  requests: FakeRequest[],
  failures: Map<FakeRequest['service'], number>,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  const entry = req.method === 'POST' ? routes.get(path) : undefined;
  let result: HandlerResult;
  try {
    const body = await readBody(req);
    const injected = entry === undefined ? undefined : failures.get(entry.service);
    if (entry === undefined) {
      result = json(404, { code: 404, message: `no fake service at ${req.method} ${path}` });
    } else if (injected !== undefined) {
      failures.delete(entry.service);
      result = json(injected, { code: injected, message: `injected failure of the fake ${entry.service}` });
    } else {
      result = await entry.route(body);
    }
  } catch (error) {
    const statusCode = error instanceof FakeServiceError ? error.statusCode : 400;
    result = json(statusCode, { code: statusCode, message: error instanceof Error ? error.message : String(error) });
  }
  requests.push({ service: entry?.service ?? 'unknown', method: req.method ?? '', path, statusCode: result.statusCode });
  const payload = typeof result.response === 'string' ? result.response : bytes(result.response);
  res.writeHead(result.statusCode, { 'content-type': result.contentType ?? 'text/plain' });
  res.end(payload);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) throw new FakeServiceError(413, 'request too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// --- small helpers -----------------------------------------------------------------------------

function logInstance(baseUrl: string, publicKey: Buffer, validFor: { start: Date }, keyId = createHash('sha256').update(publicKey).digest()) {
  return {
    baseUrl,
    hashAlgorithm: HashAlgorithm.SHA2_256,
    publicKey: { rawBytes: publicKey, keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256, validFor },
    logId: { keyId },
    checkpointKeyId: undefined,
    operator: 'mcpseal-test-fakes',
  };
}

function json(statusCode: number, value: unknown): HandlerResult {
  return { statusCode, response: JSON.stringify(value), contentType: 'application/json' };
}

/** A Buffer over exactly the bytes of a view (the mock hands out views of larger buffers). */
function bytes(view: ArrayBufferView): Buffer<ArrayBuffer> {
  return Buffer.from(view.buffer as ArrayBuffer, view.byteOffset, view.byteLength);
}

function toPEM(der: ArrayBufferView): string {
  const base64 = bytes(der).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${base64.replace(/(.{64})/gu, '$1\n').replace(/\n$/u, '')}\n-----END CERTIFICATE-----\n`;
}

function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
