// One entry point for every audit report format (issue 13 item 4): the CLI's `--format` picks
// one, and the string it returns is what goes to stdout or `--out FILE`. The renderers compute
// nothing about risks: they show the AuditReport (audit-model.ts) the audit built.

import { renderAuditHtml } from './audit-html.ts';
import type { AuditReport } from './audit-model.ts';
import { auditSarif, type AuditRule } from './audit-sarif.ts';
import { renderAuditText } from './audit-text.ts';

export type AuditFormat = 'text' | 'json' | 'sarif' | 'html';

export const AUDIT_FORMATS: readonly AuditFormat[] = ['text', 'json', 'sarif', 'html'];

export interface RenderAuditOptions {
  /**
   * The audit's finding table (lib/audit/findings.ts: code -> risk, severity, meaning), which
   * SARIF turns into rules with help text. Passed in because report/ sits below audit/ and cannot
   * import it; a code missing from it still gets a rule, described by its risk only.
   */
  rules?: readonly AuditRule[];
  /** SARIF `tool.driver.informationUri`; defaults to the project's site. */
  informationUri?: string;
  /**
   * SARIF: the absolute directory artifact URIs are relative to (the repository root, usually
   * the working directory). Without it an absolute path is named by its file name alone.
   */
  srcRoot?: string;
}

/**
 * Characters that must not reach a reader raw, outside the ASCII controls JSON.stringify already
 * escapes: DEL and C1 controls, format characters (bidi overrides, zero-width, tags), line and
 * paragraph separators. They only occur inside strings, where `\uXXXX` is the same value.
 */
const JSON_UNSAFE = /[\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}]/gu;

/** JSON text with every character of JSON_UNSAFE written as an escape: the same value, safe bytes. */
export function safeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(JSON_UNSAFE, (char) => {
    let escaped = '';
    for (let i = 0; i < char.length; i++) escaped += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
    return escaped;
  });
}

/**
 * The report in `format`: `text` (lines for a terminal, no trailing newline), `json` (the report
 * itself: ok, subject, verdict, risks, ...), `sarif` (SARIF 2.1.0 for code scanning) or `html` (a
 * self-contained review page). Every untrusted string is escaped by the renderer, so the output is
 * safe wherever it is written; the CLI's terminal escaping applies on top for stdout.
 */
export function renderAudit(report: AuditReport, format: AuditFormat, options: RenderAuditOptions = {}): string {
  switch (format) {
    case 'text':
      return renderAuditText(report);
    case 'json':
      return safeJson(report);
    case 'sarif':
      return safeJson(auditSarif(report, options));
    case 'html':
      return renderAuditHtml(report);
  }
}

export type { AuditRule } from './audit-sarif.ts';
