// The verification steps of a bundle's Sigstore attestation, composed by the `verify` and
// `unpack` pipelines in their own order (DESIGN.md, "The verify-before-extract pipeline"):
//   readSignatureInputs   step 3-4 inputs: the sidecar, the caller's trust choice, the trust material
//   verifyBundleSignature step 4-5: the signature and the identity policy (sigstore/verify.ts)
//   readAttestation       step 6: the in-toto statement, from the verified payload only, its entry
//                         list read against the archive (listed-entries.ts), not kept as a tree
//   attestedProvenance    step 6: an accepted provenance predicate (attest/statement.ts)
//   checkWorkflow         the predicate's workflow is the certificate's; which claims a certificate confirms
//   checkSubject          step 6: the statement is about this file (its sha256)
//   checkEntryList        mcpseal's predicate lists exactly the archive's files
//   entryDigestCheck      step 8: each extracted file has its attested digest
//   statementWhenRead     the whole statement for a result, parsed again when it is read
// The manifest step (step 7) is in bundle-manifest.ts, shared with `sign` and unsigned unpacks.

import { createHash } from 'node:crypto';
import type { Bundle } from '@sigstore/bundle';
import type { TrustMaterial } from '@sigstore/verify';
import type { Archive } from '../archive/reader.ts';
import type { ArchiveEntry } from '../archive/entry.ts';
import { MCPSEAL_BUILD_TYPE, matchingSubject, parseStatement, provenanceHead, provenanceView, type ProvenanceView, type Statement } from '../attest/statement.ts';
import { parseStreamedStatement } from '../attest/statement-stream.ts';
import { MCPSealError } from '../errors.ts';
import type { IdentityPolicy, CertificateIdentity } from './identity.ts';
import { ListedEntries } from './listed-entries.ts';
import { readSidecar, sidecarPath } from './sidecar.ts';
import { parseBundleWithPayload } from './sidecar-payload.ts';
import { readPinnedTrustedRoot } from './trust-files.ts';
import { staticTrustRoot, trustMaterialFrom, type TrustRootProvider } from './trust.ts';
import { parseSigstoreBundle, trustChoice, verifySignature, type SignatureCheck, type TrustChoice, type VerifiedSignature } from './verify.ts';

/** The trust options of a bundle verification (a subset of VerifyBundleOptions). */
export interface BundleTrustOptions {
  /** Path of the Sigstore bundle; default `<file>.sigstore.json`. */
  sigstoreBundle?: string;
  /** A trusted root document (parsed JSON); default: the pinned public-good root. */
  trustedRoot?: unknown;
  /** Where the trusted root comes from (instead of `trustedRoot`); default: the pinned public-good root. */
  trustRoot?: TrustRootProvider;
  /** PEM public key of a keyed signer: then only this key is trusted, and no certificate. */
  publicKey?: string;
  /** Who must have signed (required for keyless signatures). */
  policy?: IdentityPolicy;
  /** Require a transparency log entry (default: for certificates yes, for keys no). */
  requireTlog?: boolean;
}

/** What the signature is checked with, read and parsed before the long pass over the file. */
export interface SignatureInputs {
  sidecar: string;
  bundle: Bundle;
  choice: TrustChoice;
  trust: TrustMaterial;
  requireTlog: boolean | undefined;
}

/**
 * Reads the sidecar (bounded: a FIFO, a device or an oversized file is refused before it is read),
 * then settles the caller's trust choice (a key, or a policy that names a signer) before the
 * sidecar's content is looked at, then parses the bundle and loads the trust material.
 */
export async function readSignatureInputs(archive: Archive, path: string, options: BundleTrustOptions): Promise<SignatureInputs> {
  const sidecar = options.sigstoreBundle ?? sidecarPath(path);
  const { bundle, choice } = await readSidecarBundle(archive, sidecar, options);
  if (bundle.content.$case !== 'dsseEnvelope') {
    throw new MCPSealError('ATTESTATION_MALFORMED', 'the Sigstore bundle signs the file directly; mcpseal expects an in-toto attestation (DSSE)');
  }
  const root = usesTrustedRoot(bundle, choice, options) ? await trustRootProvider(options, archive.limits.maxTrustedRootSize).trustedRoot() : NO_AUTHORITIES;
  const trust = trustMaterialFrom(root, choice.kind === 'key' ? choice.publicKey : undefined);
  return { sidecar, bundle, choice, trust, requireTlog: options.requireTlog };
}

/**
 * The sidecar read and parsed in a frame of its own: its bytes and their text (7.7 MB each for a
 * 40,000-entry attestation) are dead once it returns, not kept alive across the trusted root's read
 * and the long pass that follow.
 */
async function readSidecarBundle(archive: Archive, sidecar: string, options: BundleTrustOptions): Promise<{ bundle: Bundle; choice: TrustChoice }> {
  const text = await readSidecar(sidecar, archive.limits.maxSigstoreBundleSize).catch((error: unknown) => {
    if (error instanceof MCPSealError && error.code === 'SIGNATURE_ABSENT' && archive.layout.signatureBlock) {
      // DESIGN: a legacy signature alone does not make a bundle acceptable (it binds no identity policy).
      throw new MCPSealError('SIGNATURE_ABSENT', `${error.message} (the file carries an ${archive.layout.signatureBlock.kind} block, which alone is not accepted)`, {
        details: error.details,
        cause: error,
      });
    }
    throw error;
  });
  const choice = trustChoice(options);
  // The DSSE payload decoded from the bytes in pieces (sidecar-payload.ts), else the whole text parsed.
  const bundle = parseBundleWithPayload(text);
  if (bundle !== null) {
    releaseBytes(text);
    return { bundle, choice };
  }
  // The bytes are freed as soon as they are text, before JSON.parse builds the document from it.
  // readSidecar held them to maxSigstoreBundleSize; the text is not measured again (a byte that is
  // not UTF-8 becomes a 3-byte U+FFFD in it, so its UTF-8 length is not the file's).
  const json = text.toString('utf8');
  releaseBytes(text);
  return { bundle: parseSigstoreBundle(json, Number.POSITIVE_INFINITY), choice };
}

/**
 * Frees a buffer's memory now instead of at the next full collection (detaching its ArrayBuffer,
 * ES2024 `ArrayBuffer.prototype.transfer`): the sidecar's 7.7 MB would otherwise sit beside the
 * attestation parsed from them and the first buffers of the pass. Only for a buffer that owns its
 * whole ArrayBuffer (over Node's pool size, it cannot be a slice of the shared pool) and that
 * nothing else holds: the caller's own.
 */
function releaseBytes(bytes: Buffer): void {
  if (bytes.byteOffset !== 0 || bytes.length <= Buffer.poolSize || !(bytes.buffer instanceof ArrayBuffer)) return;
  (bytes.buffer as ArrayBuffer & { transfer(length: number): ArrayBuffer }).transfer(0);
}

/** A trusted root with no log, CA or timestamp authority: all a key signature without log entries or timestamps is checked with. */
const NO_AUTHORITIES = { mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] };

/**
 * Whether the trusted root takes part in this verification. A key signature whose bundle carries
 * no transparency log entry and no RFC 3161 timestamp is checked against the key alone: the root's
 * log keys, CAs and timestamp authorities would check only what the bundle does not carry (and a
 * certificate is refused under --key before anything is looked up). Then the pinned root (or the
 * caller's provider) is not read: 5-10 ms of a keyed verify (read, digest, parse, the Fulcio and
 * log keys decoded). A root document the caller passed is always used, so it is always validated.
 */
function usesTrustedRoot(bundle: Bundle, choice: TrustChoice, options: BundleTrustOptions): boolean {
  if (choice.kind === 'keyless' || options.trustedRoot !== undefined) return true;
  const material = bundle.verificationMaterial;
  return material.tlogEntries.length > 0 || (material.timestampVerificationData?.rfc3161Timestamps.length ?? 0) > 0;
}

/** The caller's trusted root: a provider, a document, or the pinned public-good root. */
function trustRootProvider(options: BundleTrustOptions, maxTrustedRootSize: number): TrustRootProvider {
  if (options.trustRoot !== undefined && options.trustedRoot !== undefined) {
    throw new MCPSealError('USAGE_INVALID_ARGUMENT', 'give trustRoot or trustedRoot, not both');
  }
  if (options.trustRoot !== undefined) return options.trustRoot;
  if (options.trustedRoot !== undefined) return staticTrustRoot(options.trustedRoot);
  return { trustedRoot: () => readPinnedTrustedRoot(maxTrustedRootSize) };
}

/** Steps 4-5: the DSSE signature against the trust material, and the identity policy. */
export function verifyBundleSignature(inputs: SignatureInputs): SignatureCheck {
  return verifySignature(inputs.bundle, {}, { trust: inputs.trust, choice: inputs.choice, requireTlog: inputs.requireTlog });
}

/** The verified DSSE payload: the only bytes the statement is read from (DESIGN.md step 6). */
function dssePayload(inputs: SignatureInputs): Buffer {
  if (inputs.bundle.content.$case !== 'dsseEnvelope') throw new MCPSealError('ATTESTATION_MALFORMED', 'the Sigstore bundle holds no DSSE envelope');
  return inputs.bundle.content.dsseEnvelope.payload;
}

/**
 * The whole statement of a verified payload, parsed once for whatever reads it after the checks
 * (a result's `signature.statement` and `provenance.entries`, both for --json and batch output).
 */
const wholeStatements = new WeakMap<Buffer, Statement>();

function wholeStatement(payload: Buffer): Statement {
  let statement = wholeStatements.get(payload);
  if (statement === undefined) {
    // The payload is already a Buffer of its own (decoded from the bundle's base64): parsed in place, not copied.
    statement = parseStatement(payload);
    wholeStatements.set(payload, statement);
  }
  return statement;
}

/** The statement as read for the checks: its predicate's items already taken (or null: it was parsed whole). */
export interface Attestation {
  /** Subjects, type and predicate; the entry list is not in it when `items` is set. */
  statement: Statement;
  items: { listed: ListedEntries; source: ProvenanceView['source']; error: MCPSealError | null } | null;
  payload: Buffer;
}

/**
 * Step 6: the statement, checked as parseStatement checks it, with mcpseal's entry list read item
 * by item against the archive (attest/statement-stream.ts): 40,000 entries are then 1.3 MB of
 * digests by archive row, where the whole statement was a 5.7 MB string and 12 MB of objects.
 * A payload the streamed reading does not apply to is parsed whole, with the same verdicts.
 */
export function readAttestation(inputs: SignatureInputs, archive: Archive): Attestation {
  const payload = dssePayload(inputs);
  const listed = new ListedEntries(archive);
  const streamed = parseStreamedStatement(payload, listed);
  if (streamed === null) return { statement: parseStatement(payload), items: null, payload };
  return { statement: streamed.statement, items: { listed, source: streamed.source, error: streamed.error }, payload };
}

/** A provenance and, for mcpseal's predicate, its entry list by archive row. */
export interface AttestedProvenance {
  /** What a result reports; its `entries` are parsed again from the payload when read. */
  provenance: ProvenanceView;
  listed: ListedEntries | null;
}

/** Step 6: provenanceView's checks, in its order, on a statement read by readAttestation. */
export function attestedProvenance(attestation: Attestation, archive: Archive): AttestedProvenance {
  const items = attestation.items;
  if (items === null) {
    const provenance = provenanceView(attestation.statement);
    return { provenance, listed: provenance.entries === null ? null : listedOf(archive, provenance.entries) };
  }
  const head = provenanceHead(attestation.statement);
  if (items.error !== null) throw items.error;
  const withEntries = head.buildType === MCPSEAL_BUILD_TYPE;
  const payload = attestation.payload;
  let entries: Record<string, string> | null | undefined;
  const provenance: ProvenanceView = {
    buildType: head.buildType,
    builderId: head.builderId,
    get entries(): Record<string, string> | null {
      if (!withEntries) return null;
      entries ??= provenanceView(wholeStatement(payload)).entries;
      return entries;
    },
    source: items.source,
    workflow: head.workflow,
  };
  return { provenance, listed: withEntries ? items.listed : null };
}

/** The entry list of a provenance parsed whole, by archive row. */
function listedOf(archive: Archive, entries: Record<string, string>): ListedEntries {
  const listed = new ListedEntries(archive);
  for (const [name, sha256] of Object.entries(entries)) listed.entry(name, sha256);
  return listed;
}

/**
 * The result's whole statement, parsed again from the same verified payload bytes when it is first
 * read (the --json output, a library caller), not kept from before the pass: a verification then
 * holds the payload (5.7 MB for 40,000 entries), not its tree (12 MB), and pays the parse only
 * when the statement is asked for.
 */
export function statementWhenRead(checked: SignatureCheck, inputs: SignatureInputs): VerifiedSignature {
  let statement: Statement | undefined;
  return {
    ...checked,
    get statement(): Statement {
      statement ??= wholeStatement(dssePayload(inputs));
      return statement;
    },
  };
}

/** The statement is about this file: one subject has the file's sha256. */
export function checkSubject(statement: Statement, sha256: string): void {
  matchingSubject(statement, sha256);
}

/**
 * A fact the predicate records about the build, and whether the signing certificate confirms it.
 * The predicate is signed by whoever holds the key: with a key signature, or a certificate that
 * carries no GitHub Actions fields (an email identity), a recorded workflow or source is only
 * the signer's say-so (issue 14 item 6): shown as claimed, never as checked.
 */
export interface ProvenanceClaim {
  /** What the predicate says: `REPOSITORY/PATH@REF` for a workflow, `URI` (and commit) for a source. */
  claimed: string;
  /** True only when the certificate's Fulcio extensions carry the same value. */
  verified: boolean;
  /** Why it is, or is not, verified (for people: the text is not an API). */
  basis: string;
}

/** The predicate's workflow and source, each with whether a certificate confirms it; null when the predicate records none. */
export interface ProvenanceClaims {
  workflow: ProvenanceClaim | null;
  source: ProvenanceClaim | null;
}

/** Why nothing confirms a claim: no certificate at all, or one without GitHub Actions fields. */
function unconfirmed(identity: CertificateIdentity | null, what: string): string {
  if (identity === null) return `signed with a key: no certificate confirms the ${what}`;
  return `the certificate (${identity.subject ?? 'no subject'}) carries no GitHub Actions ${what}`;
}

/**
 * A workflow recorded in the predicate must be the one the certificate names (a mismatch is
 * ATTESTATION_PREDICATE_MISMATCH). The top-level workflow is the certificate's Build Config URI
 * (.18); with a reusable workflow the Build Signer URI (.9) names the called one instead, so it
 * is only the fallback. Returns the workflow and source claims, each marked verified only when
 * the certificate carries the same value (Fulcio OIDs 1.3.6.1.4.1.57264.1.9/.12/.13/.18).
 */
export function checkWorkflow(provenance: ProvenanceView, identity: CertificateIdentity | null): ProvenanceClaims {
  const workflow = provenance.workflow;
  const github = identity?.github;
  const certified = github?.buildConfigUri ?? github?.buildSignerUri ?? null;
  let workflowClaim: ProvenanceClaim | null = null;
  if (workflow) {
    const expected = `${workflow.repository}/${workflow.path}@${workflow.ref}`;
    if (github && certified !== null) {
      if (certified !== expected || (github.sourceRepositoryUri !== null && github.sourceRepositoryUri !== workflow.repository)) {
        throw new MCPSealError('ATTESTATION_PREDICATE_MISMATCH', 'the workflow recorded in the attestation is not the one the certificate names', {
          details: { expected, found: certified },
        });
      }
      workflowClaim = { claimed: expected, verified: true, basis: 'the certificate names this workflow' };
    } else {
      workflowClaim = { claimed: expected, verified: false, basis: unconfirmed(identity, 'workflow') };
    }
  }
  return { workflow: workflowClaim, source: sourceClaim(provenance, identity) };
}

/**
 * The predicate's source (`git+URI@REF` and a commit) is verified when the certificate's Source
 * Repository URI (.12) is its repository and its Source Repository Digest (.13) its commit.
 */
function sourceClaim(provenance: ProvenanceView, identity: CertificateIdentity | null): ProvenanceClaim | null {
  const source = provenance.source;
  if (!source) return null;
  const claimed = `${source.uri} commit ${source.commit}`;
  const github = identity?.github;
  if (!github || github.sourceRepositoryUri === null || github.sourceRepositoryDigest === null) return { claimed, verified: false, basis: unconfirmed(identity, 'source repository') };
  const sameRepository = source.uri === `git+${github.sourceRepositoryUri}` || source.uri.startsWith(`git+${github.sourceRepositoryUri}@`);
  if (sameRepository && source.commit === github.sourceRepositoryDigest) return { claimed, verified: true, basis: 'the certificate names this repository and commit' };
  return { claimed, verified: false, basis: `the certificate names ${github.sourceRepositoryUri} at ${github.sourceRepositoryDigest}` };
}

/**
 * mcpseal's predicate lists exactly the archive's files (their digests are checked as they are
 * extracted). Every file must be listed, and the lists must be as long (names are unique on both
 * sides: the reader refuses a duplicate entry, the provenance a name listed twice): then they are
 * the same set. The names that differ are collected only when they do.
 */
export function checkEntryList(archive: Archive, listed: ListedEntries | null): void {
  if (!listed) return;
  let files = 0;
  for (const entry of archive.entries) if (entry.kind === 'file') files += 1;
  if (listed.listsEveryFile() && listed.count === files) return;
  throw new MCPSealError('ATTESTATION_PREDICATE_MISMATCH', 'the attestation lists other entries than the archive holds', {
    details: { expected: listed.count, found: files, missing: listed.missing(10), extra: listed.extra(10) },
  });
}

/**
 * Step 6 for a file already hashed (`sha256`) and a signature already verified (`identity`), in
 * the one order verify and policy verify share: the statement read, its subject matched, the
 * provenance checked, the workflow claims against the certificate, the entry list against the
 * archive. (unpack runs the same steps around its extraction, in its own order.)
 */
export function checkAttestation(inputs: SignatureInputs, identity: CertificateIdentity | null, archive: Archive, sha256: string): AttestedProvenance & { claims: ProvenanceClaims } {
  const attestation = readAttestation(inputs, archive);
  checkSubject(attestation.statement, sha256);
  const { provenance, listed } = attestedProvenance(attestation, archive);
  const claims = checkWorkflow(provenance, identity);
  checkEntryList(archive, listed);
  return { provenance, listed, claims };
}

/** For extraction: every file's digest must be the one the attestation lists (none to check for GitHub provenance). */
export function entryDigestCheck(listed: ListedEntries | null): (entry: Pick<ArchiveEntry, 'name'>, sha256: string) => void {
  return (entry, sha256) => {
    if (!listed) return;
    const expected = listed.digestOf(entry.name);
    if (expected !== sha256) {
      throw new MCPSealError('ATTESTATION_PREDICATE_MISMATCH', `entry "${entry.name}" does not have the digest the attestation lists`, {
        details: { entry: entry.name, expected, found: sha256 },
      });
    }
  };
}

// Errors found in entry data before the file's digest is known that a verification which hashes
// first reports as "this is not the signed file".
const DATA_ERRORS: ReadonlySet<string> = new Set(['ARCHIVE_CRC_MISMATCH', 'ARCHIVE_SIZE_MISMATCH', 'ARCHIVE_CORRUPT_DATA', 'ATTESTATION_PREDICATE_MISMATCH']);

/**
 * For an error found in entry data before the subject check (unpack checks the subject last):
 * throws ATTESTATION_SUBJECT_MISMATCH when the file is not the signed one, which is what verify
 * (hashing first) reports for it; returns otherwise, and the caller rethrows its error.
 */
export async function explainDataError(error: unknown, archive: Archive, statement: Statement): Promise<void> {
  if (!(error instanceof MCPSealError) || !DATA_ERRORS.has(error.code)) return;
  const hash = createHash('sha256');
  const step = 4 * 1024 * 1024;
  for (let position = 0; position < archive.size; position += step) {
    hash.update(await archive.source.read(position, Math.min(step, archive.size - position)));
  }
  checkSubject(statement, hash.digest('hex'));
}
