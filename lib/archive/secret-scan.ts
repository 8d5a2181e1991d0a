// Content-based secret detection before packing (issue 10 item 6). The name rules (collect.ts)
// miss a `deploy_key` holding a PEM key, a `service-account.json`, a token pasted into a config
// file: here each file's first bytes are matched against the formats credentials take. A match
// names the file and the kind of secret, never the secret itself. Bounded: at most
// `SECRET_SCAN_BYTES` of each file are read, one file at a time into one buffer.

import { setImmediate } from 'node:timers/promises';
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync } from 'node:fs';
import { MCPSealError } from '../errors.ts';
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

/**
 * Bytes of which every match of PATTERNS holds one (at least one per pattern): a file that holds
 * none cannot match any pattern, and its text is never built nor run through the regexes. The
 * AWS pattern is case-insensitive: its match ends in `_key` in some case, hence the eight
 * spellings (no latin1 character folds to an ASCII letter under /iu). A new pattern must add its
 * needle here, or it is never tried (a test checks each pattern's examples pass the screen).
 */
export const SECRET_NEEDLES: readonly string[] = [
  '"service_account"',
  'PRIVATE KEY',
  'PuTTY-User-Key-File-',
  ...caseSpellings('_key'),
  'AKIA',
  'ASIA',
  'ghp_',
  'gho_',
  'ghu_',
  'ghs_',
  'ghr_',
  'github_pat_',
  ...['b', 'a', 'p', 'r', 's'].map((kind) => `xox${kind}`),
  'npm_',
  'k_live_',
  'sk-ant-',
  '"client_secret"',
];

/** Every spelling of `word` in upper and lower case letters. */
function caseSpellings(word: string): string[] {
  let spellings = [''];
  for (const char of word) {
    const cases = char.toLowerCase() === char.toUpperCase() ? [char] : [char.toLowerCase(), char.toUpperCase()];
    spellings = spellings.flatMap((start) => cases.map((next) => start + next));
  }
  return spellings;
}

/** Positions looked up by the screen: every third one (needles are four bytes or more). */
const STRIDE = 3;

/**
 * Finds whether any of a set of needles (STRIDE + 1 bytes or more) occurs in a byte string, in
 * one pass. The 11 regexes cost 2.1 s of CPU on the 420 MB bench tree (each a full irregexp pass
 * over every file's first MiB, plus a latin1 string per file), and one native `Buffer.indexOf`
 * per needle 0.05-0.3 s each, 2.5 s for the 28 needles (issue 14). Here only every third
 * position is looked up: a match starting at s covers one such position s + k (k < 3) with the
 * byte pair there inside it, so the pair is registered for each offset k of each needle; the rare
 * pairs that hit are then compared in full.
 */
class NeedleScreen {
  /** Bit k: some needle holds this byte pair at offset k. */
  readonly #table = new Uint8Array(65536);
  /** Per offset k, the needles by the byte pair they hold there. */
  readonly #at: Map<number, Buffer[]>[] = Array.from({ length: STRIDE }, () => new Map<number, Buffer[]>());

  constructor(needles: readonly string[]) {
    for (const text of needles) {
      const needle = Buffer.from(text, 'latin1');
      if (needle.length < STRIDE + 1) throw new Error(`a needle needs ${STRIDE + 1} bytes: ${text}`);
      for (let k = 0; k < STRIDE; k++) {
        const key = (needle[k]! << 8) | needle[k + 1]!;
        this.#table[key]! |= 1 << k;
        this.#at[k]!.set(key, [...(this.#at[k]!.get(key) ?? []), needle]);
      }
    }
  }

  /** Whether one of the needles occurs in `bytes`. */
  test(bytes: Uint8Array): boolean {
    const table = this.#table;
    const end = bytes.length - 1;
    for (let i = 0; i < end; i += STRIDE) {
      const key = (bytes[i]! << 8) | bytes[i + 1]!;
      const bits = table[key]!;
      if (bits !== 0 && this.#hit(bytes, i, key, bits)) return true;
    }
    return false;
  }

  #hit(bytes: Uint8Array, position: number, key: number, bits: number): boolean {
    for (let k = 0; k < STRIDE; k++) {
      if ((bits & (1 << k)) !== 0 && position >= k && anyAt(bytes, position - k, this.#at[k]!.get(key)!)) return true;
    }
    return false;
  }
}

/** Whether one of `needles` occurs in `bytes` at `start`. */
function anyAt(bytes: Uint8Array, start: number, needles: readonly Buffer[]): boolean {
  return needles.some((needle) => {
    if (start + needle.length > bytes.length) return false;
    for (let j = 0; j < needle.length; j++) if (bytes[start + j] !== needle[j]) return false;
    return true;
  });
}

const SCREEN = new NeedleScreen(SECRET_NEEDLES);

/** Whether `bytes` holds one of SECRET_NEEDLES: false means no pattern of PATTERNS can match. */
export function mayMatchSecretPattern(bytes: Uint8Array): boolean {
  return SCREEN.test(bytes);
}

/** Text longer than this is no .pgpass file (looksLikePgpass). */
const PGPASS_MAX_BYTES = 64 * 1024;

/** The first secret in `bytes` (a file's first bytes), as `findSecret` on their latin1 text finds it. */
export function findSecretInBytes(bytes: Buffer): { kind: string; line: number } | undefined {
  if (mayMatchSecretPattern(bytes)) return findSecret(bytes.toString('latin1'));
  // No pattern can match: only the .pgpass shape is left, and only on a small file.
  if (bytes.length > PGPASS_MAX_BYTES) return undefined;
  return looksLikePgpass(bytes.toString('latin1')) ? { kind: PGPASS_KIND, line: 1 } : undefined;
}

/** The first secret in `text` (latin1 of a file's first bytes), or undefined. */
/** The kind of every content pattern (what a test holds its examples to: a new pattern needs its needle in SECRET_NEEDLES). */
export const SECRET_PATTERN_KINDS: readonly string[] = PATTERNS.map((item) => item.kind);

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
  if (text.length > PGPASS_MAX_BYTES) return false;
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

/**
 * Scans the files (their first `maxBytes`) in name order; returns every finding in name order.
 * The reads are synchronous into one reused buffer: the tree was just walked and sits in the page
 * cache, and four promise round trips per file (open, fstat, read, close) cost 3 s of CPU for
 * 20,000 files, most of pack's listing time. `concurrency` is accepted for compatibility.
 */
export async function scanForSecrets(files: readonly { name: string; path: string }[], options: { maxBytes?: number; concurrency?: number } = {}): Promise<SecretFinding[]> {
  const buffer = Buffer.allocUnsafeSlow(options.maxBytes ?? SECRET_SCAN_BYTES);
  const findings: SecretFinding[] = [];
  for (const [index, file] of files.entries()) {
    // Let timers and signal handlers (a user's Ctrl-C) run now and then.
    if (index % YIELD_EVERY === YIELD_EVERY - 1) await setImmediate();
    const found = findSecretInBytes(readStart(file.path, buffer));
    if (found) findings.push({ name: file.name, ...found });
  }
  return findings.sort(byName);
}

function byName(a: SecretFinding, b: SecretFinding): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The first secret in the first `SECRET_SCAN_BYTES` of the file at `path`. */
export function scanFileStart(path: string): { kind: string; line: number } | undefined {
  return findSecretInBytes(readStart(path, Buffer.allocUnsafe(SECRET_SCAN_BYTES)));
}

/** ARCHIVE_SOURCE_SECRET for `findings` (one at least), listed in name order. */
export function secretError(findings: readonly SecretFinding[]): MCPSealError {
  const sorted = [...findings].sort(byName);
  const list = sorted.map((finding) => `${finding.name} (${finding.kind}, line ${finding.line})`).join(', ');
  return new MCPSealError(
    'ARCHIVE_SOURCE_SECRET',
    `${sorted.length === 1 ? 'a file holds' : `${sorted.length} files hold`} what looks like a secret: ${list}. Remove it, exclude it in .mcpbignore, or, for a false positive, pack it with --allow-secret-file NAME`,
    { details: { files: sorted } },
  );
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
