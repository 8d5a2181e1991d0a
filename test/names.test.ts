// The pure entry-name rules, alone (yauzl's `validateFileName` habit): a table of good and bad
// names with the code each must get, then fast-check properties over generated names.

import assert from 'node:assert/strict';
import { posix, win32 } from 'node:path';
import fc from 'fast-check';
import { MAX_SEGMENT_BYTES, collisionKey, defaultLimits, validateEntryName, type ArchiveErrorCode } from '../lib/index.ts';

const deep = (levels: number): string => `${'d/'.repeat(levels - 1)}f`;
// Four 255-byte segments and three slashes: 1023 bytes; with a trailing slash, exactly 1024.
const LONGEST_DIRECTORY = `${Array.from({ length: 4 }, () => 'a'.repeat(255)).join('/')}/`;

const good: string[] = [
  'manifest.json',
  'server/index.js',
  'server/',
  'a/b/c/',
  'node_modules/.bin/tsc',
  '.env',
  '..a',
  'a..b',
  '.hidden/..dots..x/x',
  'with space.txt',
  'caf\u00e9.txt',
  'cafe\u0301.txt',
  '\u65e5\u672c\u8a9e/\u30d5\u30a1\u30a4\u30eb.txt',
  'emoji-\u{1f600}.txt',
  'a'.repeat(MAX_SEGMENT_BYTES),
  `${'\u00e9'.repeat(127)}a`, // 255 bytes in UTF-8
  deep(64),
  `${deep(64)}/`,
  LONGEST_DIRECTORY,
];

const bad: [name: string, code: ArchiveErrorCode][] = [
  ['', 'ARCHIVE_NAME_EMPTY'],
  ['..', 'ARCHIVE_PATH_TRAVERSAL'],
  ['../', 'ARCHIVE_PATH_TRAVERSAL'],
  ['../x', 'ARCHIVE_PATH_TRAVERSAL'],
  ['a/..', 'ARCHIVE_PATH_TRAVERSAL'],
  ['a/../b', 'ARCHIVE_PATH_TRAVERSAL'],
  ['a/../../x', 'ARCHIVE_PATH_TRAVERSAL'],
  ['/x', 'ARCHIVE_ABSOLUTE_PATH'],
  ['/', 'ARCHIVE_ABSOLUTE_PATH'],
  ['//server/share/x', 'ARCHIVE_ABSOLUTE_PATH'],
  ['C:/Windows/x.dll', 'ARCHIVE_ABSOLUTE_PATH'],
  ['c:x', 'ARCHIVE_ABSOLUTE_PATH'],
  ['Z:', 'ARCHIVE_ABSOLUTE_PATH'],
  ['a\\b', 'ARCHIVE_NAME_BACKSLASH'],
  ['..\\x', 'ARCHIVE_NAME_BACKSLASH'],
  ['\\\\server\\share', 'ARCHIVE_NAME_BACKSLASH'],
  ['C:\\x', 'ARCHIVE_NAME_BACKSLASH'],
  ['a\u0000', 'ARCHIVE_NAME_CONTROL_CHAR'],
  ['a\nb', 'ARCHIVE_NAME_CONTROL_CHAR'],
  ['\t', 'ARCHIVE_NAME_CONTROL_CHAR'],
  ['\u001b[31mred', 'ARCHIVE_NAME_CONTROL_CHAR'],
  ['del\u007f', 'ARCHIVE_NAME_CONTROL_CHAR'],
  ['nel\u0085', 'ARCHIVE_NAME_CONTROL_CHAR'],
  ['apc\u009f', 'ARCHIVE_NAME_CONTROL_CHAR'],
  ['ab:c', 'ARCHIVE_NAME_FORBIDDEN_CHAR'],
  ['file.txt:stream', 'ARCHIVE_NAME_FORBIDDEN_CHAR'],
  ['1:x', 'ARCHIVE_NAME_FORBIDDEN_CHAR'],
  ['a//b', 'ARCHIVE_NAME_NOT_CANONICAL'],
  ['a//', 'ARCHIVE_NAME_NOT_CANONICAL'],
  ['.', 'ARCHIVE_NAME_NOT_CANONICAL'],
  ['./', 'ARCHIVE_NAME_NOT_CANONICAL'],
  ['./a', 'ARCHIVE_NAME_NOT_CANONICAL'],
  ['a/./b', 'ARCHIVE_NAME_NOT_CANONICAL'],
  ['a/.', 'ARCHIVE_NAME_NOT_CANONICAL'],
  ['a'.repeat(MAX_SEGMENT_BYTES + 1), 'ARCHIVE_PATH_TOO_LONG'],
  ['\u00e9'.repeat(128), 'ARCHIVE_PATH_TOO_LONG'], // 128 characters, 256 bytes
  [`${LONGEST_DIRECTORY}x`, 'ARCHIVE_PATH_TOO_LONG'],
  [deep(65), 'ARCHIVE_PATH_TOO_DEEP'],
  ['\ud800', 'ARCHIVE_NAME_ENCODING'],
  ['a\udc00b', 'ARCHIVE_NAME_ENCODING'],
];

describe('validateEntryName', () => {
  for (const name of good) {
    it(`accepts ${JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}...` : name)}`, () => {
      assert.equal(validateEntryName(name), null);
    });
  }

  for (const [name, code] of bad) {
    it(`refuses ${JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}...` : name)} with ${code}`, () => {
      const problem = validateEntryName(name);
      assert.ok(problem, 'accepted');
      assert.equal(problem.code, code);
      assert.equal(typeof problem.reason, 'string');
      assert.ok(problem.reason.length > 0);
    });
  }

  it('applies the limits it is given, and the defaults without them', () => {
    const limits = { maxPathLength: 5, maxPathDepth: 2 };
    assert.equal(validateEntryName('abcde', limits), null);
    assert.equal(validateEntryName('abcdef', limits)?.code, 'ARCHIVE_PATH_TOO_LONG');
    assert.equal(validateEntryName('a/b', limits), null);
    assert.equal(validateEntryName('a/b/', limits), null, 'the trailing slash of a directory is not a level');
    assert.equal(validateEntryName('a/b/c', limits)?.code, 'ARCHIVE_PATH_TOO_DEEP');
    assert.equal(validateEntryName('a'.repeat(defaultLimits.maxPathLength + 1))?.code, 'ARCHIVE_PATH_TOO_LONG');
    assert.equal(validateEntryName(deep(defaultLimits.maxPathDepth + 1))?.code, 'ARCHIVE_PATH_TOO_DEEP');
  });

  it('counts the length in UTF-8 bytes, not UTF-16 units', () => {
    const limits = { maxPathLength: 4, maxPathDepth: 64 };
    assert.equal(validateEntryName('\u00e9\u00e9', limits), null); // 4 bytes
    assert.equal(validateEntryName('\u00e9\u00e9a', limits)?.code, 'ARCHIVE_PATH_TOO_LONG'); // 5 bytes, 3 units
  });
});

describe('collisionKey', () => {
  const same: [string, string][] = [
    ['README', 'readme'],
    ['Manifest.JSON', 'manifest.json'],
    ['caf\u00e9.txt', 'cafe\u0301.txt'],
    ['CAF\u00c9.txt', 'cafe\u0301.txt'],
    ['notes.txt', 'notes.txt.'],
    ['notes.txt', 'notes.txt . '],
    ['dir./file', 'dir/file'],
    ['lib', 'lib/'],
    ['Stra\u00dfe', 'STRASSE'],
    // U+1E9E LATIN CAPITAL LETTER SHARP S case-folds to U+00DF (simple) and to "ss" (full), so
    // both file systems that fold simply and those that fold fully see one file.
    ['STRA\u1e9eE', 'stra\u00dfe'],
    ['STRA\u1e9eE', 'STRASSE'],
    ['\u212a', 'k'], // KELVIN SIGN folds to k
    ['\u03a3\u03b1\u03c2', '\u03c3\u03b1\u03c3'], // final sigma
  ];
  const different: [string, string][] = [
    ['a', 'b'],
    ['a/b', 'a_b'],
    ['a/b', 'ab'],
    ['lib/a.js', 'lib/a.jsx'],
    ['caf\u00e9', 'cafe'],
    ['.env', 'env'],
  ];

  for (const [a, b] of same) {
    it(`${JSON.stringify(a)} and ${JSON.stringify(b)} collide`, () => {
      assert.equal(collisionKey(a), collisionKey(b));
    });
  }
  for (const [a, b] of different) {
    it(`${JSON.stringify(a)} and ${JSON.stringify(b)} do not collide`, () => {
      assert.notEqual(collisionKey(a), collisionKey(b));
    });
  }

  // A segment of only dots and spaces ("...", ". .") is accepted by validateEntryName, but Windows
  // strips it to nothing, and collisionKey turns it into an empty segment: "a/..." keys as "a/",
  // which keys again as "a". Either the name must be refused or its key must be stable.
  it('is idempotent for every accepted name, including dots-only and space-only segments', () => {
    for (const name of ['a/...', 'a/. .', 'a/ ', '...']) {
      if (validateEntryName(name) !== null) continue;
      const key = collisionKey(name);
      assert.equal(collisionKey(key), key, `collisionKey(${JSON.stringify(name)}) = ${JSON.stringify(key)} is not stable`);
    }
  });
});

// --- Properties -------------------------------------------------------------------------------

/** A segment of letters, digits, "-", "_" and ".", but not made of dots alone ("." and ".." are special; "..." see above). */
// Also not ending in a dot and not a Windows device name (issue 14 item 5: refused).
const safeSegment = fc.stringMatching(/^[A-Za-z0-9_.-]{1,16}$/u).filter((segment) => !/^\.+$/u.test(segment) && validateEntryName(segment) === null);
const safeSegments = fc.array(safeSegment, { minLength: 1, maxLength: 20 });
const safeName = fc.tuple(safeSegments, fc.boolean()).map(([segments, directory]) => `${segments.join('/')}${directory ? '/' : ''}`);

const CONTROL_CHARS = [...Array.from({ length: 0x20 }, (_, i) => i), ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i)].map((c) => String.fromCharCode(c));

/** Characters that stress folding: case pairs that change length, final sigma, compatibility letters, decomposable letters. */
const TRICKY = [
  ...'aAbBzZ019-_ .',
  '\u00e9',
  '\u00c9',
  'e\u0301',
  '\u00df',
  '\u1e9e',
  '\u03a3',
  '\u03c3',
  '\u03c2',
  '\u0130',
  '\u0131',
  '\u01c5',
  '\ufb00',
  '\u212a',
  '\u212b',
  '\u2126',
  '\u00f1',
  'n\u0303',
  '\u00fc',
  '\u65e5',
  '\u{1f600}',
];
const trickySegment = fc
  .array(fc.constantFrom(...TRICKY), { minLength: 1, maxLength: 8 })
  .map((chars) => chars.join(''))
  // Dots-and-spaces-only segments are the known unstable case, tested by example above.
  .filter((segment) => !/^[. ]+$/u.test(segment));
const trickyName = fc
  .tuple(fc.array(trickySegment, { minLength: 1, maxLength: 6 }), fc.boolean())
  .map(([segments, directory]) => `${segments.join('/')}${directory ? '/' : ''}`)
  .filter((name) => validateEntryName(name) === null);

/** Flips the case of each character where `flips` says so. */
function flipCase(name: string, flips: boolean[]): string {
  return [...name].map((char, i) => (flips[i % flips.length] ? (char === char.toUpperCase() ? char.toLowerCase() : char.toUpperCase()) : char)).join('');
}

const ALL_ARCHIVE_CODES = new Set<string>([
  'ARCHIVE_NAME_EMPTY',
  'ARCHIVE_NAME_ENCODING',
  'ARCHIVE_NAME_CONTROL_CHAR',
  'ARCHIVE_NAME_BACKSLASH',
  'ARCHIVE_NAME_FORBIDDEN_CHAR',
  'ARCHIVE_WINDOWS_RESERVED_NAME',
  'ARCHIVE_ABSOLUTE_PATH',
  'ARCHIVE_PATH_TRAVERSAL',
  'ARCHIVE_NAME_NOT_CANONICAL',
  'ARCHIVE_PATH_TOO_LONG',
  'ARCHIVE_PATH_TOO_DEEP',
]);

describe('entry-name properties (fast-check)', () => {
  it('accepts any name built from safe segments within the limits', () => {
    fc.assert(
      fc.property(safeName, (name) => {
        assert.equal(validateEntryName(name), null, name);
      }),
    );
  });

  it('issue 14 item 5: a Windows device name as any segment, with any extension and case, is ARCHIVE_WINDOWS_RESERVED_NAME', () => {
    const device = fc.constantFrom('con', 'prn', 'aux', 'nul', 'conin$', 'conout$', ...[...'0123456789\u00b9\u00b2\u00b3'].flatMap((digit) => [`com${digit}`, `lpt${digit}`]));
    const extension = fc.constantFrom('', '.js', '.txt', '.tar.gz', ' .json', '.');
    fc.assert(
      fc.property(safeSegments, device, extension, fc.array(fc.boolean(), { minLength: 1 }), fc.nat(), fc.boolean(), (segments, name, ext, flips, at, directory) => {
        const withDevice = [...segments];
        withDevice.splice(at % (segments.length + 1), 0, `${flipCase(name, flips)}${ext}`);
        const hostile = `${withDevice.join('/')}${directory ? '/' : ''}`;
        assert.equal(validateEntryName(hostile)?.code, 'ARCHIVE_WINDOWS_RESERVED_NAME', hostile);
      }),
    );
  });

  it('issue 14 item 5: a trailing dot or space on any segment is ARCHIVE_WINDOWS_RESERVED_NAME', () => {
    fc.assert(
      fc.property(safeSegments, fc.constantFrom('.', ' ', '. ', ' .', '..'), fc.nat(), fc.boolean(), (segments, tail, at, directory) => {
        const i = at % segments.length;
        const hostile = `${segments.map((segment, j) => (j === i ? `${segment}${tail}` : segment)).join('/')}${directory ? '/' : ''}`;
        assert.equal(validateEntryName(hostile)?.code, 'ARCHIVE_WINDOWS_RESERVED_NAME', JSON.stringify(hostile));
      }),
    );
  });

  it('refuses any name with a ".." segment as ARCHIVE_PATH_TRAVERSAL', () => {
    fc.assert(
      fc.property(safeSegments, fc.nat(), fc.boolean(), (segments, at, directory) => {
        const withDotDot = [...segments];
        withDotDot.splice(at % (segments.length + 1), 0, '..');
        const name = `${withDotDot.join('/')}${directory ? '/' : ''}`;
        assert.equal(validateEntryName(name)?.code, 'ARCHIVE_PATH_TRAVERSAL', name);
      }),
    );
  });

  it('refuses any name with a control character as ARCHIVE_NAME_CONTROL_CHAR', () => {
    fc.assert(
      fc.property(safeName, fc.constantFrom(...CONTROL_CHARS), fc.nat(), (name, control, at) => {
        const i = at % (name.length + 1);
        const hostile = `${name.slice(0, i)}${control}${name.slice(i)}`;
        assert.equal(validateEntryName(hostile)?.code, 'ARCHIVE_NAME_CONTROL_CHAR', JSON.stringify(hostile));
      }),
    );
  });

  it('refuses any name with a backslash, and any name with a leading slash', () => {
    fc.assert(
      fc.property(safeName, fc.nat(), (name, at) => {
        const i = at % (name.length + 1);
        assert.equal(validateEntryName(`${name.slice(0, i)}\\${name.slice(i)}`)?.code, 'ARCHIVE_NAME_BACKSLASH');
        assert.equal(validateEntryName(`/${name}`)?.code, 'ARCHIVE_ABSOLUTE_PATH');
      }),
    );
  });

  it('refuses a safe name one byte or one level over the limits it is given', () => {
    fc.assert(
      fc.property(safeName, (name) => {
        const bytes = Buffer.byteLength(name);
        const levels = name.replace(/\/$/u, '').split('/').length;
        assert.equal(validateEntryName(name, { maxPathLength: bytes, maxPathDepth: levels }), null);
        assert.equal(validateEntryName(name, { maxPathLength: bytes - 1, maxPathDepth: levels })?.code, 'ARCHIVE_PATH_TOO_LONG');
        assert.equal(validateEntryName(name, { maxPathLength: bytes, maxPathDepth: levels - 1 })?.code, 'ARCHIVE_PATH_TOO_DEEP');
      }),
    );
  });

  it('never throws, and answers null or a name code, for any string at all', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (name) => {
        const problem = validateEntryName(name);
        if (problem) assert.ok(ALL_ARCHIVE_CODES.has(problem.code), problem.code);
      }),
      { numRuns: 2000 },
    );
  });

  it('an accepted name never leaves the directory it is extracted into (POSIX and Windows path rules)', () => {
    const pathish = fc.array(fc.constantFrom('.', '..', '/', '\\', 'a', 'B', ':', ' ', 'C', '~'), { maxLength: 12 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(pathish, fc.string({ maxLength: 24 })), (name) => {
        if (validateEntryName(name) !== null) return;
        const onPosix = posix.resolve('/base', name);
        assert.ok(onPosix.startsWith('/base/'), `${JSON.stringify(name)} resolves to ${onPosix}`);
        const onWindows = win32.resolve('C:\\base', name);
        assert.ok(onWindows.toLowerCase().startsWith('c:\\base\\'), `${JSON.stringify(name)} resolves to ${onWindows}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('collisionKey is idempotent on accepted names', () => {
    fc.assert(
      fc.property(trickyName, (name) => {
        const key = collisionKey(name);
        assert.equal(collisionKey(key), key, JSON.stringify(name));
      }),
    );
  });

  it('collisionKey is equal for case variants of a name', () => {
    fc.assert(
      fc.property(trickyName, fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), (name, flips) => {
        const key = collisionKey(name);
        assert.equal(collisionKey(name.toUpperCase()), key, `upper case of ${JSON.stringify(name)}`);
        assert.equal(collisionKey(name.toLowerCase()), key, `lower case of ${JSON.stringify(name)}`);
        assert.equal(collisionKey(flipCase(name, flips)), key, `mixed case of ${JSON.stringify(name)}`);
      }),
    );
  });

  it('collisionKey is equal for the NFC and NFD forms of a name', () => {
    fc.assert(
      fc.property(trickyName, (name) => {
        const key = collisionKey(name);
        assert.equal(collisionKey(name.normalize('NFC')), key, `NFC of ${JSON.stringify(name)}`);
        assert.equal(collisionKey(name.normalize('NFD')), key, `NFD of ${JSON.stringify(name)}`);
      }),
    );
  });

  it('collisionKey ignores the trailing dots and spaces Windows strips from a file name', () => {
    fc.assert(
      fc.property(trickyName.filter((name) => !name.endsWith('/')), fc.constantFrom('.', ' ', '..', '. ', ' .'), (name, tail) => {
        assert.equal(collisionKey(`${name}${tail}`), collisionKey(name), JSON.stringify(name));
      }),
    );
  });
});
