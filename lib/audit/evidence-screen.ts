// The dependency screen: which files of a bundle's dependencies the analyzer reads. Parsing a big
// node_modules in full is most of an audit's time, and a library's own URLs, env reads and file
// reads are not the server's, so a dependency file is analyzed only when it names one of the
// words below (code-evidence.ts turns what the analyzer then finds into audit evidence). The
// server's own files are always analyzed in full; this screen is only for dependencies.
//
// Why not a regex: the words as one alternation cost V8's irregexp 7-8 ns per byte of code that
// names none of them (every branch is tried at every position; 0.8-1.0 s of the 420 MB bench's
// 2.8 s), plus a latin1 string per file. The scanner below reads the bytes once and looks the four
// bytes ending at each position up in a table of the words' first four bytes: about 1.5 ns per
// byte, no string. It matches exactly what `evidenceWordsRegex()` matches (a property test over
// random bytes, test/audit.test.ts), so a word's meaning is written once, in EVIDENCE_WORDS.

/**
 * One word of the screen: bytes that must appear (ASCII, case-sensitive, four at least), with an
 * optional condition on the byte before and on what follows.
 */
export interface EvidenceWord {
  text: string;
  /**
   * `word`: the byte before is not a word character (`\b` before a word: `eval(` but not
   * `medieval(`); `member`: nor a dot (`exec(` but not `regex.exec(`).
   */
  notAfter?: 'word' | 'member';
  /** `call`: `\s*\(` follows; `computed-call`: a call whose first argument is not a string literal (`require(name)`). */
  then?: 'call' | 'computed-call';
}

/**
 * What the audit reads in a dependency's code (code-evidence.ts): processes started, home-directory
 * secret stores and cloud credentials reached, and code evaluated (eval, Function, exec, compile:
 * where fetched or decoded code runs). An observation kind that needs none of them must add its
 * trigger here, or dependencies will not show it: a missing word hides evidence.
 */
export const EVIDENCE_WORDS: readonly EvidenceWord[] = [
  // processes started
  ...plain('child_process', 'subprocess', 'os.system', 'popen', 'execa', 'cross-spawn'),
  // the home directory
  ...plain('homedir', 'expanduser', 'home()', 'USERPROFILE', '$HOME', "'HOME'", '"HOME"'),
  // home-directory secret stores, browser profiles and keychains
  ...plain('.ssh', '.gnupg', '.aws', '.azure', 'gcloud', '.kube', '.docker', '.netrc', '.npmrc', '.yarnrc', '.pypirc', 'git-credentials', 'password-store', 'keyrings'),
  ...plain('Keychains', '.mozilla/', 'google-chrome', 'Google/Chrome', 'Firefox/', 'chromium', 'BraveSoftware', 'Library/Cookies', 'login.keychain', '.electrum', '.bitcoin', '.ethereum'),
  // cloud credentials
  ...plain('AWS_', 'AZURE_', 'ARM_CLIENT', 'GOOGLE_APPLICATION', 'GOOGLE_CLOUD', 'GCLOUD_', 'GCP_', 'CLOUDSDK_', 'DIGITALOCEAN_', 'ALIBABA_CLOUD', 'ALICLOUD_', 'OCI_', 'IBMCLOUD_', 'CLOUDFLARE_API', 'KUBECONFIG'),
  // code evaluated, decoded or loaded by a computed name
  { text: 'eval', notAfter: 'word', then: 'call' },
  { text: 'Function', notAfter: 'word', then: 'call' },
  { text: 'exec', notAfter: 'member', then: 'call' },
  { text: 'compile', notAfter: 'member', then: 'call' },
  ...plain('atob', 'fromCharCode', 'base64', 'b64decode', '__import__', 'import_module', 'runInNewContext', 'runInThisContext'),
  // require( or import( of anything but a string literal
  { text: 'require', then: 'computed-call' },
  { text: 'import', then: 'computed-call' },
];

function plain(...texts: string[]): EvidenceWord[] {
  return texts.map((text) => ({ text }));
}

/** The words as one regex (the screen's meaning, for tests and readers; the scanner does not use it). */
export function evidenceWordsRegex(words: readonly EvidenceWord[] = EVIDENCE_WORDS): RegExp {
  const source = words.map((word) => {
    const before = word.notAfter === 'word' ? String.raw`(?<!\w)` : word.notAfter === 'member' ? String.raw`(?<![.\w])` : '';
    const after = word.then === 'call' ? String.raw`\s*\(` : word.then === 'computed-call' ? String.raw`\s*\(\s*[^'"\x60\s)]` : '';
    return before + word.text.replace(/[\\^$.*+?()[\]{}|/]/gu, '\\$&') + after;
  });
  return new RegExp(source.join('|'), 'u');
}

const GRAM = 4;
const SLOT_BITS = 16;

/** The words compiled for the scanner: a slot table keyed by a hash of their first four bytes, and each slot's words. */
interface Compiled {
  /** 0: no word starts with bytes of this hash; n: the words of buckets[n - 1]. */
  slots: Uint8Array;
  buckets: { text: Uint8Array; word: EvidenceWord }[][];
}

/** The slot of a four-byte window (Fibonacci hashing: the multiplier's high bits mix all four bytes). */
function slotOf(window: number): number {
  return Math.imul(window, 0x9e3779b1) >>> (32 - SLOT_BITS);
}

function compile(words: readonly EvidenceWord[]): Compiled {
  const slots = new Uint8Array(1 << SLOT_BITS);
  const buckets: Compiled['buckets'] = [];
  for (const word of words) {
    const text = Buffer.from(word.text, 'latin1');
    // The scanner finds a word by its first four bytes; `\b` is only a "no word byte before" when the word starts with one.
    if (text.length < GRAM || !/^[\x20-\x7e]+$/u.test(word.text)) throw new Error(`evidence word "${word.text}": four printable ASCII characters at least`);
    if (word.notAfter === 'word' && !isWordByte(text[0]!)) throw new Error(`evidence word "${word.text}": notAfter "word" needs a word character first`);
    const slot = slotOf(((text[0]! << 24) | (text[1]! << 16) | (text[2]! << 8) | text[3]!) >>> 0);
    if (slots[slot] === 0) {
      buckets.push([]);
      if (buckets.length > 255) throw new Error('evidence words: more than 255 distinct slots');
      slots[slot] = buckets.length;
    }
    buckets[slots[slot]! - 1]!.push({ text, word });
  }
  return { slots, buckets };
}

const SCREEN = compile(EVIDENCE_WORDS);

/** A scanner for other words (tests): `holdsEvidenceWord` with EVIDENCE_WORDS is this with the shipped list. */
export function evidenceScanner(words: readonly EvidenceWord[]): (bytes: Uint8Array) => boolean {
  const compiled = compile(words);
  return (bytes) => scan(bytes, compiled);
}

/** Whether `bytes` (read as latin1, like the regex) name one of EVIDENCE_WORDS. */
export function holdsEvidenceWord(bytes: Uint8Array): boolean {
  return scan(bytes, SCREEN);
}

function scan(bytes: Uint8Array, { slots, buckets }: Compiled): boolean {
  const length = bytes.length;
  if (length < GRAM) return false;
  // The last four bytes read, big-endian: the window of the word that would start at i - 3.
  let window = (bytes[0]! << 16) | (bytes[1]! << 8) | bytes[2]!;
  for (let i = GRAM - 1; i < length; i++) {
    window = (window << 8) | bytes[i]!;
    const slot = slots[slotOf(window)]!;
    if (slot !== 0 && bucketMatches(bytes, i - (GRAM - 1), buckets[slot - 1]!)) return true;
  }
  return false;
}

function bucketMatches(bytes: Uint8Array, start: number, bucket: Compiled['buckets'][number]): boolean {
  for (const { text, word } of bucket) if (matchesAt(bytes, start, text, word)) return true;
  return false;
}

/** Whether `word` matches at `start`, with the semantics of its regex (evidenceWordsRegex). */
function matchesAt(bytes: Uint8Array, start: number, text: Uint8Array, word: EvidenceWord): boolean {
  const end = start + text.length;
  if (end > bytes.length) return false;
  for (let k = 0; k < text.length; k++) if (bytes[start + k] !== text[k]) return false;
  if (word.notAfter !== undefined && start > 0) {
    const before = bytes[start - 1]!;
    if (isWordByte(before) || (word.notAfter === 'member' && before === 0x2e)) return false;
  }
  if (word.then === undefined) return true;
  // `\s*\(`: a run of spaces cannot end in "(", so the greedy skip decides alone (no backtracking to mimic).
  let at = skipSpaces(bytes, end);
  if (bytes[at] !== 0x28) return false;
  if (word.then === 'call') return true;
  // `\s*[^'"\`\s)]`: the same, then one byte that is no quote, backquote, ")" or space.
  at = skipSpaces(bytes, at + 1);
  const next = bytes[at];
  return next !== undefined && next !== 0x27 && next !== 0x22 && next !== 0x60 && next !== 0x29;
}

/** `\w` of a `u` regex without `i`: [A-Za-z0-9_]. */
function isWordByte(byte: number): boolean {
  return (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x30 && byte <= 0x39) || byte === 0x5f;
}

/** The first index at or after `at` that is not `\s` read as latin1: tab, LF, VT, FF, CR, space and NBSP (0xA0). */
function skipSpaces(bytes: Uint8Array, at: number): number {
  let index = at;
  for (let byte = bytes[index]; byte !== undefined && ((byte >= 0x09 && byte <= 0x0d) || byte === 0x20 || byte === 0xa0); byte = bytes[++index]);
  return index;
}
