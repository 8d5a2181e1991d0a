// Content-based secret detection before packing (issue 10 item 6). The name rules (collect.ts)
// miss a `deploy_key` holding a PEM key, a `service-account.json`, a token pasted into a config
// file: here each file's first bytes are matched against the formats credentials take. A match
// names the file and the kind of secret, never the secret itself. Bounded: at most
// `SECRET_SCAN_BYTES` of each file are read, one file at a time into one buffer.

import { setImmediate } from 'node:timers/promises';
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { MCPSealError, type ErrorCode } from '../errors.ts';
import { ioError } from '../io.ts';

const YIELD_EVERY = 512;

/** Bytes read from the start of each file (a key or a credentials file is far smaller). */
export const SECRET_SCAN_BYTES = 1024 * 1024;

/** What was found, and where: the file's archive name, the kind, the 1-based line. */
export interface SecretFinding {
  name: string;
  kind: string;
  line: number;
}

/**
 * The formats: each needs the secret's body, not only its label, so code that merely spells a
 * PEM header (key import routines in jose, webcrypto) is not taken for a key. JSON strings hold
 * line breaks as `\n`, hence `(?:\\n|\s)` between a header and its base64.
 */
const PATTERNS: readonly { kind: string; pattern: RegExp }[] = [
  { kind: 'GCP service account key (JSON with "private_key")', pattern: /"type"\s*:\s*"service_account"[\s\S]{0,4000}?"private_key"\s*:\s*"-----BEGIN/u },
  { kind: 'PEM private key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:\\[rn]|\s)*(?:Proc-Type:|[A-Za-z0-9+/=]{40})/u },
  { kind: 'PuTTY private key', pattern: /^PuTTY-User-Key-File-\d+:/mu },
  { kind: 'AWS secret access key', pattern: /aws_secret_access_key["']?\s*[=:]\s*["']?[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])/iu },
  { kind: 'AWS access key ID', pattern: /\b(?:AKIA|ASIA)(?!(?:[0-9A-Z]{9})EXAMPLE)[0-9A-Z]{16}\b/u },
  { kind: 'GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{50,})\b/u },
  { kind: 'Slack token', pattern: /\bxox[baprs]-[0-9]{6,}-[A-Za-z0-9-]{6,}/u },
  { kind: 'npm access token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/u },
  { kind: 'Stripe live secret key', pattern: /\b[sr]k_live_[0-9A-Za-z]{24,}\b/u },
  { kind: 'Anthropic API key', pattern: /\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,}/u },
  { kind: 'OAuth client secret (JSON)', pattern: /"client_secret"\s*:\s*"[A-Za-z0-9_-]{20,}"/u },
];

/**
 * A `.pgpass` file (hostname:port:database:username:password per line, PostgreSQL libpq docs
 * §34.16): every non-comment line has that shape, and there is at least one. The host is `*`, a
 * name, an address or a socket directory (a letter, a dot or a slash), so "12:30:45:00:99" is not one.
 */
const PGPASS_LINE = /^(?:\*|[\w.\/-]*[A-Za-z.\/][\w.\/-]*):(?:\d{1,5}|\*):(?:[^:\s]|\\:)+:(?:[^:\s]|\\:)+:\S+$/u;

/** The first secret in `text` (latin1 of a file's first bytes), or undefined. */
export function findSecret(text: string): { kind: string; line: number } | undefined {
  for (const { kind, pattern } of PATTERNS) {
    const match = pattern.exec(text);
    if (match) return { kind, line: lineOf(text, match.index) };
  }
  if (looksLikePgpass(text)) return { kind: PGPASS_KIND, line: 1 };
  return undefined;
}

const PGPASS_KIND = 'PostgreSQL password file (.pgpass format)';

/** Every non-comment line has the .pgpass shape, and there is one; stops at the first line that has not. */
function looksLikePgpass(text: string): boolean {
  if (text.length > 64 * 1024) return false;
  let lines = 0;
  // Line by line as split(/\r?\n/u) would cut them, without splitting a whole file that fails on its first line.
  for (let start = 0; start <= text.length; ) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const line = text.slice(start, newline !== -1 && text[end - 1] === '\r' && end - 1 >= start ? end - 1 : end);
    start = end + 1;
    if (line.trim() === '' || line.startsWith('#')) continue;
    if (!PGPASS_LINE.test(line)) return false;
    lines++;
  }
  return lines > 0;
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < index; at = text.indexOf('\n', at + 1)) line++;
  return line;
}

/** Options of scanForSecrets. */
export interface SecretScanOptions {
  maxBytes?: number;
  /** Accepted for compatibility; the scan is synchronous (see scanForSecrets). */
  concurrency?: number;
  /**
   * From this many bytes of files on, half of them (by bytes) are scanned on a worker thread
   * while this thread scans the other half (default 64 MiB; Infinity: never). The regular
   * expressions over every file's start were the largest serial step of pack (2.1 s of 13 at
   * 420 MB, before any compression can start).
   */
  parallelFrom?: number;
}

const PARALLEL_FROM = 64 * 1024 * 1024;

// The worker entry beside this module: secret-scan-worker.ts from the sources (tests run them
// with Node's type stripping), secret-scan-worker.js in dist/.
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './secret-scan-worker.ts' : './secret-scan-worker.js', import.meta.url);

/**
 * Scans the files (their first `maxBytes`); returns every finding in name order. The reads are
 * synchronous into one reused buffer: the tree was just walked and sits in the page cache, and
 * four promise round trips per file (open, fstat, read, close) cost 3 s of CPU for 20,000 files,
 * most of pack's listing time. A large tree is split with a worker thread (`parallelFrom`).
 */
export async function scanForSecrets(files: readonly { name: string; path: string; size?: number }[], options: SecretScanOptions = {}): Promise<SecretFinding[]> {
  const maxBytes = options.maxBytes ?? SECRET_SCAN_BYTES;
  const split = splitPoint(files, maxBytes, options.parallelFrom ?? PARALLEL_FROM);
  if (split === 0) return sortFindings(await scanFiles(files, maxBytes));
  // The worker takes the first part, this thread the rest; an error of the first part wins, as
  // it would in one pass in order.
  const head = files.slice(0, split);
  const first = scanOnWorker(head.map((file) => file.path), maxBytes).then((found) => found.map(({ index, ...finding }) => ({ name: head[index]!.name, ...finding })));
  const rest = await scanFiles(files.slice(split), maxBytes).then(
    (findings) => ({ findings }),
    (error: unknown) => ({ error }),
  );
  const headFindings = await first;
  if ('error' in rest) throw rest.error;
  return sortFindings([...headFindings, ...rest.findings]);
}

/** Scans `files` in order on this thread. */
async function scanFiles(files: readonly { name: string; path: string }[], maxBytes: number): Promise<SecretFinding[]> {
  const found = await scanPaths(files.map((file) => file.path), maxBytes);
  return found.map(({ index, ...finding }) => ({ name: files[index]!.name, ...finding }));
}

/** A finding by the position of the file in the list scanned (the worker gets paths only). */
export type IndexedFinding = Omit<SecretFinding, 'name'> & { index: number };

/** Scans the files at `paths` in order on this thread. */
export async function scanPaths(paths: readonly string[], maxBytes: number): Promise<IndexedFinding[]> {
  const buffer = Buffer.allocUnsafeSlow(maxBytes);
  const findings: IndexedFinding[] = [];
  for (const [index, path] of paths.entries()) {
    // Let timers and signal handlers (a user's Ctrl-C) run now and then.
    if (index % YIELD_EVERY === YIELD_EVERY - 1) await setImmediate();
    const found = findSecret(readStart(path, buffer).toString('latin1'));
    if (found) findings.push({ index, ...found });
  }
  return findings;
}

function sortFindings(findings: SecretFinding[]): SecretFinding[] {
  return findings.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Where to split `files` into two halves of about equal bytes, or 0 to scan them all here. */
function splitPoint(files: readonly { size?: number }[], maxBytes: number, parallelFrom: number): number {
  if (files.length < 2 || availableParallelism() < 2) return 0;
  const sizes = files.map((file) => Math.min(maxBytes, file.size ?? maxBytes));
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (total < parallelFrom) return 0;
  let bytes = 0;
  for (let i = 0; i < sizes.length; i++) {
    bytes += sizes[i]!;
    if (bytes >= total / 2) return Math.max(1, i);
  }
  return 0;
}

/** Scans the files at `paths` on a worker thread; its error (a coded one) is rethrown here. */
function scanOnWorker(paths: string[], maxBytes: number): Promise<IndexedFinding[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { workerData: { paths, maxBytes } });
    let settled = false;
    worker.once('message', (message: { findings: IndexedFinding[] } | { error: { code: ErrorCode; message: string; details: Record<string, unknown> } }) => {
      settled = true;
      if ('findings' in message) resolve(message.findings);
      else reject(new MCPSealError(message.error.code, message.error.message, { details: message.error.details }));
    });
    worker.once('error', (error) => {
      settled = true;
      reject(new MCPSealError('INTERNAL_ERROR', `the secret scan's worker failed: ${error.message}`, { cause: error }));
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new MCPSealError('INTERNAL_ERROR', `the secret scan's worker exited with code ${code}`));
    });
  });
}

/** The first `buffer.length` bytes of a regular file (a FIFO swapped in since the walk is refused, not waited on). */
function readStart(path: string, buffer: Buffer): Buffer {
  let fd: number;
  try {
    fd = openSync(path, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
  } catch (cause) {
    throw ioError(cause, path, 'read');
  }
  try {
    if (!fstatSync(fd).isFile()) throw notRegular(path);
    let filled = 0;
    for (let read = -1; filled < buffer.length && read !== 0; filled += read) read = readSync(fd, buffer, filled, buffer.length - filled, filled);
    return buffer.subarray(0, filled);
  } catch (cause) {
    if (cause instanceof MCPSealError) throw cause;
    throw ioError(cause, path, 'read');
  } finally {
    closeSync(fd);
  }
}

function notRegular(path: string): MCPSealError {
  return new MCPSealError('IO_READ_FAILED', `${path} is not a regular file`, { details: { path } });
}
