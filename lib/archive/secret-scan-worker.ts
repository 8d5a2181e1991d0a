// The worker half of a split secret scan (secret-scan.ts scanForSecrets): scans the files it is
// given, in order, and posts the findings or the coded error of the first file that failed.

import { parentPort, workerData } from 'node:worker_threads';
import { isMCPSealError } from '../errors.ts';
import { scanFiles } from './secret-scan.ts';

const { files, maxBytes } = workerData as { files: { name: string; path: string }[]; maxBytes: number };
try {
  parentPort?.postMessage({ findings: await scanFiles(files, maxBytes) });
} catch (error) {
  const coded = isMCPSealError(error)
    ? { code: error.code, message: error.message, details: error.details }
    : { code: 'INTERNAL_ERROR', message: error instanceof Error ? error.message : String(error), details: {} };
  parentPort?.postMessage({ error: coded });
}
