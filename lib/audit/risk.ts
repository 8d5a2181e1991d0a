// One risk's result, built the same way by every evaluator.

import { statusOf } from './findings.ts';
import { RISKS, type AuditFinding, type RiskId, type RiskResult, type RiskStatus } from './model.ts';

export function riskResult(id: RiskId, status: RiskStatus, summary: string, findings: AuditFinding[]): RiskResult {
  return { id, title: RISKS.find((risk) => risk.id === id)!.title, status, summary, findings };
}

/**
 * The status the findings decide, with the evidence gap: `unknown` when nothing failed or warned
 * but `missing` says what evidence is absent. The summary says why, in one line.
 */
export function decided(id: RiskId, findings: AuditFinding[], passed: string, missing: string | null = null): RiskResult {
  const status = statusOf(findings);
  if (status === 'pass' && missing !== null) return riskResult(id, 'unknown', missing, findings);
  const worst = findings.find((item) => item.severity === 'critical' || item.severity === 'high') ?? findings.find((item) => item.severity === 'medium' || item.severity === 'low');
  return riskResult(id, status, status === 'pass' ? passed : `${worst!.code}: ${worst!.message}`, findings);
}

export function notApplicable(id: RiskId, why: string): RiskResult {
  return riskResult(id, 'n/a', why, []);
}
