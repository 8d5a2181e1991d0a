// Entry-name rules, pure string checks with no I/O (phase one of node-tar's two-phase path
// checks; the extractor adds the filesystem phase). Exported so installers can reuse the exact
// rule, and tested alone.

import type { ArchiveErrorCode } from '../errors.ts';
import { defaultLimits, type ArchiveLimits } from '../limits.ts';

export interface NameProblem {
  code: ArchiveErrorCode;
  reason: string;
}

export type NameLimits = Pick<ArchiveLimits, 'maxPathLength' | 'maxPathDepth'>;

/** Longest single path segment in UTF-8 bytes: NAME_MAX on Linux, macOS and NTFS. */
export const MAX_SEGMENT_BYTES = 255;

// C0 controls, DEL and C1 controls. A name carrying them can hide its real shape in a terminal
// or a log, and NUL truncates it in C APIs.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
// A colon names a drive (`C:x`) or an NTFS alternate data stream (`a.txt:payload`) on Windows.
const COLON = /:/u;
const ASCII = /^[\u0000-\u007f]*$/u;
// A segment ending in a dot or space, before a slash (not a final directory slash) or at the end.
const TRAILING_DOT_OR_SPACE = /[. ](?:\/|$)/u;
// Characters Windows forbids in file names ("Naming Files, Paths, and Namespaces"): extraction
// there fails half-way, after other files were written.
const WINDOWS_FORBIDDEN = /[<>"|?*]/u;
// Windows device names, with any extension and trailing spaces (`nul.js`, `AUX .txt`, `COM¹`): a
// write to one goes to the device, so the verified file is never installed.
const DEVICE_NAMES = String.raw`con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3]|conin\$|conout\$`;
const WINDOWS_DEVICE = new RegExp(String.raw`^(?:${DEVICE_NAMES}) *(?:\.|$)`, 'iu');
// An 8.3 short name (`PROGRA~1`, `INDEX~1.JS`): on a volume with short names it opens the
// long-named file it abbreviates, another entry (git refuses these too, core.protectNTFS).
const SHORT_NAME = /^[^.~]{1,6}~[0-9]+(?:\.[^.]{0,3})?$/u;
// Lone surrogates cannot be encoded in UTF-8 and have no file name on any platform.
const LONE_SURROGATE = /\p{Surrogate}/u;
// Characters that render as nothing or reorder what follows: format characters (general category
// Cf: zero-width spaces and joiners, the bidi embeddings, overrides and isolates of UAX #9, the
// BOM, the soft hyphen, tag characters), every other default-ignorable code point (UAX #44:
// variation selectors, Hangul fillers, the combining grapheme joiner) and the line and paragraph
// separators. With them two entries display alike ("a.js" and "a\u200b.js"), or a name shows a
// reviewer another extension than the file system stores ("txt.exe" written as "exe.txt").
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}]/u;

// A name of printable ASCII holding none of the characters the character rules below look for
// (backslash, colon, < > " | ? *, and the tilde of a short name): none of those rules can
// match it, so they are not run (a dozen regular expressions per name were a tenth of opening a
// 2,400-entry bundle). Every rule about the name's shape still runs. test/names.test.ts checks
// this shortcut against the full rule on generated names.
const PLAIN = /^[^\u0000-\u001f\u007f-\u{10ffff}\\:<>"|?*~]*$/u;
const DOTS_AND_SPACES = /^[. ]+$/u;
// A segment that some segment rule below could refuse: empty or only dots and spaces, a device
// name (WINDOWS_DEVICE's names, at a segment's start), ending in a dot or a space, or over 255
// characters. A plain name with no such segment passes every segment rule, so their loop is
// skipped; with one, the loop decides (and reports the first segment's problem, as always).
// The long segment is looked for at a segment's start only: unanchored, `[^/]{256}` was tried at
// every position and scanned on to the next slash each time (quadratic in a segment's length:
// 1 us of a name's 1.3, 2.5 of the 3 ms the 2,400 names of the filesystem server bundle took).
const SEGMENT_SUSPECT = new RegExp(String.raw`(?:^|/)(?:[. ]*(?:/|$)|(?:${DEVICE_NAMES}) *(?:[./]|$)|[^/]{256})|[. ](?:/|$)`, 'iu');
const DRIVE_LETTER = /^[A-Za-z]:/u;

/**
 * Checks one archive entry name (a directory name ends with `/`). Returns the first problem, or
 * null when the name is a canonical relative POSIX path within the limits.
 */
export function validateEntryName(name: string, limits: NameLimits = defaultLimits): NameProblem | null {
  return entryNameProblem(name, limits, PLAIN.test(name));
}

/**
 * The rule behind `validateEntryName`. `plain` (the name matches PLAIN) skips the character
 * checks that cannot match such a name; with `plain` false every check runs. Exported for the
 * test that holds the two equal.
 */
export function entryNameProblem(name: string, limits: NameLimits, plain: boolean): NameProblem | null {
  if (name.length === 0) return { code: 'ARCHIVE_NAME_EMPTY', reason: 'the entry name is empty' };
  const characters = plain ? null : characterProblem(name);
  if (characters) return characters;
  if (name.startsWith('/')) return { code: 'ARCHIVE_ABSOLUTE_PATH', reason: 'the name is an absolute path' };
  if (!plain) {
    if (DRIVE_LETTER.test(name)) return { code: 'ARCHIVE_ABSOLUTE_PATH', reason: 'the name starts with a drive letter' };
    if (COLON.test(name)) return { code: 'ARCHIVE_NAME_FORBIDDEN_CHAR', reason: 'the name contains a colon' };
    if (WINDOWS_FORBIDDEN.test(name)) return { code: 'ARCHIVE_NAME_FORBIDDEN_CHAR', reason: 'the name contains a character Windows forbids (< > " | ? *)' };
  }

  const bytes = plain ? name.length : Buffer.byteLength(name, 'utf8');
  if (bytes > limits.maxPathLength) {
    return { code: 'ARCHIVE_PATH_TOO_LONG', reason: `the name is ${bytes} bytes long (limit ${limits.maxPathLength})` };
  }
  // One trailing slash marks a directory entry (APPNOTE 4.4.17.1); it is not an empty segment.
  const body = name.endsWith('/') ? name.slice(0, -1) : name;
  const depth = segmentCount(body);
  if (depth > limits.maxPathDepth) {
    return { code: 'ARCHIVE_PATH_TOO_DEEP', reason: `the name is ${depth} levels deep (limit ${limits.maxPathDepth})` };
  }
  if (plain && !SEGMENT_SUSPECT.test(body)) return null;
  for (const segment of body.split('/')) {
    const problem = segmentProblem(segment, plain);
    if (problem) return problem;
  }
  return null;
}

/** How many segments `body.split('/')` would give, without making them. */
function segmentCount(body: string): number {
  let count = 1;
  for (let at = body.indexOf('/'); at >= 0; at = body.indexOf('/', at + 1)) count++;
  return count;
}

/** The characters no name may hold, in the order they are reported. */
function characterProblem(name: string): NameProblem | null {
  if (LONE_SURROGATE.test(name)) return { code: 'ARCHIVE_NAME_ENCODING', reason: 'the name is not valid Unicode' };
  if (CONTROL.test(name)) return { code: 'ARCHIVE_NAME_CONTROL_CHAR', reason: 'the name contains a control character' };
  const invisible = INVISIBLE.exec(name);
  if (invisible) {
    const codePoint = invisible[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return { code: 'ARCHIVE_NAME_FORBIDDEN_CHAR', reason: `the name contains an invisible or bidirectional formatting character (U+${codePoint})` };
  }
  if (name.includes('\\')) {
    // Windows treats a backslash as a separator, so `..\\x` traverses there even though it is
    // one harmless segment on POSIX.
    return { code: 'ARCHIVE_NAME_BACKSLASH', reason: 'the name contains a backslash' };
  }
  return null;
}

/** The rules for one path segment; `plain` as in `entryNameProblem` (ASCII: bytes are characters, and no tilde). */
function segmentProblem(segment: string, plain: boolean): NameProblem | null {
  if (segment === '..') return { code: 'ARCHIVE_PATH_TRAVERSAL', reason: 'the name has a ".." segment' };
  if (segment === '') return { code: 'ARCHIVE_NAME_NOT_CANONICAL', reason: 'the name has an empty segment' };
  if (segment === '.') return { code: 'ARCHIVE_NAME_NOT_CANONICAL', reason: 'the name has a "." segment' };
  // Windows strips trailing dots and spaces, so such a segment names nothing (or the parent).
  if (DOTS_AND_SPACES.test(segment)) return { code: 'ARCHIVE_NAME_NOT_CANONICAL', reason: 'a segment is only dots and spaces' };
  const reserved = windowsReservedSegment(segment);
  if (reserved) return { code: 'ARCHIVE_WINDOWS_RESERVED_NAME', reason: reserved };
  if (!plain && SHORT_NAME.test(segment)) return { code: 'ARCHIVE_NAME_FORBIDDEN_CHAR', reason: 'a segment has the shape of a Windows 8.3 short name (NAME~1.EXT), which can open another file' };
  if ((plain ? segment.length : Buffer.byteLength(segment, 'utf8')) > MAX_SEGMENT_BYTES) {
    return { code: 'ARCHIVE_PATH_TOO_LONG', reason: `a segment is longer than ${MAX_SEGMENT_BYTES} bytes` };
  }
  return null;
}

/**
 * Why Windows cannot create `segment` as named, or null. A device name (with any extension, any
 * case, trailing spaces before the extension, the superscript digits `COM¹`-`COM³`, and the
 * console names `CONIN$`/`CONOUT$`) opens the device instead of a file; a segment ending in a
 * dot or a space is stored without them ("Naming Files, Paths, and Namespaces": "Do not end a
 * file or directory name with a space or a period"), so the file written is not the one
 * verified and `a.` and `a` become one file. A bundle is installed on Windows clients too.
 */
export function windowsReservedSegment(segment: string): string | null {
  if (WINDOWS_DEVICE.test(segment)) return 'a segment is a Windows device name (CON, PRN, AUX, NUL, COM0-COM9, LPT0-LPT9, CONIN$, CONOUT$, with any extension)';
  if (/[. ]$/u.test(segment)) return 'a segment ends with a dot or a space, which Windows strips';
  return null;
}

/**
 * The key two names collide under on some file system an installer may extract to: Unicode NFC
 * (macOS stores NFD), full case folding (APFS, NTFS and FAT are case-insensitive), and the
 * trailing dots and spaces Windows strips from each segment.
 */
export function collisionKey(name: string): string {
  // lower, upper, lower: the one sequence stable for every code point (U+1E9E ẞ lowers to ß,
  // which uppers to SS). ASCII needs neither normalisation nor the round trip.
  const folded = ASCII.test(name) ? name.toLowerCase() : name.normalize('NFC').toLowerCase().toUpperCase().toLowerCase().normalize('NFC');
  if (!TRAILING_DOT_OR_SPACE.test(folded)) return folded.endsWith('/') ? folded.slice(0, -1) : folded;
  const body = folded.endsWith('/') ? folded.slice(0, -1) : folded;
  return body
    .split('/')
    .map((segment) => segment.replace(/[. ]+$/u, ''))
    .join('/');
}

/** A name made safe to print in one line of an error message: controls and invisible characters escaped. */
export function printable(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f-\u009f"\\\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}]/gu, (c) =>
    c.length === 1 ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : `\\u{${c.codePointAt(0)!.toString(16)}}`,
  );
}
