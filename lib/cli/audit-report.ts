// One file's audit, as the single-file command and a batch worker (batch-jobs.ts) both run it: the
// options built from plain-data settings (the Python parser and the evidence checkers are made
// here, in the thread that audits), the report, and its rendering.

import { readFileSync } from 'node:fs';
import type { AuditOptions } from '../audit-bundle.ts';
import type { AuditReport } from '../audit/model.ts';
import { EXIT_OK, EXIT_REJECTED } from './output.ts';
import type { FileReport } from './reports.ts';

export const AUDIT_FORMATS = ['text', 'json', 'sarif', 'html'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

/** The audit's options as plain data: what crosses into a batch worker (structured clone). */
export interface AuditSettings extends Omit<AuditOptions, 'python' | 'checkers' | 'version' | 'signal'> {
  /** Start python3 for Python sources (--no-python: false). */
  python: boolean;
  /** PATH and HOME for python3. */
  pythonEnv: Record<string, string>;
}

/** Audits `target` with the evidence checkers of lib/analysis and, unless disabled, the Python parser. */
export async function auditWith(target: string, settings: AuditSettings, signal?: AbortSignal): Promise<AuditReport> {
  const [{ auditPath, ANALYSIS_CHECKERS }, { defaultPythonParser }] = await Promise.all([import('../audit-bundle.ts'), import('../suggest.ts')]);
  const { python, pythonEnv, ...options } = settings;
  return auditPath(target, {
    ...options,
    ...(python ? { python: defaultPythonParser({ env: pythonEnv }) } : {}),
    checkers: ANALYSIS_CHECKERS,
    version: mcpsealVersion(),
    ...(signal ? { signal } : {}),
  });
}

/** A batch worker's job: the report, its exit status (1 when a risk fails) and its text block. */
export async function auditFileReport(file: string, settings: AuditSettings): Promise<FileReport & { status: number }> {
  const report = await auditWith(file, settings);
  const text = await rendered(report, 'text');
  return { value: { ...report, file }, status: report.ok ? EXIT_OK : EXIT_REJECTED, lines: () => text.replace(/\n$/u, '').split('\n') };
}

/**
 * The report in `format`, drawn by the report renderers (lib/report/audit-render.ts). SARIF rules
 * come from the one finding table (lib/audit/findings.ts); SARIF paths are relative to the
 * working directory (where code scanning runs from the checkout).
 */
export async function rendered(report: AuditReport, format: AuditFormat): Promise<string> {
  const [{ AUDIT_CODES }, { renderAudit }] = await Promise.all([import('../audit/findings.ts'), import('../report/audit-render.ts')]);
  const rules = Object.entries(AUDIT_CODES).map(([code, row]) => ({ code, risk: row.risk, severity: row.severity, meaning: row.meaning }));
  const text = renderAudit(report, format, { rules, srcRoot: process.cwd() });
  return text.endsWith('\n') ? text : `${text}\n`;
}

function mcpsealVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
