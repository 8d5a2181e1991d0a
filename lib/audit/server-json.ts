// A server.json audited alone (no bundle): its remotes (risk 4), the packages it launches from
// feeds (risk 3), its name against its repository and well-known names (9), and its claims (8).
// It holds no code and no signature: the code and provenance risks stay unknown, and say why.

import type { AuditCheckers } from './facts.ts';
import { finding } from './findings.ts';
import type { AuditFinding, RiskResult } from './model.ts';
import { decided, notApplicable, riskResult } from './risk.ts';
import { remoteRisk, serverJsonRemotes } from './risks-remote.ts';
import { npmSpecPinned, pythonSpecPinned } from './launch-command.ts';

interface Package {
  registryType?: unknown;
  identifier?: unknown;
  version?: unknown;
  fileSha256?: unknown;
}

/** One registry package: pinned when it names an exact version, an image digest, or an mcpb file's sha256. */
function packageFinding(pkg: Package, index: number, checkers: AuditCheckers): AuditFinding[] {
  const type = typeof pkg.registryType === 'string' ? pkg.registryType : '?';
  const identifier = typeof pkg.identifier === 'string' ? pkg.identifier : '';
  const version = typeof pkg.version === 'string' ? pkg.version : '';
  const evidence = { path: 'server.json', excerpt: `packages[${index}]: ${type} ${identifier} ${version}`.trim() };
  const findings: AuditFinding[] = [];
  if (type === 'mcpb') {
    if (typeof pkg.fileSha256 !== 'string') findings.push(finding('AUDIT_RUNTIME_FETCH_UNPINNED', `packages[${index}] is an mcpb file without fileSha256`, evidence));
    return findings;
  }
  const pinned = type === 'oci' ? /@sha256:[0-9a-f]{64}$/u.test(identifier) : type === 'pypi' ? pythonSpecPinned(`${identifier}==${version}`) : npmSpecPinned(`${identifier}@${version}`);
  findings.push(pinned ? finding('AUDIT_RUNTIME_FETCH_PINNED', `packages[${index}]: ${type} ${identifier} ${version}, fetched at launch with no integrity hash`, evidence) : finding('AUDIT_RUNTIME_FETCH_UNPINNED', `packages[${index}]: ${type} ${identifier} "${version}" is not an exact version${type === 'oci' ? ' or digest' : ''}`, evidence));
  const ecosystem = type === 'npm' ? 'npm' : type === 'pypi' ? 'pypi' : undefined;
  const near = ecosystem === undefined ? undefined : checkers.lookalikeOf?.(identifier, ecosystem);
  if (near !== undefined && near.toLowerCase() !== identifier.toLowerCase()) findings.push(finding('AUDIT_DEPENDENCY_LOOKALIKE', `packages[${index}]: ${identifier} is one edit away from the popular ${near}`, evidence));
  return findings;
}

function namespaceFindings(document: Record<string, unknown>, checkers: AuditCheckers): AuditFinding[] {
  const name = typeof document['name'] === 'string' ? document['name'] : '';
  const findings: AuditFinding[] = [];
  const owner = /^io\.github\.([^/]+)\//u.exec(name)?.[1];
  const repository = (document['repository'] as { url?: unknown } | undefined)?.url;
  const repoOwner = typeof repository === 'string' ? /^https:\/\/github\.com\/([^/]+)\//u.exec(repository)?.[1] : undefined;
  if (owner !== undefined && repoOwner !== undefined && owner.toLowerCase() !== repoOwner.toLowerCase()) findings.push(finding('AUDIT_NAME_REPOSITORY_MISMATCH', `${name} is in io.github.${owner}, but its repository is ${repository as string}`, { path: 'server.json' }));
  const short = name.slice(name.indexOf('/') + 1);
  const near = short === '' ? undefined : checkers.lookalikeOf?.(short, 'mcp');
  if (near !== undefined && near.toLowerCase() !== short.toLowerCase()) findings.push(finding('AUDIT_NAME_LOOKALIKE', `"${short}" is one edit away from the well-known "${near}"`, { path: 'server.json' }));
  return findings;
}

/** The ten risks of a server.json alone. */
export function serverJsonRisks(document: Record<string, unknown>, checkers: AuditCheckers): RiskResult[] {
  const packages = Array.isArray(document['packages']) ? (document['packages'] as Package[]) : [];
  const remotes = serverJsonRemotes(document);
  const noCode = 'a server.json holds no code: audit the package or bundle it names';
  const claims = typeof document['description'] === 'string' && /\b(?:official|verified|certified|\d[\d,.]*\s*[kKmM]?\+?\s*(?:stars|downloads))\b/iu.exec(document['description']);
  return [
    riskResult(1, 'unknown', 'a server.json is not signed and holds no code: audit the bundle it names (with --server-json)', []),
    riskResult(2, 'unknown', noCode, []),
    packages.length === 0 ? notApplicable(3, 'no packages: remote only') : decided(3, packages.flatMap((pkg, index) => packageFinding(pkg, index, checkers)), 'every package is an mcpb file pinned by sha256'),
    remoteRisk(remotes, 'server.json'),
    riskResult(5, 'unknown', noCode, []),
    packages.length === 0 ? notApplicable(6, 'remote only: nothing starts locally') : riskResult(6, 'unknown', noCode, []),
    riskResult(7, 'unknown', 'no signature to bind the server.json to a publisher: audit the bundle with --policy', []),
    claims ? decided(8, [finding('AUDIT_SOCIAL_PROOF_CLAIM', `description claims "${claims[0]}"`, { path: 'server.json' })], '') : riskResult(8, 'unknown', 'only a signer you vetted settles it; stars, downloads and badges are never evidence', []),
    decided(9, namespaceFindings(document, checkers), '', checkers.lookalikeOf === undefined ? 'no list of well-known names was available' : 'the registry proves the namespace; nothing here verifies a signer'),
    riskResult(10, 'unknown', noCode, []),
  ];
}
