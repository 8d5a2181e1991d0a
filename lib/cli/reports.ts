// What the CLI prints for one bundle, assembled in one place: the single-file commands and the
// batch workers (batch-jobs.ts) both call these, so a file checked in a batch reads exactly as
// the same file checked alone.

import type { InspectResult } from '../inspect.ts';
import type { LegacyVerification } from '../legacy/index.ts';
import type { ServerJsonCheck } from '../registry/check.ts';
import type { ProvenanceClaims } from '../sigstore/bundle-steps.ts';
import type { VerifiedSignature } from '../sigstore/verify.ts';
import type { BundleVerification } from '../verify.ts';
import { formatBytes } from './output.ts';
import { reviewLines, reviewOf } from './review.ts';

/** One file's report: the JSON value (printed as `{ ok: true, ...value }`) and its text lines. */
export interface FileReport {
  value: Record<string, unknown>;
  lines: () => string[];
}

/** Lines describing a verified signature, for text output. */
export function signatureLines(signature: VerifiedSignature): string[] {
  const lines: string[] = [];
  if (signature.identity) {
    const id = signature.identity;
    lines.push(`signer:        ${id.subject ?? '(none)'}`, `issuer:        ${id.issuer ?? '(none)'}`);
    const gh = id.github;
    if (gh.sourceRepositoryUri) lines.push(`repository:    ${gh.sourceRepositoryUri}`);
    if (gh.sourceRepositoryRef) lines.push(`ref:           ${gh.sourceRepositoryRef}`);
    if (gh.sourceRepositoryDigest) lines.push(`commit:        ${gh.sourceRepositoryDigest}`);
    if (gh.buildConfigUri ?? gh.buildSignerUri) lines.push(`workflow:      ${gh.buildConfigUri ?? gh.buildSignerUri}`);
    if (gh.runnerEnvironment) lines.push(`runner:        ${gh.runnerEnvironment}`);
  } else {
    lines.push(`signer:        key ${signature.keyHint ?? '(no hint)'}`);
  }
  for (const entry of signature.tlog) lines.push(`log entry:     index ${entry.logIndex}${entry.integratedTime ? `, integrated ${entry.integratedTime}` : ''}`);
  if (signature.tlog.length === 0) lines.push('log entry:     none');
  for (const time of signature.timestamps) lines.push(`timestamp:     ${time}`);
  return lines;
}

/** Lines describing a server.json check, for text output. */
export function registryLines(registry: ServerJsonCheck): string[] {
  const namespace = registry.namespace;
  return [
    `registry:      ${registry.name} ${registry.version}: packages[${registry.package.index}] fileSha256 matches (${registry.package.identifier})`,
    namespace.status === 'bound'
      ? `namespace:     ${namespace.namespace} bound to the signer's repository ${namespace.repository}`
      : `namespace:     ${namespace.namespace} unchecked: ${namespace.reason}`,
  ];
}

/**
 * A certificate's distinguished name on one line: node's X509Certificate.subject puts one RDN per
 * line ("C=US\nO=Example\nCN=Publisher"), which printed as a signer name broke the report's lines.
 */
export function distinguishedName(subject: string): string {
  return subject.split(/\r?\n/u).filter((part) => part !== '').join(', ');
}

/** One line for a legacy MCPB_SIG_V1 block's verification. */
export function legacyLine(legacy: LegacyVerification | null): string {
  if (!legacy) return 'legacy block:  none';
  const who = legacy.signer ? ` by ${distinguishedName(legacy.signer.subject)}${legacy.selfSigned ? ' (self-signed)' : ''}` : '';
  return `legacy block:  ${legacy.block?.kind ?? 'MCPB_SIG_V1'} ${legacy.status}${who}${legacy.code ? ` (${legacy.code}: ${legacy.reason})` : ''}`;
}


/**
 * The predicate's claims no certificate confirms (issue 14 item 6): printed as claimed, never
 * beside the certificate's facts as if checked. Confirmed ones are already among the signer's
 * lines (signatureLines prints the certificate's repository, commit and workflow).
 */
export function claimLines(claims: ProvenanceClaims): string[] {
  const lines: string[] = [];
  if (claims.workflow && !claims.workflow.verified) lines.push(`workflow:      ${claims.workflow.claimed} (claimed, not verified: ${claims.workflow.basis})`);
  if (claims.source && !claims.source.verified) lines.push(`source:        ${claims.source.claimed} (claimed, not verified: ${claims.source.basis})`);
  return lines;
}

/** What `verify` prints for a verified bundle. */
export function verifyReport(result: BundleVerification): FileReport {
  const review = reviewOf(result.manifest);
  return {
    value: { ...result, review },
    lines: () => [
      `verified:      ${result.file}`,
      `sha256:        ${result.sha256}`,
      ...signatureLines(result.signature),
      ...claimLines(result.claims),
      `attestation:   ${result.sigstoreBundle} (${result.provenance.buildType ?? result.signature.statement?.predicateType ?? 'statement'})`,
      `manifest:      ${result.manifest.name ?? '(none)'} ${result.manifest.version ?? ''} (${result.validation.profile} profile: valid)`,
      `command line:  ${result.manifest.commandLine?.join(' ') ?? '(none)'}`,
      legacyLine(result.legacy),
      ...(result.registry ? registryLines(result.registry) : []),
      ...reviewLines(review),
    ],
  };
}

/** What `inspect` prints for a bundle that passed the strict reader. */
export function inspectReport(result: InspectResult): FileReport {
  const m = result.manifest;
  const review = reviewOf(m);
  return {
    value: { ...result, review },
    lines: () => [
      `file:          ${result.file}`,
      `sha256:        ${result.sha256}`,
      `size:          ${formatBytes(result.size)}`,
      `name:          ${m.name ?? '(none)'}${m.displayName ? ` (${m.displayName})` : ''}`,
      `version:       ${m.version ?? '(none)'}`,
      `manifest:      ${m.manifestVersion ?? '(no manifest_version)'}`,
      `server type:   ${m.serverType ?? '(none)'}`,
      `entry point:   ${m.entryPoint ?? '(none)'}`,
      `command line:  ${m.commandLine ? m.commandLine.map(quoteArg).join(' ') : '(none)'}`,
      `entries:       ${result.entries.count} (${result.entries.files} files, ${result.entries.directories} directories)`,
      `uncompressed:  ${formatBytes(result.entries.totalSize)}`,
      `data checked:  ${result.dataChecked ? 'yes, every entry inflated, sizes and CRC-32 match' : 'no (use --check-data)'}`,
      `sigstore:      ${result.signatures.sigstoreBundle ?? 'none'}`,
      legacyLine(result.signatures.legacy),
      ...reviewLines(review),
    ],
  };
}

/** An argument as a POSIX shell would need it quoted to read back as one word. */
export function quoteArg(arg: string): string {
  return /^[\w@%+=:,./${}-]+$/u.test(arg) ? arg : `'${arg.replace(/'/gu, `'\\''`)}'`;
}
