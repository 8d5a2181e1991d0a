// The audit report for a terminal (issue 13 item 4): one line per risk (number, status word,
// title, why), then the findings grouped by risk with their evidence, then the verdict. No colour
// here (the CLI owns colour and NO_COLOR): the status is a word. Every string from the report is
// escaped (audit-format.ts safe), and the CLI escapes each line again on its way out.

import { evidenceWhere, safe, safeExcerpt, shellLine, sortedFindings, STATUS_WORD, verdictSentence } from './audit-format.ts';
import type { AuditReport, AuditSubject, ChannelEntry, RiskResult } from './audit-model.ts';

/** The report as lines of text, without a trailing newline. */
export function renderAuditText(report: AuditReport): string {
  const lines = [
    ...subjectLines(report.subject),
    '',
    ...riskLines(report.risks, ''),
    ...findingLines(report.risks, ''),
    ...(report.servers === undefined ? [] : serverLines(report.servers)),
    ...(report.command === undefined ? [] : ['', `command: ${shellLine(report.command)}`]),
    '',
    `verdict: ${verdictSentence(report)}`,
  ];
  return lines.join('\n');
}

function subjectLines(subject: AuditSubject): string[] {
  const name = subject.name === undefined ? '' : ` ${safe(subject.name)}${subject.version === undefined ? '' : `@${safe(subject.version)}`}`;
  const lines = [`audit of ${subject.kind}${name}: ${safe(subject.path)}`];
  if (subject.sha256 !== undefined) lines.push(`sha256: ${safe(subject.sha256)}`);
  const signature = subject.signature;
  if (signature !== undefined) {
    const parts = [`signature: ${signature.status}`];
    if (signature.code !== undefined) parts.push(`(${safe(signature.code)})`);
    if (signature.signer !== undefined) parts.push(`signer ${safe(signature.signer)}`);
    if (signature.sourceRepository !== undefined) parts.push(`source ${safe(signature.sourceRepository)}`);
    lines.push(parts.join(' '));
  }
  return lines;
}

/** One line per risk: ` 3  FAIL     Dependency confusion: why`. */
function riskLines(risks: readonly RiskResult[], indent: string): string[] {
  return risks.map((risk) => `${indent}${String(risk.id).padStart(2)}  ${STATUS_WORD[risk.status].padEnd(7)}  ${safe(risk.title)}: ${safe(risk.summary)}`);
}

function findingLines(risks: readonly RiskResult[], indent: string): string[] {
  const lines: string[] = [];
  for (const risk of risks) {
    if (risk.findings.length === 0) continue;
    lines.push('', `${indent}risk ${risk.id} ${safe(risk.title)} (${STATUS_WORD[risk.status]}):`);
    for (const finding of sortedFindings(risk)) {
      lines.push(`${indent}  ${safe(finding.code)} [${finding.severity}] ${safe(finding.message)}`);
      if (finding.evidence === undefined) continue;
      lines.push(`${indent}    at ${evidenceWhere(finding.evidence)}`);
      if (finding.evidence.excerpt !== undefined) lines.push(`${indent}    | ${safeExcerpt(finding.evidence.excerpt)}`);
    }
  }
  return lines;
}

/** A client config: each server entry with its install channel, its risks and findings. */
function serverLines(servers: readonly ChannelEntry[]): string[] {
  const lines = ['', `servers (${servers.length}):`];
  for (const server of servers) {
    lines.push('', `  ${safe(server.name)}: ${server.channel} ${safe(server.target)} (${server.pinned ? 'pinned' : 'not pinned'})`);
    lines.push(...riskLines(server.risks, '  '), ...findingLines(server.risks, '  '));
  }
  return lines;
}
