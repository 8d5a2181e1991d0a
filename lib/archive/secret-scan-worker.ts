// The worker half of a split secret scan (secret-scan.ts scanForSecrets): scans the files at the
// paths it is given, in order, and posts the findings (by position in the list) or the coded
// error of the first file that failed. Paths only: the names stay on the main thread.

import { parentPort, workerData } from 'node:worker_threads';
import { isMCPSealError } from '../errors.ts';
import { scanPaths } from './secret-scan.ts';

const { paths, maxBytes } = workerData as { paths: string[]; maxBytes: number };
try {
  parentPort?.postMessage({ findings: await scanPaths(paths, maxBytes) });
} catch (error) {
  const coded = isMCPSealError(error)
    ? { code: error.code, message: error.message, details: error.details }
    : { code: 'INTERNAL_ERROR', message: error instanceof Error ? error.message : String(error), details: {} };
  parentPort?.postMessage({ error: coded });
}
