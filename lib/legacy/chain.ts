// Certificate path building and validation for the legacy signer (a reduced RFC 5280 §6):
// from the signer's certificate through the block's other certificates to a caller-given trust
// anchor. Signatures and issuer matching use node:crypto (OpenSSL's X509_check_issued compares
// the names, the key identifiers and the issuer's keyCertSign usage); the constraints below are
// checked on every certificate of the path. Not evaluated: revocation, policies, name
// constraints (refused when critical), and the anchors' own extensions (an anchor is trusted by
// configuration, RFC 5280 §6.1.1(d)); anchors must be within their validity period.

import type { X509Certificate } from 'node:crypto';
import type { LegacyErrorCode } from '../errors.ts';
import { canSignCertificates, canSignContent, claimsSelfSigned, isSelfSigned, isValidAt, parseCertificate, verifiesWith, OID, type Certificate } from './certificate.ts';
import { parseDer } from './der.ts';

/** The longest path considered, signer and anchor included. */
const MAX_PATH = 8;

/**
 * The most issuer candidates tried (each a signature verification) while building a path. The
 * certificates come from the attacker's block: a dozen certificates of one name under one key
 * issue each other in every order, and a depth-first search over them is exponential (issue 9
 * follow-up: 8 such certificates took 1 s, 12 would take hours). A real chain is a handful of
 * certificates in a line (and a block may hold no certificate off its path), so the budget only
 * ever stops a hostile block, which then gets no chain: never a valid status it should not have.
 */
const MAX_CANDIDATES = 256;

export interface ChainFailure {
  code: LegacyErrorCode;
  reason: string;
}

export interface ChainResult {
  /** Signer first; the last element issued by (or equal to) `anchor`. */
  path: Certificate[];
  anchor: X509Certificate;
}

// Anchors' parsed fields, read on demand (a system store holds hundreds of roots).
const parsedAnchors = new WeakMap<X509Certificate, Certificate | null>();

function parsedAnchor(anchor: X509Certificate): Certificate | null {
  if (!parsedAnchors.has(anchor)) {
    let parsed: Certificate | null = null;
    try {
      parsed = parseCertificate(parseDer(anchor.raw, 'trust anchor'));
    } catch {
      // Not strict DER: the anchor still works through OpenSSL's issuer check alone.
    }
    parsedAnchors.set(anchor, parsed);
  }
  return parsedAnchors.get(anchor) ?? null;
}

/**
 * Whether `issuer` is the certificate `subject` names as its issuer. OpenSSL's X509_check_issued
 * (names, key identifiers, and the issuer's keyCertSign usage) or, short of the usage, the same
 * issuer Name and a matching authority key identifier when both sides have one (RFC 5280
 * §4.2.1.1). This decides what a failed signature means; whether the issuer may issue is
 * checked for the path's edges separately.
 */
function identifies(subject: Certificate, issuer: X509Certificate, parsed: () => Certificate | null): boolean {
  if (subject.x509.checkIssued(issuer)) return true;
  if (issuer.subject !== subject.x509.issuer) return false;
  const fields = parsed();
  if (!fields) return false;
  const aki = subject.authorityKeyIdentifier;
  const ski = fields.subjectKeyIdentifier;
  return fields.subjectDer.equals(subject.issuerDer) && (aki === null || ski === null || aki.equals(ski));
}

/**
 * The first path from `signer` to an anchor that passes every check at `at`, or the reason none
 * does. A certificate whose issuer is at hand (same name and key identifier) but whose signature
 * does not verify under that issuer's key has been altered: that is LEGACY_BAD_SIGNATURE, apart
 * from the merely untrusted. An edge of the path also needs OpenSSL's X509_check_issued (names,
 * key identifiers, the issuer's keyCertSign usage).
 */
export function buildChain(signer: Certificate, pool: readonly Certificate[], anchors: readonly X509Certificate[], at: Date): ChainResult | ChainFailure {
  let firstFailure: ChainFailure | null = null;
  let forged: ChainFailure | null = null;
  let candidatesLeft = MAX_CANDIDATES;
  const altered = (certificate: Certificate): ChainFailure => ({
    code: 'LEGACY_BAD_SIGNATURE',
    reason: `the signature of certificate "${certificate.x509.subject}" does not verify under its issuer's key: the certificate was altered`,
  });

  const visit = (path: Certificate[]): ChainResult | null => {
    const current = path[path.length - 1]!;
    // The certificate itself is an anchor (a pinned leaf or intermediate).
    const pinned = anchors.find((anchor) => anchor.raw.equals(current.der));
    const ends: X509Certificate[] = pinned ? [pinned] : [];
    for (const anchor of anchors) {
      if (anchor === pinned || !identifies(current, anchor, () => parsedAnchor(anchor))) continue;
      if (!verifiesWith(current.x509, anchor)) forged ??= altered(current);
      else if (current.x509.checkIssued(anchor)) ends.push(anchor);
    }
    for (const anchor of ends) {
      const failure = checkPath(path, anchor, at);
      if (!failure) return { path, anchor };
      firstFailure ??= failure;
    }
    if (pinned || path.length + 1 >= MAX_PATH) return null;
    for (const candidate of pool) {
      if (path.includes(candidate) || !identifies(current, candidate.x509, () => candidate)) continue;
      if (--candidatesLeft < 0) return null;
      if (!verifiesWith(current.x509, candidate.x509)) {
        forged ??= altered(current);
        continue;
      }
      if (!current.x509.checkIssued(candidate.x509)) continue;
      const found = visit([...path, candidate]);
      if (found) return found;
    }
    return null;
  };

  // A certificate that claims to be self-signed but whose self-signature fails was altered.
  if (claimsSelfSigned(signer) && !isSelfSigned(signer)) {
    return { code: 'LEGACY_BAD_SIGNATURE', reason: `the self-signature of certificate "${signer.x509.subject}" does not verify: the certificate was altered` };
  }
  const found = visit([signer]);
  if (found) return found;
  if (candidatesLeft < 0) {
    return { code: 'LEGACY_UNTRUSTED', reason: `no chain from "${signer.x509.subject}" found within ${MAX_CANDIDATES} issuer candidates: the block's certificates issue each other in loops` };
  }
  if (forged) return forged;
  if (firstFailure) return firstFailure;
  if (isSelfSigned(signer)) return { code: 'LEGACY_SELF_SIGNED', reason: `the signer's certificate "${signer.x509.subject}" is self-signed and not a trust anchor` };
  // Say so when an anchor has the right name but another key: the certificate's authority key
  // identifier names a different issuer key (a re-keyed CA, or an altered identifier).
  const namesake = [...pool.map((certificate) => certificate.x509), ...anchors].find(
    (candidate) => candidate.subject === signer.x509.issuer && !candidate.raw.equals(signer.der),
  );
  const hint = namesake ? `; "${namesake.subject}" is at hand but is not the issuer the certificate names (another key)` : '';
  return { code: 'LEGACY_UNTRUSTED', reason: `no chain from "${signer.x509.subject}" reaches a trust anchor${hint}` };
}

/** The RFC 5280 checks on one candidate path, signer first, at the signing time. */
function checkPath(path: readonly Certificate[], anchor: X509Certificate, at: Date): ChainFailure | null {
  for (let i = 0; i < path.length; i++) {
    const certificate = path[i]!;
    const name = `"${certificate.x509.subject}"`;
    // RFC 5280 §4.2: unknown critical extensions make a certificate unusable.
    if (certificate.unknownCritical.length > 0) {
      return { code: 'LEGACY_CERTIFICATE_REJECTED', reason: `certificate ${name} has critical extensions mcpseal does not process (${certificate.unknownCritical.join(', ')})` };
    }
    if (i > 0) {
      // RFC 5280 §4.2.1.9, §6.1.4(k)-(n): an issuer must be a CA allowed to sign certificates,
      // with room in its path length for the CAs below it (i - 1 of them).
      if (!canSignCertificates(certificate)) return { code: 'LEGACY_CERTIFICATE_REJECTED', reason: `certificate ${name} issues another but is not a CA allowed to sign certificates` };
      const pathLength = certificate.basicConstraints?.pathLength;
      if (pathLength !== null && pathLength !== undefined && i - 1 > pathLength) {
        return { code: 'LEGACY_CERTIFICATE_REJECTED', reason: `certificate ${name} allows ${pathLength} CAs below it, the path has ${i - 1}` };
      }
    }
    if (!isValidAt(certificate.x509, at)) {
      return { code: 'LEGACY_CERTIFICATE_EXPIRED', reason: `certificate ${name} is not valid at the signing time ${at.toISOString()} (valid ${certificate.x509.validFromDate.toISOString()} to ${certificate.x509.validToDate.toISOString()})` };
    }
  }
  if (!isValidAt(anchor, at)) {
    return { code: 'LEGACY_CERTIFICATE_EXPIRED', reason: `trust anchor "${anchor.subject}" is not valid at the signing time ${at.toISOString()}` };
  }
  const signer = path[0]!;
  // The signer's key signs content: digitalSignature when KeyUsage is present (RFC 5280 §4.2.1.3),
  // and the codeSigning purpose is required: absence of ExtKeyUsage is not accepted as "any purpose".
  if (!canSignContent(signer)) return { code: 'LEGACY_CERTIFICATE_REJECTED', reason: `the signer's certificate "${signer.x509.subject}" may not sign content (KeyUsage lacks digitalSignature)` };
  if (!signer.extKeyUsage?.includes(OID.codeSigning)) {
    return { code: 'LEGACY_NOT_CODE_SIGNING', reason: `the signer's certificate "${signer.x509.subject}" lacks the codeSigning extended key usage (${OID.codeSigning})` };
  }
  return null;
}

export function isChainFailure(result: ChainResult | ChainFailure): result is ChainFailure {
  return 'code' in result;
}
