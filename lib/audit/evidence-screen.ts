// The dependency screen: which files of a bundle's dependencies the analyzer reads. Parsing a big
// node_modules in full is most of an audit's time, and a library's own URLs, env reads and file
// reads are not the server's, so a dependency file is analyzed only when it names one of the
// words below (code-evidence.ts turns what the analyzer then finds into audit evidence). The
// server's own files are always analyzed in full; this screen is only for dependencies.
//
// Why not a regex: the words as one alternation cost V8's irregexp 7-8 ns per byte of code that
// names none of them (every branch is tried at every position; 0.8-1.0 s of the 420 MB bench's
// 2.8 s), plus a latin1 string per file. The scanner below reads the bytes once, three at every
// second position through a hashed filter of the words' first bytes, and checks the rare hits in
// full: under 1 ns per byte, no string. It matches exactly what `evidenceWordsRegex()` matches (a
// property test over random bytes, test/audit.test.ts), so a word's meaning is written once, in
// EVIDENCE_WORDS.

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

/**
 * The words compiled for the scanner: a filter keyed by a hash of three bytes, then a slot table
 * keyed by a hash of their first four bytes, and each slot's words.
 */
interface Compiled {
  /** Bit 1: a word's bytes 0-2 hash here; bit 2: a word's bytes 1-3 do. */
  triples: Uint8Array;
  /** 0: no word starts with bytes of this hash; n: the words of buckets[n - 1]. */
  slots: Uint8Array;
  buckets: { text: Uint8Array; word: EvidenceWord }[][];
}

/** The slot of a four-byte window (Fibonacci hashing: the multiplier's high bits mix all four bytes). */
function slotOf(window: number): number {
  return Math.imul(window, 0x9e3779b1) >>> (32 - SLOT_BITS);
}

function tripleOf(a: number, b: number, c: number): number {
  return Math.imul((a << 16) | (b << 8) | c, 0x9e3779b1) >>> (32 - SLOT_BITS);
}

function compile(words: readonly EvidenceWord[]): Compiled {
  const triples = new Uint8Array(1 << SLOT_BITS);
  const slots = new Uint8Array(1 << SLOT_BITS);
  const buckets: Compiled['buckets'] = [];
  for (const word of words) {
    const text = Buffer.from(word.text, 'latin1');
    // The scanner finds a word by its first four bytes; `\b` is only a "no word byte before" when the word starts with one.
    if (text.length < GRAM || !/^[\x20-\x7e]+$/u.test(word.text)) throw new Error(`evidence word "${word.text}": four printable ASCII characters at least`);
    if (word.notAfter === 'word' && !isWordByte(text[0]!)) throw new Error(`evidence word "${word.text}": notAfter "word" needs a word character first`);
    triples[tripleOf(text[0]!, text[1]!, text[2]!)]! |= 1;
    triples[tripleOf(text[1]!, text[2]!, text[3]!)]! |= 2;
    const slot = slotOf((text[0]! << 24) | (text[1]! << 16) | (text[2]! << 8) | text[3]!);
    if (slots[slot] === 0) {
      buckets.push([]);
      if (buckets.length > 255) throw new Error('evidence words: more than 255 distinct slots');
      slots[slot] = buckets.length;
    }
    buckets[slots[slot]! - 1]!.push({ text, word });
  }
  return { triples, slots, buckets };
}

/** A scanner for other words (tests): `holdsEvidenceWord` is this with EVIDENCE_WORDS. */
export function evidenceScanner(words: readonly EvidenceWord[]): (bytes: Uint8Array) => boolean {
  const compiled = compile(words);
  const { triples } = compiled;
  /**
   * Reads the three bytes at every second position: a word (four bytes or more) that starts at an
   * even position p has its bytes 0-2 at p, one that starts at an odd p its bytes 1-3 at p + 1, so
   * every word is met once, at half the reads of a byte-by-byte scan. Three bytes rarely hash like
   * a word's (about 1% of the positions of JavaScript); those few are looked up by four bytes.
   */
  return (bytes) => {
    const length = bytes.length;
    if (length < GRAM) return false;
    // The third byte of one read is the first of the next: carried, so each step loads two bytes.
    let first = bytes[0]!;
    for (let at = 0; at + 3 <= length; at += 2) {
      const third = bytes[at + 2]!;
      const flags = triples[tripleOf(first, bytes[at + 1]!, third)]!;
      first = third;
      if (flags !== 0 && hitStartsWord(bytes, at, flags, compiled)) return true;
    }
    return false;
  };
}

/** Whether `bytes` (read as latin1, like the regex) name one of EVIDENCE_WORDS. */
export const holdsEvidenceWord: (bytes: Uint8Array) => boolean = evidenceScanner(EVIDENCE_WORDS);

/** A filter hit at `at`: whether a word starts there (bit 1) or one byte before (bit 2). */
function hitStartsWord(bytes: Uint8Array, at: number, flags: number, compiled: Compiled): boolean {
  if ((flags & 1) !== 0 && startsWord(bytes, at, compiled)) return true;
  return (flags & 2) !== 0 && at > 0 && startsWord(bytes, at - 1, compiled);
}

/** Whether one of the words starts at `start` (matched in full: the byte before, the call after). */
function startsWord(bytes: Uint8Array, start: number, { slots, buckets }: Compiled): boolean {
  if (start + GRAM > bytes.length) return false;
  const slot = slots[slotOf((bytes[start]! << 24) | (bytes[start + 1]! << 16) | (bytes[start + 2]! << 8) | bytes[start + 3]!)]!;
  return slot !== 0 && bucketMatches(bytes, start, buckets[slot - 1]!);
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
