// What the text and HTML renderers of an audit report share: status words and symbols (so no
// status is told by colour alone), where a finding's evidence is, the command line as a shell
// would read it, and the one escaping rule for untrusted strings (a bundle's names, tool
// descriptions, excerpts): lib/analysis/excerpt.ts escapeControls, the class the hardened
// manifest profile refuses (controls, bidi overrides and isolates, zero-width and tag characters),
// made visible as `\u` escapes. Renderers escape every string of the report through it, even the
// ones the audit already escaped, so no format depends on the caller's escaping.

import { escapeControls } from '../analysis/excerpt.ts';
import type { AuditEvidence, AuditReport, RiskResult, RiskStatus, Severity } from './audit-model.ts';

/** An untrusted string with control, bidi and invisible characters made visible. */
export function safe(text: string): string {
  return escapeControls(text);
}

/** Longest excerpt shown (the audit bounds them already; a renderer does not rely on it). */
const MAX_EXCERPT = 300;

/** The excerpt as shown: escaped and bounded. */
export function safeExcerpt(excerpt: string): string {
  const escaped = safe(excerpt);
  return escaped.length > MAX_EXCERPT ? `${escaped.slice(0, MAX_EXCERPT)}…` : escaped;
}

/** The status as a word a reader sees without colour. */
export const STATUS_WORD: Record<RiskStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', unknown: 'UNKNOWN', 'n/a': 'N/A' };

/** A symbol beside the word, readable in monochrome print and by a screen reader's word. */
export const STATUS_SYMBOL: Record<RiskStatus, string> = { pass: '✓', warn: '!', fail: '✗', unknown: '?', 'n/a': '–' };

export const VERDICT_WORD: Record<AuditReport['verdict'], string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' };

/** Severities from the most to the least serious, for sorting findings. */
export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** `path:line` (or `path`) of a finding's evidence, escaped. */
export function evidenceWhere(evidence: AuditEvidence): string {
  return safe(evidence.line === undefined ? evidence.path : `${evidence.path}:${evidence.line}`);
}

/** The verdict in one sentence: how many risks fail, warn and are unknown. */
export function verdictSentence(report: AuditReport): string {
  const count = (status: RiskStatus): number => report.risks.filter((risk) => risk.status === status).length;
  const parts = [`${count('fail')} failing`, `${count('warn')} to review`, `${count('unknown')} unknown`];
  const advice = report.verdict === 'fail' ? 'do not install' : report.verdict === 'warn' ? 'review before installing' : 'no risk found in the evidence';
  return `${VERDICT_WORD[report.verdict]}: ${advice} (${parts.join(', ')})`;
}

/** Findings of a risk, most serious first (stable within a severity). */
export function sortedFindings(risk: RiskResult): RiskResult['findings'] {
  return [...risk.findings].sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
}

/** Characters a POSIX shell reads literally outside quotes. */
const SHELL_PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/u;

/**
 * The command line as one string a POSIX shell reads back into the same argv: plain words as
 * they are, every other word single-quoted (a `'` inside becomes `'\''`), then escaped, so an
 * argument with a newline or a bidi override cannot make the line read as something else.
 */
export function shellLine(argv: readonly string[]): string {
  return safe(argv.map((arg) => (SHELL_PLAIN.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`)).join(' '));
}
