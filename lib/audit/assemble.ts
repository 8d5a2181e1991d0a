// The ten risks of one subject, and the report around them (verdict, ok).

import { reviewManifest } from '../report/review.ts';
import type { BundleFacts } from './facts.ts';
import { worse } from './findings.ts';
import type { AuditReport, AuditSubject, ChannelEntry, RiskResult } from './model.ts';
import { RISKS } from './model.ts';
import { cloudRisk, stdioRisk } from './risks-code.ts';
import { marketplaceRisk, socialProofRisk, squattingRisk, unvettedRisk } from './risks-provenance.ts';
import { remoteRisk, serverJsonRemotes } from './risks-remote.ts';
import { dependencyRisk } from './risks-supply.ts';
import { capabilityRisk, promptInjectionRisk } from './risks-tools.ts';

/** The ten risks of a bundle or a bundle directory, in the checklist's order. */
export function bundleRisks(facts: BundleFacts): RiskResult[] {
  return [
    unvettedRisk(facts),
    promptInjectionRisk(facts),
    dependencyRisk(facts),
    remoteRisk(facts.registry === null ? [] : serverJsonRemotes(facts.registry.document), facts.registry === null ? facts.subject.path : 'server.json'),
    capabilityRisk(facts),
    stdioRisk(facts, []),
    marketplaceRisk(facts),
    socialProofRisk(facts),
    squattingRisk(facts),
    cloudRisk(facts),
  ];
}

/** The verdict: fail when a risk fails; warn when one warns or is unknown; pass otherwise. */
export function verdictOf(risks: readonly RiskResult[]): AuditReport['verdict'] {
  const worst = risks.reduce<RiskResult['status']>((status, risk) => worse(status, risk.status), 'n/a');
  return worst === 'fail' ? 'fail' : worst === 'warn' || worst === 'unknown' ? 'warn' : 'pass';
}

/** Per risk, the worst status over a client config's servers, with their findings named by server. */
export function aggregateRisks(servers: readonly ChannelEntry[]): RiskResult[] {
  return RISKS.map(({ id, title }) => {
    let status: RiskResult['status'] = 'n/a';
    let summary = servers.length === 0 ? 'the config lists no servers' : 'does not apply to any server of the config';
    const findings: RiskResult['findings'] = [];
    for (const server of servers) {
      const risk = server.risks.find((item) => item.id === id)!;
      if (worse(status, risk.status) !== status || status === 'n/a') {
        if (risk.status !== 'n/a' && worse(status, risk.status) === risk.status) summary = `${server.name}: ${risk.summary}`;
        status = worse(status, risk.status);
      }
      for (const item of risk.findings) findings.push({ ...item, message: `${server.name}: ${item.message}` });
    }
    return { id, title, status, summary, findings };
  });
}

export interface ReportExtras {
  servers?: ChannelEntry[];
  manifest?: Record<string, unknown> | null;
  version: string;
  now?: Date;
}

/** The report: ok is false exactly when a risk fails. */
export function auditReport(subject: AuditSubject, risks: RiskResult[], extras: ReportExtras): AuditReport {
  const verdict = verdictOf(risks);
  const manifest = extras.manifest ?? null;
  const command = manifest === null ? undefined : commandOf(manifest);
  return {
    ok: verdict !== 'fail',
    subject,
    verdict,
    risks,
    ...(extras.servers ? { servers: extras.servers } : {}),
    ...(manifest === null ? {} : { scopes: scopeRows(manifest) }),
    ...(command ? { command } : {}),
    tool: { name: 'mcpseal', version: extras.version },
    auditedAt: (extras.now ?? new Date()).toISOString(),
  };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function commandOf(manifest: Record<string, unknown>): string[] | undefined {
  const config = record(record(manifest['server'])['mcp_config']);
  if (typeof config['command'] !== 'string') return undefined;
  const args = Array.isArray(config['args']) ? config['args'].filter((arg): arg is string => typeof arg === 'string') : [];
  return [config['command'], ...args];
}

/** The scopes as rows of what the server can touch (the review's table, by kind). */
function scopeRows(manifest: Record<string, unknown>): NonNullable<AuditReport['scopes']> {
  const scopes = record(record(record(manifest['_meta'])['dev.mcpseal'])['scopes']);
  const review = reviewManifest(Object.keys(scopes).length === 0 ? undefined : scopes, manifest['user_config']);
  return review.touches.map((row) => {
    const kind = /^(?:network|user-driven|listen)/u.test(row.area) ? 'network' : /^(?:spawn|workers|native)/u.test(row.area) ? 'process' : /^env/u.test(row.area) ? 'env' : 'filesystem';
    return { kind, access: row.area, target: row.grant };
  });
}
