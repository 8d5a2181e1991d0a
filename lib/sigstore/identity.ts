// The identity policy, applied by us to the verified certificate: sigstore-js's identity options
// are unanchored regular expressions (a policy for "owner/repo" would accept "evil-owner/repo-x"),
// and GitHub's workflow fields need DER decoding first.

import { ASN1Obj, X509Certificate } from '@sigstore/core';
import { MCPSealError } from '../errors.ts';

/** Fulcio certificate extension OIDs (sigstore/fulcio docs/oid-info.md). */
export const FULCIO_OIDS = {
  // Legacy, raw string values.
  issuerV1: '1.3.6.1.4.1.57264.1.1',
  githubWorkflowTrigger: '1.3.6.1.4.1.57264.1.2',
  githubWorkflowSha: '1.3.6.1.4.1.57264.1.3',
  githubWorkflowName: '1.3.6.1.4.1.57264.1.4',
  githubWorkflowRepository: '1.3.6.1.4.1.57264.1.5',
  githubWorkflowRef: '1.3.6.1.4.1.57264.1.6',
  // From .8 on, DER-encoded UTF8String values.
  issuer: '1.3.6.1.4.1.57264.1.8',
  buildSignerUri: '1.3.6.1.4.1.57264.1.9',
  buildSignerDigest: '1.3.6.1.4.1.57264.1.10',
  runnerEnvironment: '1.3.6.1.4.1.57264.1.11',
  sourceRepositoryUri: '1.3.6.1.4.1.57264.1.12',
  sourceRepositoryDigest: '1.3.6.1.4.1.57264.1.13',
  sourceRepositoryRef: '1.3.6.1.4.1.57264.1.14',
  sourceRepositoryIdentifier: '1.3.6.1.4.1.57264.1.15',
  sourceRepositoryOwnerUri: '1.3.6.1.4.1.57264.1.16',
  sourceRepositoryOwnerIdentifier: '1.3.6.1.4.1.57264.1.17',
  buildConfigUri: '1.3.6.1.4.1.57264.1.18',
  buildConfigDigest: '1.3.6.1.4.1.57264.1.19',
  buildTrigger: '1.3.6.1.4.1.57264.1.20',
  runInvocationUri: '1.3.6.1.4.1.57264.1.21',
} as const;

export interface CertificateIdentity {
  /** The subject alternative name: an email, or a URI such as a GitHub workflow identity. */
  subject: string | null;
  issuer: string | null;
  /** Decoded GitHub Actions fields, when the certificate carries them. */
  github: {
    buildSignerUri: string | null;
    buildSignerDigest: string | null;
    runnerEnvironment: string | null;
    sourceRepositoryUri: string | null;
    sourceRepositoryDigest: string | null;
    sourceRepositoryRef: string | null;
    buildConfigUri: string | null;
    buildTrigger: string | null;
    runInvocationUri: string | null;
  };
}

/** A policy over the signer. Every field given must hold; exact comparisons unless named regexp. */
export interface IdentityPolicy {
  /** The exact subject (email or URI). */
  certIdentity?: string;
  /** A pattern the whole subject must match: always anchored, even when written without ^...$. */
  certIdentityRegexp?: string;
  /** The exact OIDC issuer. */
  certOidcIssuer?: string;
  /** GitHub `owner/name` of the source repository (the certificate's Source Repository URI, 1.3.6.1.4.1.57264.1.12). */
  repo?: string;
  /**
   * The workflow that signed (the Build Signer URI: for a reusable workflow, the called one):
   * `owner/repo/.github/workflows/file.yml`, or `.github/workflows/file.yml` in `repo`. Never
   * enough alone: the policy must also name `repo`, or an identity with its issuer.
   */
  signerWorkflow?: string;
  /** The exact source ref, e.g. `refs/tags/v1.0.0`. */
  sourceRef?: string;
  /** A pattern the whole source ref must match (anchored like certIdentityRegexp), e.g. `refs/tags/v.*`. */
  sourceRefRegexp?: string;
  /** The exact source commit sha. */
  sourceDigest?: string;
  /** Refuse certificates issued to self-hosted runners. */
  denySelfHostedRunners?: boolean;
}

/** The issuer of GitHub Actions tokens: what `--repo` implies (as `gh attestation verify` does). */
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

/**
 * Whether a policy names a signer (a keyless signature needs one): the source repository, or an
 * exact identity (or an anchored pattern) with the issuer that vouches for it. A workflow, a ref
 * or an issuer alone names no one: `.github/workflows/release.yml` exists in every repository,
 * and a reusable workflow's Build Signer URI is the *called* workflow, whoever called it
 * (`gh attestation verify` likewise requires `--owner` or `--repo`).
 */
export function hasIdentityPolicy(policy: IdentityPolicy): boolean {
  const identity = policy.certIdentity !== undefined || policy.certIdentityRegexp !== undefined;
  return policy.repo !== undefined || (identity && policy.certOidcIssuer !== undefined);
}

/**
 * The policy as it is applied: `--repo` implies the GitHub Actions issuer; a policy that names no
 * one (see hasIdentityPolicy) is IDENTITY_POLICY_REQUIRED, a usage error of the caller's.
 */
export function completePolicy(policy: IdentityPolicy): IdentityPolicy {
  if (policy.certIdentityRegexp !== undefined && policy.certIdentity === undefined && policy.repo === undefined) checkPatternNamesSomeone(policy.certIdentityRegexp);
  if (policy.certIdentity !== undefined || policy.certIdentityRegexp !== undefined || policy.repo !== undefined) {
    if (policy.certOidcIssuer !== undefined) return policy;
    if (policy.repo !== undefined) return { ...policy, certOidcIssuer: GITHUB_ACTIONS_ISSUER };
    throw new MCPSealError('IDENTITY_POLICY_REQUIRED', 'an identity policy needs --cert-oidc-issuer: the same identity means different people at different issuers');
  }
  const alone = policy.signerWorkflow !== undefined || policy.sourceRef !== undefined || policy.sourceRefRegexp !== undefined || policy.sourceDigest !== undefined;
  throw new MCPSealError(
    'IDENTITY_POLICY_REQUIRED',
    alone
      ? 'a workflow, ref or commit alone names no one (every repository can have that workflow, and any repository can call a reusable one): add --repo OWNER/NAME, or --cert-identity with --cert-oidc-issuer'
      : 'the bundle is signed by a certificate: name the signer with --repo, or --cert-identity / --cert-identity-regexp with --cert-oidc-issuer',
  );
}

/** Identities of no one in particular: a pattern that matches one of them matches anyone's signature. */
const STRANGERS = ['https://github.com/mcpseal-stranger/unrelated/.github/workflows/release.yml@refs/heads/main', 'stranger@mcpseal-unrelated.invalid'];

/**
 * The identity pattern is the only thing naming the signer (no --repo, no exact identity): one
 * that a stranger's identity matches (`.*`, `(a|.*)`, `https://github\.com/.+`) names no one,
 * whatever the issuer.
 */
function checkPatternNamesSomeone(pattern: string): void {
  const compiled = anchoredPattern(pattern);
  const stranger = STRANGERS.find((identity) => compiled.test(identity));
  if (stranger !== undefined) {
    throw new MCPSealError('IDENTITY_POLICY_REQUIRED', `--cert-identity-regexp ${JSON.stringify(pattern.slice(0, 80))} matches anyone's identity (it matches "${stranger}"): name the repository or the exact identity`);
  }
}

function utf8Extension(cert: X509Certificate, oid: string): string | null {
  const extension = cert.extension(oid);
  if (!extension) return null;
  try {
    const obj = ASN1Obj.parseBuffer(extension.value as Buffer<ArrayBuffer>);
    // UTF8String, universal tag 12 (X.680); Fulcio uses it for every extension from .8 on.
    if (obj.tag.number !== 12 || obj.tag.constructed) return null;
    return obj.value.toString('utf8');
  } catch {
    return null;
  }
}

function rawExtension(cert: X509Certificate, oid: string): string | null {
  const extension = cert.extension(oid);
  return extension ? extension.value.toString('utf8') : null;
}

/** Reads the signer identity from a Fulcio certificate (DER). */
export function certificateIdentity(der: Buffer): CertificateIdentity {
  const cert = X509Certificate.parse(der as Buffer<ArrayBuffer>);
  const san = cert.extSubjectAltName;
  const subject = san?.uri ?? san?.rfc822Name ?? null;
  const field = (v2: string, legacy?: string): string | null => utf8Extension(cert, v2) ?? (legacy ? rawExtension(cert, legacy) : null);
  const legacyRepository = rawExtension(cert, FULCIO_OIDS.githubWorkflowRepository);
  return {
    subject,
    issuer: field(FULCIO_OIDS.issuer, FULCIO_OIDS.issuerV1),
    github: {
      buildSignerUri: field(FULCIO_OIDS.buildSignerUri),
      buildSignerDigest: field(FULCIO_OIDS.buildSignerDigest),
      runnerEnvironment: field(FULCIO_OIDS.runnerEnvironment),
      sourceRepositoryUri: field(FULCIO_OIDS.sourceRepositoryUri) ?? (legacyRepository ? `https://github.com/${legacyRepository}` : null),
      sourceRepositoryDigest: field(FULCIO_OIDS.sourceRepositoryDigest, FULCIO_OIDS.githubWorkflowSha),
      sourceRepositoryRef: field(FULCIO_OIDS.sourceRepositoryRef, FULCIO_OIDS.githubWorkflowRef),
      buildConfigUri: field(FULCIO_OIDS.buildConfigUri),
      buildTrigger: field(FULCIO_OIDS.buildTrigger, FULCIO_OIDS.githubWorkflowTrigger),
      runInvocationUri: field(FULCIO_OIDS.runInvocationUri),
    },
  };
}

/** Compiles a user's identity pattern so it must match the whole identity. */
export function anchoredPattern(pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch (cause) {
    throw new MCPSealError('USAGE_INVALID_ARGUMENT', `--cert-identity-regexp is not a valid regular expression: ${(cause as Error).message}`, { cause });
  }
}

function mismatch(what: string, expected: unknown, found: unknown): never {
  throw new MCPSealError('IDENTITY_MISMATCH', `${what}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(found)}`, {
    details: { expected, found },
  });
}

/**
 * The workflow that signed (Build Signer URI, .9; for a reusable workflow the called one). The
 * short form `.github/workflows/F.yml` is resolved against `policy.repo` when it is given, so it
 * never matches a workflow of the same name in another repository.
 */
function checkSignerWorkflow(identity: CertificateIdentity, workflow: string, repo: string | undefined): void {
  const signer = identity.github.buildSignerUri ?? identity.subject;
  const withoutRef = signer?.split('@')[0] ?? null;
  const wanted = workflow.replace(/^https:\/\/github\.com\//u, '');
  let ok: boolean;
  if (!wanted.startsWith('.github/')) ok = withoutRef === `https://github.com/${wanted}`;
  else if (repo !== undefined) {
    // GitHub owner and repository names are case-insensitive; the path is compared exactly.
    const prefix = `https://github.com/${repo}/`;
    ok = withoutRef !== null && withoutRef.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase() && withoutRef.slice(prefix.length) === wanted;
  } else ok = withoutRef !== null && withoutRef.endsWith(`/${wanted}`) && /^https:\/\/github\.com\/[^/]+\/[^/]+\/\.github\//u.test(withoutRef);
  if (!ok) mismatch('signer workflow', workflow, signer);
}

/** Applies `policy` to the verified signer identity; throws IDENTITY_MISMATCH on the first field that differs. */
export function checkIdentity(identity: CertificateIdentity, policy: IdentityPolicy): void {
  if (policy.certIdentity !== undefined && identity.subject !== policy.certIdentity) mismatch('certificate identity', policy.certIdentity, identity.subject);
  if (policy.certIdentityRegexp !== undefined && (identity.subject === null || !anchoredPattern(policy.certIdentityRegexp).test(identity.subject))) {
    mismatch('certificate identity', `^(?:${policy.certIdentityRegexp})$`, identity.subject);
  }
  if (policy.certOidcIssuer !== undefined && identity.issuer !== policy.certOidcIssuer) mismatch('OIDC issuer', policy.certOidcIssuer, identity.issuer);
  const github = identity.github;
  if (policy.repo !== undefined) {
    // GitHub owner and repository names are case-insensitive; everything else compares exactly.
    const expected = `https://github.com/${policy.repo}`.toLowerCase();
    if (github.sourceRepositoryUri?.toLowerCase() !== expected) mismatch('source repository', `https://github.com/${policy.repo}`, github.sourceRepositoryUri);
  }
  if (policy.signerWorkflow !== undefined) checkSignerWorkflow(identity, policy.signerWorkflow, policy.repo);
  if (policy.sourceRef !== undefined && github.sourceRepositoryRef !== policy.sourceRef) mismatch('source ref', policy.sourceRef, github.sourceRepositoryRef);
  if (policy.sourceRefRegexp !== undefined && (github.sourceRepositoryRef === null || !anchoredPattern(policy.sourceRefRegexp).test(github.sourceRepositoryRef))) {
    mismatch('source ref', `^(?:${policy.sourceRefRegexp})$`, github.sourceRepositoryRef);
  }
  if (policy.sourceDigest !== undefined && github.sourceRepositoryDigest?.toLowerCase() !== policy.sourceDigest.toLowerCase()) {
    mismatch('source commit', policy.sourceDigest, github.sourceRepositoryDigest);
  }
  if (policy.denySelfHostedRunners === true && github.runnerEnvironment !== 'github-hosted') {
    mismatch('runner environment', 'github-hosted', github.runnerEnvironment);
  }
}
