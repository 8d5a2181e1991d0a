// Risks 1, 7, 8 and 9 from the provenance: the signature and its signer, whether the install
// policy names that publisher, what the server.json binds, and the name against all of them.
// Stars, downloads and badges are never evidence: a claim of them is itself a finding (risk 8).

import { basename } from 'node:path';
import type { BundleFacts, SignatureFact } from './facts.ts';
import { finding } from './findings.ts';
import type { AuditFinding, RiskResult } from './model.ts';
import { codeFindings } from './risks-code.ts';
import { decided, riskResult } from './risk.ts';

function signatureFindings(signature: SignatureFact, subject: BundleFacts['subject']): { findings: AuditFinding[]; missing: string | null } {
  switch (signature.status) {
    case 'unsigned':
      if (subject.kind === 'directory') return { findings: [finding('AUDIT_UNSIGNED', 'a source directory: nothing signs it (pack and sign it, then audit the .mcpb)')], missing: null };
      return { findings: [finding('AUDIT_UNSIGNED', `no Sigstore bundle beside ${basename(subject.path)}${signature.legacyBlock ? ' (its MCPB_SIG_V1 block alone binds no identity)' : ''}`)], missing: null };
    case 'invalid':
      return { findings: [finding('AUDIT_SIGNATURE_INVALID', `${signature.code}: ${signature.message}`)], missing: null };
    case 'unchecked':
      return {
        findings: [finding('AUDIT_SIGNER_UNCHECKED', 'a Sigstore bundle is present; name the signer (--policy, --repo OWNER/NAME, --cert-identity with --cert-oidc-issuer, or --key) to verify it')],
        missing: 'the signature was not verified: name the signer with --policy, --repo, --cert-identity or --key',
      };
    case 'verified':
      return { findings: [finding('AUDIT_SIGNED', `verified (${signature.kind === 'certificate' ? 'keyless' : 'key'}): ${signature.signer ?? 'a key'}${signature.sourceRepository ? `, source ${signature.sourceRepository}` : ''}, named by ${signature.namedBy === 'policy' ? 'the policy' : 'the identity flags'}`)], missing: null };
  }
}

/** Risk 1: the signature, the manifest, and what the code does beyond its declaration. */
export function unvettedRisk(facts: BundleFacts): RiskResult {
  const { findings, missing } = signatureFindings(facts.signature, facts.subject);
  if (facts.manifest === null) return decided(1, findings, 'signed', missing ?? 'no manifest');
  for (const error of facts.manifestErrors.slice(0, 10)) findings.push(finding('AUDIT_MANIFEST_INVALID', `${error.code} at ${error.pointer || '/'}: ${error.message}`, { path: 'manifest.json' }));
  findings.push(...codeFindings(facts));
  const unread = findings.find((item) => item.code === 'AUDIT_CODE_UNREAD');
  const noCode = facts.analysis === null ? 'no code was analyzed (a manifest alone): what the code does is unknown' : null;
  return decided(1, findings, 'signed by a named signer, the manifest is valid, and the code does nothing its scopes do not declare', missing ?? unread?.message ?? noCode);
}

/** Risk 7: whether a vetted publisher (the policy's) stands behind the bundle, and the registry binding. */
export function marketplaceRisk(facts: BundleFacts): RiskResult {
  const findings: AuditFinding[] = [];
  const refusal = facts.registry?.refusal;
  if (refusal !== undefined && refusal.code !== 'REGISTRY_NAMESPACE_MISMATCH') findings.push(finding('AUDIT_REGISTRY_DIGEST_MISMATCH', `${refusal.code}: ${refusal.message}`));
  const signature = facts.signature;
  if (signature.status === 'unsigned' || signature.status === 'invalid') findings.push(finding('AUDIT_ORIGIN_UNVERIFIED', signature.status === 'unsigned' ? 'unsigned: nothing ties the bundle to a publisher' : `the signature does not verify (${signature.code})`));
  if (facts.policy === null) {
    if (signature.status === 'verified' && signature.namedBy === 'flags') return decided(7, findings, 'the signer named on the command line signed it');
    findings.push(finding('AUDIT_NO_POLICY', 'give --policy with the publishers your organisation vetted'));
    return decided(7, findings, '', 'no install policy was given: whether this publisher was vetted is unknown (give --policy)');
  }
  if (facts.policy.publisher !== null) findings.push(finding('AUDIT_PUBLISHER_IN_POLICY', `signed by the policy's publisher "${facts.policy.publisher}"`));
  else if (signature.status !== 'unsigned') findings.push(finding('AUDIT_PUBLISHER_NOT_IN_POLICY', facts.policy.nameNotAllowed ? `"${facts.policy.nameNotAllowed.publisher}" signed it but may not ship this name` : 'no publisher of the policy signed it'));
  for (const rule of facts.policy.refusals) findings.push(finding('AUDIT_POLICY_REFUSED', `${rule.code} (${rule.rule}): ${rule.message}`));
  return decided(7, findings, `a publisher the policy names signed it, and every policy rule allows it`);
}

const CLAIMS: readonly RegExp[] = [
  /\b\d[\d,.]*\s*[kKmM]?\+?\s*(?:stars|downloads|installs|users|weekly downloads|github stars)\b/u,
  /\b(?:official|verified|certified|endorsed|trusted by|recommended by|approved by|most popular|#1|number one|award[- ]winning)\b/iu,
  /\b(?:shields\.io|badgen\.net|img\.shields|badge\.fury\.io)\b/iu,
];

/** Risk 8: reputation is never evidence; a claim of it in the manifest is a finding, a vetted signer settles it. */
export function socialProofRisk(facts: BundleFacts): RiskResult {
  const findings: AuditFinding[] = [];
  const manifest = facts.manifest ?? {};
  for (const field of ['display_name', 'description', 'long_description']) {
    const text = manifest[field];
    if (typeof text !== 'string') continue;
    const claim = CLAIMS.map((pattern) => pattern.exec(text)).find((match) => match !== null);
    if (claim) findings.push(finding('AUDIT_SOCIAL_PROOF_CLAIM', `${field} claims "${claim[0]}": stars, downloads and badges are not evidence`, { path: 'manifest.json', excerpt: text.slice(Math.max(0, claim.index - 40), claim.index + 60) }));
  }
  const vetted = facts.policy?.publisher != null || (facts.signature.status === 'verified' && facts.signature.namedBy === 'flags');
  return decided(8, findings, 'a signer you named stands behind it; reputation was not used', vetted ? null : 'only a signer you vetted (--policy) settles it; stars, downloads and badges are never evidence');
}

/** Words of a name: lower case, split on separators, common MCP prefixes and suffixes dropped. */
function words(name: string): Set<string> {
  const ignored = new Set(['mcp', 'server', 'servers', 'model', 'context', 'protocol', 'io', 'github', 'com', 'dev', 'the']);
  return new Set(name.toLowerCase().split(/[^a-z0-9]+/u).filter((word) => word.length > 1 && !ignored.has(word)));
}

/** Risk 9: the name against the signer's repository, the registry namespace, the policy, well-known names. */
export function squattingRisk(facts: BundleFacts): RiskResult {
  const findings: AuditFinding[] = [];
  const name = facts.subject.name;
  if (facts.registry?.refusal?.code === 'REGISTRY_NAMESPACE_MISMATCH') findings.push(finding('AUDIT_NAMESPACE_MISMATCH', facts.registry.refusal.message));
  if (facts.policy?.nameNotAllowed) findings.push(finding('AUDIT_NAME_NOT_ALLOWED', facts.policy.nameNotAllowed.message));
  const near = name === undefined || facts.checkers.lookalikeOf === undefined ? undefined : facts.checkers.lookalikeOf(name, 'mcp');
  // The well-known name itself is no lookalike (whether its signer is that publisher is the policy's question).
  const lookalike = near !== undefined && near.toLowerCase() !== name?.toLowerCase() ? near : undefined;
  if (lookalike !== undefined && name !== undefined) findings.push(finding('AUDIT_NAME_LOOKALIKE', `"${name}" is one edit away from the well-known "${lookalike}"`, { path: 'manifest.json' }));
  const repository = facts.signature.status === 'verified' ? facts.signature.sourceRepository : null;
  if (repository !== null && name !== undefined) {
    const theirs = words(repository.replace(/^https:\/\/github\.com\//u, ''));
    if (![...words(name)].some((word) => theirs.has(word))) findings.push(finding('AUDIT_NAME_REPOSITORY_MISMATCH', `"${name}" shares no word with the signer's repository ${repository}`));
  }
  const missing = name === undefined ? 'no name to compare' : facts.checkers.lookalikeOf === undefined ? 'no list of well-known MCP server names was available to compare the name with' : facts.signature.status === 'verified' ? null : 'no verified signer to compare the name with';
  return decided(9, findings, 'the name fits its signer and resembles no well-known server', missing);
}

/** For a subject with no provenance of its own to check (a remote-only server.json): the provenance risks, unknown. */
export function provenanceUnknown(id: 1 | 7 | 8, why: string): RiskResult {
  return riskResult(id, 'unknown', why, []);
}
