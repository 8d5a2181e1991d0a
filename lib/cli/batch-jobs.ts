// The per-file work of a batch, run inside a worker thread (batch-worker.ts): the same library
// call and the same report (reports.ts) as the single-file command, turned into a FileOutcome the
// main thread prints. A command joins the batch mode by adding its job here (see BATCH_JOBS).

import { MCPSealError } from '../errors.ts';
import type { InspectOptions } from '../inspect.ts';
import type { AuditSettings } from './audit-report.ts';
import type { VerifyBundleOptions } from '../verify.ts';
import { EXIT_REJECTED, errorDocument, exitStatus } from './output.ts';
import { inspectReport, verifyReport, type FileReport } from './reports.ts';

/** One file's result, as plain data that crosses the thread boundary. */
export interface FileOutcome {
  file: string;
  /** The file's own exit status: 0 passed, 1 rejected, 2 could not be checked. */
  status: number;
  /** Its JSON document on one line (JSON Lines), the same document the single-file command prints. */
  json: string;
  /** Its text report (for a failure: the file, then `error: CODE: message`). */
  lines: string[];
  /** `CODE: message` when the file failed. */
  error: string | null;
}

/**
 * The jobs a worker can run, by command name. Settings are plain data (structured-cloned into the
 * worker): files named by flags (keys, trusted roots, anchors) are read once by the main thread.
 * A job's report may carry its own exit status (audit: 1 when a risk fails, with the report).
 */
export const BATCH_JOBS = {
  async verify(file: string, settings: VerifyBundleOptions): Promise<FileReport> {
    const { verifyBundle } = await import('../verify.ts');
    return verifyReport(await verifyBundle(file, settings));
  },
  async inspect(file: string, settings: InspectOptions): Promise<FileReport> {
    const { inspectBundle } = await import('../inspect.ts');
    return inspectReport(await inspectBundle(file, settings));
  },
  async audit(file: string, settings: AuditSettings): Promise<FileReport & { status: number }> {
    const { auditFileReport } = await import('./audit-report.ts');
    return auditFileReport(file, settings);
  },
} as const;

export type BatchJobName = keyof typeof BATCH_JOBS;

/** A task sent to a worker. */
export interface BatchTask {
  index: number;
  job: BatchJobName;
  file: string;
  settings: unknown;
  /** Test hook (MCPSEAL_TEST_CRASH_WORKER): the worker dies on this file instead of checking it. */
  crash?: boolean;
}

/** Runs one task and never throws: every failure becomes the file's outcome. */
export async function runTask(task: BatchTask): Promise<FileOutcome> {
  try {
    const report = await (BATCH_JOBS[task.job] as (file: string, settings: unknown) => Promise<FileReport & { status?: number }>)(task.file, task.settings);
    return { file: task.file, status: report.status ?? 0, json: JSON.stringify({ ok: true, ...report.value }), lines: report.lines(), error: null };
  } catch (error) {
    return failedOutcome(task.file, error);
  }
}

/** The outcome of a file whose check threw (or whose worker died): the single-file error document, with the file named. */
export function failedOutcome(file: string, error: unknown): FileOutcome {
  const known =
    error instanceof MCPSealError
      ? error
      : new MCPSealError('INTERNAL_ERROR', `unexpected failure (please report it): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  const status = exitStatus(known.code);
  return {
    file,
    status,
    json: JSON.stringify(errorDocument(known, { file })),
    lines: [`${status === EXIT_REJECTED ? 'rejected:' : 'failed:'}`.padEnd(15) + file, `error:         ${known.code}: ${known.message}`],
    error: `${known.code}: ${known.message}`,
  };
}
