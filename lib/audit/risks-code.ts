// Risks 1 (the code's part), 6 and 10 from the analyzer's observations against the declared
// scopes. A bundle without code evidence (a server.json, a manifest alone) leaves them unknown.

import type { AnalysisReport, Observation } from '../analysis/model.ts';
import type { Scopes } from '../scopes/model.ts';
import {
  contactedHosts,
  egressAllows,
  envDeclared,
  evidenceOf,
  isCloudCredentialEnv,
  isCloudStore,
  isObfuscation,
  ownRunning,
  secretStoreOf,
  spawnDeclared,
  spawnsShell,
} from './code-evidence.ts';
import type { BundleFacts } from './facts.ts';
import { finding } from './findings.ts';
import type { AuditFinding, RiskResult } from './model.ts';
import { decided } from './risk.ts';
import { providerOf } from './providers.ts';

/** Most findings of one code listed per risk (the rest are counted in the last one's message). */
const MAX_PER_CODE = 20;

function capped(findings: AuditFinding[]): AuditFinding[] {
  const byCode = new Map<string, AuditFinding[]>();
  for (const item of findings) {
    const group = byCode.get(item.code);
    if (group === undefined) byCode.set(item.code, [item]);
    else group.push(item);
  }
  const kept: AuditFinding[] = [];
  for (const group of byCode.values()) {
    kept.push(...group.slice(0, MAX_PER_CODE));
    if (group.length > MAX_PER_CODE) kept[kept.length - 1] = { ...kept[kept.length - 1]!, message: `${kept[kept.length - 1]!.message} (and ${group.length - MAX_PER_CODE} more like it)` };
  }
  return kept;
}

/** Own code the analyzer could not read to the end: what keeps the code risks from passing. */
/** secret-path kinds that hold cloud credentials: risk 10 reports them (isCloudStore). */
const CLOUD_SECRETS: ReadonlySet<string> = new Set(['aws', 'gcloud', 'azure', 'kube']);

export function unreadOwnCode(report: AnalysisReport): string | null {
  const own = report.unknowns.filter((unknown) => unknown.origin === 'own');
  if (own.length === 0) return null;
  return `${own.length} file${own.length === 1 ? '' : 's'} of the server's own code could not be analyzed (${own.slice(0, 3).map((unknown) => `${unknown.path}: ${unknown.reason}`).join('; ')})`;
}

/** Risk 1's code findings: undeclared egress and env, home secrets, computed and fetched code. */
export function codeFindings(facts: BundleFacts): AuditFinding[] {
  const report = facts.analysis;
  if (report === null) return [];
  const own = ownRunning(report);
  const findings: AuditFinding[] = [];
  const userDriven = facts.scopes?.network.userDriven !== undefined;
  for (const [host, observation] of contactedHosts(own)) {
    if (!egressAllows(facts.scopes, host)) findings.push(finding('AUDIT_EGRESS_UNDECLARED', `contacts ${host}, not in network.egress${userDriven ? ' (user-driven egress covers hosts the user picks, not ones written in the code)' : ''}`, evidenceOf(observation)));
  }
  const picked = own.find((item) => item.kind === 'network' && item.toolInput === true);
  if (picked !== undefined && !userDriven) findings.push(finding('AUDIT_EGRESS_UNDECLARED', `contacts hosts a tool's input picks (${picked.detail}), and network.userDriven is not declared`, evidenceOf(picked)));
  const listens = own.find((item) => item.kind === 'listen');
  if (listens !== undefined && facts.scopes?.network.listen !== true) findings.push(finding('AUDIT_LISTEN_UNDECLARED', `listens for connections (${listens.detail}), and network.listen is not true`, evidenceOf(listens)));
  for (const observation of own.filter((item) => item.kind === 'env-read')) {
    if (!envDeclared(facts.scopes, observation.detail) && !isCloudCredentialEnv(observation.detail)) findings.push(finding('AUDIT_ENV_UNDECLARED', `reads ${observation.detail}, not in env.read`, evidenceOf(observation)));
  }
  for (const observation of report.observations.filter((item) => (item.kind === 'fs-read' || item.kind === 'fs-write') && item.test !== true)) {
    const store = secretStoreOf(observation);
    if (store !== null && !isCloudStore(store)) findings.push(finding('AUDIT_HOME_SECRET_ACCESS', `${observation.kind === 'fs-write' ? 'writes' : 'reads'} ~/${store}${observation.origin === 'dependency' ? ` (in the bundled package ${observation.package ?? '?'})` : ''}`, evidenceOf(observation)));
  }
  // The analyzer's own secret-path observations (analysis/secrets.ts: strings that name a secret
  // store, browser profile or keychain) where no file access above already reported the line.
  const reported = new Set(findings.filter((item) => item.code === 'AUDIT_HOME_SECRET_ACCESS').map((item) => `${item.evidence?.path}:${item.evidence?.line}`));
  for (const observation of report.observations.filter((item) => item.kind === 'secret-path' && item.test !== true && !CLOUD_SECRETS.has(item.detail))) {
    if (reported.has(`${observation.evidence.path}:${observation.evidence.line}`)) continue;
    findings.push(finding('AUDIT_HOME_SECRET_ACCESS', `names the ${observation.detail} secret store${observation.origin === 'dependency' ? ` (in the bundled package ${observation.package ?? '?'})` : ''}`, evidenceOf(observation)));
  }
  for (const observation of report.observations.filter((item) => item.test !== true && isObfuscation(item))) {
    findings.push(finding('AUDIT_OBFUSCATED_CODE', `evaluates fetched or decoded code (${observation.detail})${observation.origin === 'dependency' ? ` in the bundled package ${observation.package ?? '?'}` : ''}`, evidenceOf(observation)));
  }
  for (const observation of own.filter((item) => item.kind === 'dynamic-code' && !isObfuscation(item))) {
    findings.push(finding('AUDIT_DYNAMIC_CODE', `runs computed code (${observation.detail})`, evidenceOf(observation)));
  }
  const unread = unreadOwnCode(report);
  if (unread !== null) findings.push(finding('AUDIT_CODE_UNREAD', unread));
  return capped(findings);
}

/** Risk 6: the programs the code starts against process.spawn. */
export function stdioRisk(facts: BundleFacts, launch: AuditFinding[]): RiskResult {
  const report = facts.analysis;
  if (report === null) return decided(6, launch, 'the launch starts no shell', launch.length > 0 ? null : 'no code was analyzed: give the bundle or its directory');
  const findings: AuditFinding[] = [...launch];
  const declared = facts.scopes?.process.spawn ?? [];
  for (const observation of ownRunning(report).filter((item) => item.kind === 'spawn')) findings.push(...ownSpawn(observation, facts.scopes, declared));
  const dependencies = report.observations.filter((item) => item.kind === 'spawn' && item.origin === 'dependency' && item.test !== true);
  const packages = [...new Set(dependencies.map((item) => item.package ?? '?'))];
  if (packages.length > 0) findings.push(finding('AUDIT_DEPENDENCY_SPAWN', `bundled packages that can start processes: ${packages.slice(0, 10).join(', ')}${packages.length > 10 ? ', ...' : ''}`, evidenceOf(dependencies[0]!)));
  const passed = declared.length > 0 ? `the code starts only the declared programs (${declared.join(', ')})` : 'the server\'s own code starts no process';
  return decided(6, capped(findings), passed, unreadOwnCode(report));
}

function ownSpawn(observation: Observation, scopes: Scopes | null, declared: readonly string[]): AuditFinding[] {
  if (spawnsShell(observation)) return [finding('AUDIT_SPAWN_SHELL', `starts a shell${observation.detail ? ` (${observation.detail})` : ''}`, evidenceOf(observation))];
  if (observation.detail === '') {
    return [declared.length > 0 ? finding('AUDIT_SPAWN_DYNAMIC', `starts a program it computes; declared: ${declared.join(', ')}`, evidenceOf(observation)) : finding('AUDIT_SPAWN_UNDECLARED', 'starts a program it computes, and process.spawn declares none', evidenceOf(observation))];
  }
  return spawnDeclared(scopes, observation.detail) ? [] : [finding('AUDIT_SPAWN_UNDECLARED', `starts ${observation.detail}, not in process.spawn`, evidenceOf(observation))];
}

/** Risk 10: cloud credentials the code reads, and the cloud providers it talks to. */
export function cloudRisk(facts: BundleFacts): RiskResult {
  const report = facts.analysis;
  const findings: AuditFinding[] = [];
  const declared = facts.scopes === null ? [] : [...facts.scopes.env.read, ...facts.scopes.env.secrets].filter(isCloudCredentialEnv);
  if (declared.length > 0) findings.push(finding('AUDIT_CLOUD_CREDENTIAL_DECLARED', `the scopes grant ${[...new Set(declared)].join(', ')}`));
  const hosts = new Set<string>((facts.scopes?.network.egress ?? []).map((rule) => rule.host.toLowerCase()));
  if (report !== null) {
    for (const host of contactedHosts(ownRunning(report)).keys()) hosts.add(host);
    findings.push(...credentialReads(report, facts.scopes));
  }
  const providers = new Map<string, string[]>();
  for (const host of hosts) {
    const provider = providerOf(host);
    if (provider !== null) providers.set(provider, [...(providers.get(provider) ?? []), host]);
  }
  for (const [provider, names] of providers) findings.push(finding('AUDIT_CLOUD_EGRESS', `${provider}: ${names.sort().join(', ')}`));
  if (report === null) return decided(10, findings, 'no cloud credentials declared', 'no code was analyzed: which credentials the server reads is unknown');
  return decided(10, capped(findings), providers.size > 0 ? 'cloud hosts contacted, with no cloud credentials read or granted' : 'no cloud credentials read or granted', unreadOwnCode(report));
}

function credentialReads(report: AnalysisReport, scopes: Scopes | null): AuditFinding[] {
  const findings: AuditFinding[] = [];
  for (const observation of report.observations.filter((item) => item.test !== true)) {
    if (observation.kind === 'env-read' && isCloudCredentialEnv(observation.detail) && !envDeclared(scopes, observation.detail)) {
      findings.push(finding('AUDIT_CLOUD_CREDENTIAL_UNDECLARED', `reads ${observation.detail}${observation.origin === 'dependency' ? ` (in the bundled package ${observation.package ?? '?'})` : ''}, not declared in env`, evidenceOf(observation)));
    }
    if (observation.kind === 'fs-read' || observation.kind === 'fs-write') {
      const store = secretStoreOf(observation);
      if (store !== null && isCloudStore(store)) findings.push(finding('AUDIT_CLOUD_CREDENTIAL_UNDECLARED', `reads the cloud credential store ~/${store}`, evidenceOf(observation)));
    }
  }
  return findings;
}
