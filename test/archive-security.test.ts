// Regression tests for the archive core's part of issues 8 and 9: one entry-name index shared by
// the reader and the packer (issue 8 item 1), linear name checks and a bound on implied
// directories (finding 8), a second archive hidden in the MCPB_SIG_V1 block (finding 1), secrets
// published through in-tree symlinks (finding 10), invisible and bidi characters in names, stored
// entries with a data descriptor, modes independent of the umask, and a FIFO as input (finding 13).
// Every hostile input is built here, in test code.

import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { Archive, bufferSource, collectSourceFiles, collisionKey, defaultLimits, isMCPSealError, packBundle, validateEntryName, type ArchiveLimits } from '../lib/index.ts';
import { decodeCentralRecord } from '../lib/archive/central-record.ts';
import { readEocd, reconcileZip64 } from '../lib/archive/end-records.ts';
import { checkEntry } from '../lib/archive/entry-rules.ts';
import { EntryNameIndex } from '../lib/archive/name-index.ts';
import { checkContentInfo } from '../lib/archive/signature-block.ts';
import { BIN, jsonOf, listTree, runCli, tempDir, type CliResult } from './helpers/cli.ts';
import { writeTree } from './helpers/tree.ts';
import {
  EMPTY_SIGNED_DATA,
  MANIFEST,
  STORED,
  buildBundle,
  buildZip,
  centralHeader,
  endRecord,
  signatureBlock,
  zip64Extra,
  type CentralFields,
  type EntrySpec,
} from './helpers/zip-builder.ts';

/** Opens `bytes` with the strict reader and scans every entry's data; resolves with the error code, or null when accepted. */
async function readerVerdict(bytes: Buffer, limits: Partial<ArchiveLimits> = {}): Promise<string | null> {
  try {
    const archive = await Archive.open(bufferSource(bytes), { limits });
    await archive.scan({ checkData: true });
    return null;
  } catch (error) {
    if (isMCPSealError(error)) return error.code;
    throw error;
  }
}

async function codeOf(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    if (isMCPSealError(error)) return error.code;
    throw error;
  }
}

function cliCode(result: CliResult): string {
  return ((jsonOf(result)['error'] as Record<string, unknown>)['code'] as string) ?? '';
}

/** A zip of the given names, each holding a little text (directories end with "/"). */
function zipOf(names: string[]): Buffer {
  return buildZip(names.map((name) => ({ name, data: name.endsWith('/') ? '' : `content of ${name}\n` })));
}

// --- Issue 8 item 1: one entry-name index for the reader and the packer ------------------------

describe('issue 8: one entry-name index for the reader and the packer', function () {
  this.timeout(120_000);

  const table: [names: string[], code: string | null][] = [
    [['lib/a.js', 'lib/b.js', 'lib/'], null],
    [['lib/', 'lib/a.js'], null],
    [['a.js', 'a.js'], 'ARCHIVE_DUPLICATE_ENTRY'],
    [['README', 'readme'], 'ARCHIVE_NAME_COLLISION'],
    [['Lib/a.js', 'lib/b.js'], 'ARCHIVE_NAME_COLLISION'],
    [['a/B/c.js', 'a/b/d.js'], 'ARCHIVE_NAME_COLLISION'],
    [['caf\u00e9/x', 'cafe\u0301/y'], 'ARCHIVE_NAME_COLLISION'],
    [['Notes/x', 'notes/y'], 'ARCHIVE_NAME_COLLISION'],
    [['A/', 'a/b.js'], 'ARCHIVE_NAME_COLLISION'],
    [['a/b.js', 'A/'], 'ARCHIVE_NAME_COLLISION'],
    [['x', 'X/y.js'], 'ARCHIVE_PATH_CONFLICT'],
    [['X/y.js', 'x'], 'ARCHIVE_PATH_CONFLICT'],
    [['x', 'x/y.js'], 'ARCHIVE_PATH_CONFLICT'],
    [['a/b/c', 'a/b/c/d/e.js'], 'ARCHIVE_PATH_CONFLICT'],
    [['a', 'a/'], 'ARCHIVE_PATH_CONFLICT'],
    [['a/', 'A'], 'ARCHIVE_PATH_CONFLICT'],
  ];

  for (const [names, code] of table) {
    it(`${JSON.stringify(names)}: ${code ?? 'accepted'} by the index and by the reader`, async () => {
      const index = new EntryNameIndex({ maxEntries: 100 });
      let found: string | null = null;
      try {
        for (const name of names) index.add(name);
      } catch (error) {
        assert.ok(isMCPSealError(error));
        found = error.code;
      }
      assert.equal(found, code);
      assert.equal(await readerVerdict(zipOf(names)), code);
    });
  }

  for (const [files, code] of [
    [['Lib/a.js', 'lib/b.js'], 'ARCHIVE_NAME_COLLISION'],
    [['x', 'X/y.js'], 'ARCHIVE_PATH_CONFLICT'],
  ] as const) {
    it(`issue 8 bug 1: pack refuses ${files.join(' + ')} with ${code} (it used to pack them; inspect then refused the result)`, async () => {
      const tmp = await tempDir();
      try {
        const src = join(tmp.path, 'src');
        await writeTree(src, Object.fromEntries(files.map((name) => [name, `// ${name}\n`])));
        assert.equal(await codeOf(packBundle(src, join(tmp.path, 'lib.mcpb'))), code);
        const out = join(tmp.path, 'cli.mcpb');
        const result = await runCli(['pack', src, out, '--json']);
        assert.equal(result.status, 1, result.stderr);
        assert.equal(cliCode(result), code);
        assert.deepEqual(await listTree(tmp.path).then((names) => names.filter((name) => name.endsWith('.mcpb'))), [], 'nothing written');
      } finally {
        await tmp.cleanup();
      }
    });
  }

  // Names with case variants, Unicode spellings, trailing dots and shared prefixes: some trees
  // collide, some do not. Whatever pack accepts, the reader accepts; and pack refuses exactly the
  // trees a brute-force model of the rules refuses.
  // 'x.', 'nul.js' and 'Com1': names Windows cannot create (issue 14 item 5), refused by both.
  const SEGMENTS = ['lib', 'Lib', 'LIB', 'x', 'X', 'x.', 'a.js', 'A.js', 'caf\u00e9', 'cafe\u0301', 'stra\u00dfe', 'STRASSE', 'b', 'nul.js', 'Com1'];
  const path = fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 3 }).map((segments) => segments.join('/'));

  /** Drops paths a case-sensitive file system cannot hold together (one exact path both a file and a directory). */
  function writable(paths: string[]): string[] {
    const chosen: string[] = [];
    for (const candidate of paths) {
      const clash = chosen.some((p) => p === candidate || p.startsWith(`${candidate}/`) || candidate.startsWith(`${p}/`));
      if (!clash && candidate !== 'manifest.json') chosen.push(candidate);
    }
    return chosen;
  }

  /** The model: every file and implied directory, grouped by collision key; a group with two spellings or both kinds is refused. */
  function modelRefuses(files: string[]): boolean {
    if (files.some((file) => validateEntryName(file) !== null)) return true;
    const groups = new Map<string, { spellings: Set<string>; file: boolean; directory: boolean }>();
    const note = (name: string, kind: 'file' | 'directory'): void => {
      const key = collisionKey(name);
      const group = groups.get(key) ?? { spellings: new Set<string>(), file: false, directory: false };
      group.spellings.add(name);
      group[kind] = true;
      groups.set(key, group);
    };
    for (const file of ['manifest.json', ...files]) {
      const segments = file.split('/');
      for (let depth = 1; depth < segments.length; depth++) note(segments.slice(0, depth).join('/'), 'directory');
      note(file, 'file');
    }
    return [...groups.values()].some((group) => group.spellings.size > 1 || (group.file && group.directory));
  }

  it('property: pack accepts => the reader accepts the result, and pack refuses exactly what the model refuses', async () => {
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(path, { minLength: 1, maxLength: 6 }).map(writable), async (files) => {
        const tmp = await tempDir();
        try {
          const src = join(tmp.path, 'src');
          await writeTree(src, Object.fromEntries(files.map((name) => [name, `// ${name}\n`])));
          const out = join(tmp.path, 'b.mcpb');
          // A test of names, not manifests: the entry point is usually not among the generated files.
          const code = await codeOf(packBundle(src, out, { skipValidation: true }));
          if (code === null) {
            accepted++;
            assert.equal(await readerVerdict(await readFile(out)), null, `the reader refuses what pack wrote for ${JSON.stringify(files)}`);
          } else {
            refused++;
            assert.ok(['ARCHIVE_NAME_COLLISION', 'ARCHIVE_PATH_CONFLICT', 'ARCHIVE_WINDOWS_RESERVED_NAME'].includes(code), `${code} for ${JSON.stringify(files)}`);
          }
          assert.equal(code !== null, modelRefuses(files), `pack says ${code ?? 'accepted'} for ${JSON.stringify(files)}`);
        } finally {
          await tmp.cleanup();
        }
      }),
      { numRuns: 60 },
    );
    // The generator reaches both sides of the rule.
    assert.ok(accepted >= 5 && refused >= 5, `accepted ${accepted}, refused ${refused}`);
  });
});

// --- Issue 14 item 5: names Windows cannot create ----------------------------------------------

describe('issue 14 item 5: names Windows cannot create are ARCHIVE_WINDOWS_RESERVED_NAME in the reader and in pack', () => {
  // One row per class: each device name, the segment's position, an extension, the case, the
  // superscript digits, the console names, trailing dots and spaces.
  const RESERVED: [cls: string, name: string][] = [
    ['device name CON', 'CON'],
    ['device name PRN', 'prn'],
    ['device name AUX', 'Aux'],
    ['device name NUL', 'nul'],
    ['COM0-COM9', 'com0'],
    ['COM0-COM9', 'COM9'],
    ['LPT0-LPT9', 'lpt1'],
    ['LPT0-LPT9', 'LpT9'],
    ['superscript one', 'COM\u00b9'],
    ['superscript two', 'com\u00b2.js'],
    ['superscript three', 'LPT\u00b3.txt'],
    ['console input', 'CONIN$'],
    ['console output', 'conout$.log'],
    ['first segment of a path', 'nul/index.js'],
    ['middle segment', 'server/AUX/index.js'],
    ['last segment', 'server/lib/con'],
    ['directory entry', 'server/prn/'],
    ['with an extension', 'server/nul.js'],
    ['with two extensions', 'server/con.tar.gz'],
    ['spaces before the extension', 'server/aux  .txt'],
    ['mixed case with an extension', 'server/cOn.JSON'],
    ['trailing dot', 'server/index.js.'],
    ['trailing space', 'server/index.js '],
    ['trailing dot in a directory segment', 'server./index.js'],
    ['trailing space in a directory segment', 'server /index.js'],
    ['trailing dot in a directory entry', 'lib./'],
    ['trailing dot and space', 'a. '],
  ];
  const LOOKALIKES = ['console.js', 'nullish.js', 'auxiliary/x', 'com10', 'lpt', 'conin.js', 'conout', 'a.b', '.env', 'server/.hidden', 'x/nul_', 'com\u2074'];

  for (const [cls, name] of RESERVED) {
    it(`issue 14 item 5 (${cls}): ${JSON.stringify(name)} is refused by the name rule and by the reader`, async () => {
      assert.equal(validateEntryName(name)?.code, 'ARCHIVE_WINDOWS_RESERVED_NAME');
      const entries: EntrySpec[] = [{ name: 'manifest.json', data: MANIFEST }, name.endsWith('/') ? { name } : { name, data: 'x' }];
      assert.equal(await readerVerdict(buildZip(entries)), 'ARCHIVE_WINDOWS_RESERVED_NAME');
    });
  }

  it('issue 14 item 5: names that only resemble them stay valid', () => {
    for (const name of LOOKALIKES) assert.equal(validateEntryName(name), null, name);
  });

  for (const [cls, file] of [
    ['device name in a directory segment', 'server/NUL/index.js'],
    ['device name with an extension', 'server/com1.json'],
    ['trailing dot', 'server/index.js.'],
    ['trailing space in a directory', 'lib /a.js'],
  ] as const) {
    it(`issue 14 item 5 (${cls}): pack refuses ${JSON.stringify(file)} with ARCHIVE_WINDOWS_RESERVED_NAME and writes nothing`, async () => {
      const tmp = await tempDir();
      try {
        const src = join(tmp.path, 'src');
        await writeTree(src, { [file]: '// x\n', 'index.js': '// entry\n' });
        assert.equal(await codeOf(packBundle(src, join(tmp.path, 'lib.mcpb'), { skipValidation: true })), 'ARCHIVE_WINDOWS_RESERVED_NAME');
        const result = await runCli(['pack', src, join(tmp.path, 'cli.mcpb'), '--no-validate', '--json']);
        assert.equal(result.status, 1, result.stderr);
        assert.equal(cliCode(result), 'ARCHIVE_WINDOWS_RESERVED_NAME');
        assert.deepEqual(await listTree(tmp.path).then((names) => names.filter((name) => name.endsWith('.mcpb'))), [], 'nothing written');
      } finally {
        await tmp.cleanup();
      }
    });
  }
});

// --- Finding 8: linear name checks, bounded implied directories ---------------------------------

describe('finding 8: the name checks are linear and the implied directories bounded', function () {
  this.timeout(120_000);
  const DEPTH = 60;
  const COUNT = 20_000;
  /** `COUNT` files `DEPTH` levels deep, every parent distinct: 59 directories per entry. */
  const deepNames = (): string[] => Array.from({ length: COUNT }, (_, i) => `${i.toString(36)}/${'d/'.repeat(DEPTH - 2)}f`);

  it('finding 8: 20,000 entries of depth 60 with distinct parents cost one node per path (each directory stored once)', () => {
    const index = new EntryNameIndex({ maxEntries: COUNT * DEPTH });
    for (const name of deepNames()) index.add(name);
    assert.equal(index.nodeCount, COUNT * DEPTH, 'one node per distinct path: files plus directories');
    assert.equal(index.directoryCount, COUNT * (DEPTH - 1));
  });

  it('finding 8: shared parents are stored once (20,000 files in one 59-level directory)', () => {
    const index = new EntryNameIndex({ maxEntries: COUNT });
    const parent = 'd/'.repeat(DEPTH - 1);
    for (let i = 0; i < COUNT; i++) index.add(`${parent}f${i}`);
    assert.equal(index.nodeCount, DEPTH - 1 + COUNT);
    assert.equal(index.directoryCount, DEPTH - 1);
  });

  it('finding 8: a central directory implying more directories than maxEntries is refused before it costs memory (ARCHIVE_TOO_MANY_ENTRIES)', async () => {
    const zip = buildZip(deepNames().map((name) => ({ name, method: STORED })));
    assert.ok(zip.length > 5_000_000, 'a central directory of several megabytes');
    assert.equal(await readerVerdict(zip), 'ARCHIVE_TOO_MANY_ENTRIES');
  });

  it('finding 8: implied directories count against maxEntries like entries do', async () => {
    const zip = buildZip([{ name: 'a/b/c/d/e/f/g/h/i/j/k.txt', data: 'x' }]);
    assert.equal(await readerVerdict(zip, { maxEntries: 10 }), null, '10 directories and one file');
    assert.equal(await readerVerdict(zip, { maxEntries: 9 }), 'ARCHIVE_TOO_MANY_ENTRIES');
  });
});

// --- Finding 1: a second archive inside the MCPB_SIG_V1 block ----------------------------------

const EVIL_MANIFEST = JSON.stringify({ ...(JSON.parse(MANIFEST) as Record<string, unknown>), name: 'zip-b' });
const FOOTER = Buffer.from('MCPB_SIG_END', 'latin1');

/**
 * Zip A, its end record, then an MCPB_SIG_V1 block whose "DER" is zip B. B's end record claims a
 * comment as long as the footer, so B's end record plus comment ends the file: readers that scan
 * back from the end (unzip, Python, yauzl, mcpb) find B.
 */
function zipInsideBlock(options: { wrap?: (zipB: Buffer) => Buffer } = {}): Buffer {
  const zipA = buildBundle();
  const zipB = buildZip([{ name: 'manifest.json', data: EVIL_MANIFEST }], { end: { commentLength: FOOTER.length } });
  return Buffer.concat([zipA, signatureBlock({ der: options.wrap ? options.wrap(zipB) : zipB })]);
}

/** A DER SEQUENCE (minimal definite length) around `content`. */
function derSequence(content: Buffer): Buffer {
  const length = content.length;
  const head = length < 0x80 ? Buffer.from([0x30, length]) : length < 0x100 ? Buffer.from([0x30, 0x81, length]) : Buffer.from([0x30, 0x82, length >> 8, length & 0xff]);
  return Buffer.concat([head, content]);
}

const SIGNED_DATA_OID = Buffer.from('06092a864886f70d010702', 'hex');
/** A ContentInfo-shaped SEQUENCE { signedData OID, [0] OCTET STRING holding `payload` }: valid outer DER hiding bytes inside. */
function contentInfoHiding(payload: Buffer): Buffer {
  const octets = Buffer.concat([Buffer.from([0x04, 0x82, payload.length >> 8, payload.length & 0xff]), payload]);
  const explicit = Buffer.concat([Buffer.from([0xa0, 0x82, octets.length >> 8, octets.length & 0xff]), octets]);
  return derSequence(Buffer.concat([SIGNED_DATA_OID, explicit]));
}

describe('finding 1: nothing but one SignedData inside the signature block', function () {
  this.timeout(120_000);

  it('finding 1: zip A + block whose DER is zip B is refused (ARCHIVE_BAD_SIGNATURE_BLOCK), though unzip reads B', async () => {
    const tmp = await tempDir();
    try {
      const file = join(tmp.path, 'two-zips.mcpb');
      await writeFile(file, zipInsideBlock());
      // The differential is real: Info-ZIP lists zip B's entries from this very file.
      const listed = spawnText('unzip', ['-p', file, 'manifest.json']);
      assert.match(listed, /zip-b/u, 'unzip reads the hidden archive');
      assert.equal(await readerVerdict(await readFile(file)), 'ARCHIVE_BAD_SIGNATURE_BLOCK');
      const result = await runCli(['inspect', file, '--json']);
      assert.equal(result.status, 1, result.stderr);
      assert.equal(cliCode(result), 'ARCHIVE_BAD_SIGNATURE_BLOCK');
    } finally {
      await tmp.cleanup();
    }
  });

  it('finding 1: zip B wrapped in a well-formed signedData ContentInfo is refused too', async () => {
    assert.equal(await readerVerdict(zipInsideBlock({ wrap: contentInfoHiding })), 'ARCHIVE_BAD_SIGNATURE_BLOCK');
  });

  const RECORDS: [what: string, signature: number][] = [
    ['an end of central directory record', 0x06054b50],
    ['a zip64 end record', 0x06064b50],
    ['a zip64 locator', 0x07064b50],
    ['a central directory header', 0x02014b50],
    ['a local file header', 0x04034b50],
  ];
  for (const [what, signature] of RECORDS) {
    it(`finding 1: ${what} anywhere inside the block's DER is refused`, async () => {
      const record = Buffer.alloc(8);
      record.writeUInt32LE(signature, 2);
      const zip = buildBundle([], { append: signatureBlock({ der: contentInfoHiding(record) }) });
      assert.equal(await readerVerdict(zip), 'ARCHIVE_BAD_SIGNATURE_BLOCK');
    });
  }

  for (const marker of ['MCPB_SIG_V1', 'MCPB_SIG_END', 'DXT_SIG_V1', 'DXT_SIG_END']) {
    it(`finding 1: a second block marker (${marker}) inside the block is refused`, async () => {
      const zip = buildBundle([], { append: signatureBlock({ der: contentInfoHiding(Buffer.from(marker, 'latin1')) }) });
      assert.equal(await readerVerdict(zip), 'ARCHIVE_BAD_SIGNATURE_BLOCK');
    });
  }

  const shapes: [what: string, der: Buffer, accepted: boolean][] = [
    ['SEQUENCE { signedData OID }', EMPTY_SIGNED_DATA, true],
    ['SEQUENCE { signedData OID, [0] { OCTET STRING } } with a long-form length', contentInfoHiding(Buffer.alloc(300, 0x41)), true],
    ['not a SEQUENCE (an OCTET STRING)', Buffer.from('040100', 'hex'), false],
    ['bytes after the SEQUENCE', Buffer.concat([EMPTY_SIGNED_DATA, Buffer.from([0])]), false],
    ['a SEQUENCE shorter than its length', EMPTY_SIGNED_DATA.subarray(0, -1), false],
    ['an indefinite length (BER 30 80)', Buffer.concat([Buffer.from([0x30, 0x80]), SIGNED_DATA_OID, Buffer.from([0, 0])]), false],
    ['a non-minimal length (30 81 0b)', Buffer.concat([Buffer.from([0x30, 0x81, 0x0b]), SIGNED_DATA_OID]), false],
    ['a ContentInfo of type data (1.2.840.113549.1.7.1)', derSequence(Buffer.from('06092a864886f70d010701', 'hex')), false],
    ['a SEQUENCE { INTEGER 0 }', Buffer.from('3003020100', 'hex'), false],
    ['nothing at all', Buffer.alloc(0), false],
  ];
  for (const [what, der, accepted] of shapes) {
    it(`finding 1: block DER ${what}: ${accepted ? 'framed' : 'refused'}`, async () => {
      assert.equal(checkContentInfo(der) === null, accepted, String(checkContentInfo(der)));
      const zip = buildBundle([], { append: signatureBlock({ der }) });
      assert.equal(await readerVerdict(zip), accepted ? null : 'ARCHIVE_BAD_SIGNATURE_BLOCK');
    });
  }

  it('a block over maxSignatureBlockSize is refused; the cap is a limit like the others', async () => {
    const zip = buildBundle([], { append: signatureBlock({ der: contentInfoHiding(Buffer.alloc(2000, 0x41)) }) });
    assert.equal(await readerVerdict(zip), null);
    assert.equal(await readerVerdict(zip, { maxSignatureBlockSize: 1000 }), 'ARCHIVE_BAD_SIGNATURE_BLOCK');
  });

  it('property: any zip record signature at any offset of a signedData block is refused', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 200 }), fc.nat(), fc.constantFrom(...RECORDS.map(([, s]) => s)), async (noise, at, signature) => {
        const payload = Buffer.from(noise);
        const record = Buffer.alloc(4);
        record.writeUInt32LE(signature);
        const i = at % (payload.length + 1);
        const hostile = Buffer.concat([payload.subarray(0, i), record, payload.subarray(i)]);
        const zip = buildBundle([], { append: signatureBlock({ der: contentInfoHiding(hostile) }) });
        assert.equal(await readerVerdict(zip), 'ARCHIVE_BAD_SIGNATURE_BLOCK');
      }),
      { numRuns: 100 },
    );
  });
});

/** A tool's stdout, whatever its exit status (unzip warns, exit 1, about the bytes before zip B and reads it anyway). */
function spawnText(command: string, args: string[]): string {
  return spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).stdout;
}

// --- Finding 10: secrets through in-tree symlinks -----------------------------------------------

describe('finding 10: pack applies the exclusion rules to where a symlink points', function () {
  this.timeout(60_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let src: string;

  before(async () => {
    tmp = await tempDir();
    src = join(tmp.path, 'src');
    await writeTree(src, {
      'server/index.js': 'console.log(1);\n',
      '.env': 'API_TOKEN=secret\n',
      '.git/config': '[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n',
      '.ssh/id_ed25519': '-----BEGIN OPENSSH PRIVATE KEY-----\n',
      'private/notes.txt': 'internal\n',
      'public/readme.txt': 'hello\n',
      '.mcpbignore': 'private/\n',
    });
    await mkdir(join(src, 'docs'));
    await symlink('../.env', join(src, 'docs', 'notes.txt'));
    await symlink('.git/config', join(src, 'ci-config.txt'));
    await symlink('.ssh', join(src, 'keys'));
    await symlink('private', join(src, 'shared'));
    await symlink('public/readme.txt', join(src, 'README.txt'));
  });
  after(async () => tmp.cleanup());

  it('finding 10: docs/notes.txt -> ../.env, a link to .git/config and a link to .ssh/ are not packed', async () => {
    const { files, excluded } = await collectSourceFiles(src);
    const names = files.map((file) => file.name);
    for (const leaked of ['docs/notes.txt', 'ci-config.txt', 'keys/id_ed25519', 'shared/notes.txt']) assert.ok(!names.includes(leaked), `${leaked} packed`);
    assert.deepEqual(names, ['README.txt', 'manifest.json', 'public/readme.txt', 'server/index.js'], 'an ordinary in-tree link is still packed');
    const byName = new Map(excluded.map((file) => [file.name, file]));
    assert.deepEqual(byName.get('docs/notes.txt'), { name: 'docs/notes.txt', reason: 'secret', target: '.env' });
    assert.deepEqual(byName.get('ci-config.txt'), { name: 'ci-config.txt', reason: 'ignored', target: '.git/config' });
    assert.deepEqual(byName.get('keys/'), { name: 'keys/', reason: 'secret', target: '.ssh/' });
    assert.deepEqual(byName.get('shared/'), { name: 'shared/', reason: 'ignored', target: 'private/' });
  });

  it('finding 10: the packed bundle holds none of the secrets (CLI)', async () => {
    const out = join(tmp.path, 'b.mcpb');
    const result = await runCli(['pack', src, out, '--json']);
    assert.equal(result.status, 0, result.stderr);
    const bytes = await readFile(out);
    for (const secret of ['API_TOKEN', 'AUTHORIZATION', 'OPENSSH PRIVATE KEY', 'internal']) assert.ok(!bytes.includes(secret), `${secret} in the bundle`);
  });
});

// --- Also noted: invisible and bidi characters in entry names -----------------------------------

const INVISIBLE = [
  '\u00ad', // soft hyphen
  '\u061c', // Arabic letter mark
  '\u180e', // Mongolian vowel separator
  '\u200b', // zero width space
  '\u200c',
  '\u200d',
  '\u200e', // left-to-right mark
  '\u200f', // right-to-left mark
  '\u202a', // LRE
  '\u202b',
  '\u202c',
  '\u202d',
  '\u202e', // right-to-left override
  '\u2028', // line separator
  '\u2029', // paragraph separator
  '\u2060', // word joiner
  '\u2066', // LRI
  '\u2067',
  '\u2068',
  '\u2069', // PDI
  '\u3164', // Hangul filler
  '\ufe0f', // variation selector 16
  '\ufeff', // BOM
  '\u{e0041}', // tag latin capital A
];

describe('names: invisible and bidirectional formatting characters are refused', () => {
  for (const char of INVISIBLE) {
    const hex = char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    it(`U+${hex} in a name: ARCHIVE_NAME_FORBIDDEN_CHAR`, () => {
      assert.equal(validateEntryName(`server/in${char}dex.js`)?.code, 'ARCHIVE_NAME_FORBIDDEN_CHAR');
    });
  }

  it('"server/index.js" and "server/index\\u200b.js" display alike: the reader refuses the archive', async () => {
    const zip = buildBundle([{ name: 'server/index\u200b.js', data: 'evil()' }]);
    assert.equal(await readerVerdict(zip), 'ARCHIVE_NAME_FORBIDDEN_CHAR');
  });

  it('a right-to-left override that shows "exe.txt" for "txt.exe" is refused', async () => {
    assert.equal(await readerVerdict(buildBundle([{ name: 'invoice\u202etxt.exe', data: 'MZ' }])), 'ARCHIVE_NAME_FORBIDDEN_CHAR');
  });

  it('property: any safe name with an invisible character inserted anywhere is refused', () => {
    const safe = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}(\/[A-Za-z0-9_-]{1,12}){0,3}$/u);
    fc.assert(
      fc.property(safe, fc.constantFrom(...INVISIBLE), fc.nat(), (name, char, at) => {
        const i = at % (name.length + 1);
        assert.equal(validateEntryName(`${name.slice(0, i)}${char}${name.slice(i)}`)?.code, 'ARCHIVE_NAME_FORBIDDEN_CHAR');
      }),
    );
  });

  it('visible non-ASCII names are still accepted (accents, combining marks, CJK, emoji)', () => {
    for (const name of ['caf\u00e9.txt', 'cafe\u0301.txt', '\u65e5\u672c\u8a9e.txt', 'emoji-\u{1f600}.txt', '\u05e9\u05dc\u05d5\u05dd.txt']) {
      assert.equal(validateEntryName(name), null, name);
    }
  });
});

// --- Also noted: stored entries with a data descriptor ------------------------------------------

describe('stored entries with a data descriptor', function () {
  this.timeout(60_000);
  const DATA = 'stored data\n'.repeat(20);

  it('a stored entry with a data descriptor and zero sizes in its local header is refused (ARCHIVE_BAD_DATA_DESCRIPTOR)', async () => {
    const zip = buildBundle([{ name: 'lib/a.txt', data: DATA, method: STORED, dataDescriptor: true }]);
    assert.equal(await readerVerdict(zip), 'ARCHIVE_BAD_DATA_DESCRIPTOR');
  });

  it('a stored entry with a data descriptor and its sizes in the local header (as Info-ZIP streams it) is accepted', async () => {
    const size = Buffer.byteLength(DATA);
    const entry: EntrySpec = { name: 'lib/a.txt', data: DATA, method: STORED, dataDescriptor: true, local: { compressedSize: size, size } };
    assert.equal(await readerVerdict(buildBundle([entry])), null);
  });

  it('control: `zip -0 -r - . | cat` (Info-ZIP, stored, streamed with descriptors) is accepted', async () => {
    const tmp = await tempDir();
    try {
      const src = join(tmp.path, 'src');
      await writeTree(src, { 'server/index.js': DATA, 'lib/b.txt': DATA });
      const out = join(tmp.path, 'streamed.mcpb');
      execFileSync('sh', ['-c', `zip -q -0 -r - . | cat > '${out}'`], { cwd: src });
      const bytes = await readFile(out);
      const header = bytes.indexOf('lib/b.txt') - 30; // its local header (the first occurrence of the name)
      assert.equal(bytes.readUInt32LE(header), 0x04034b50);
      assert.equal(bytes.readUInt16LE(header + 6) & 0x08, 0x08, 'the entry has a data descriptor');
      assert.equal(bytes.readUInt16LE(header + 8), 0, 'and is stored');
      assert.equal(await readerVerdict(bytes), null);
    } finally {
      await tmp.cleanup();
    }
  });
});

// --- Also noted: modes do not depend on the umask -----------------------------------------------

describe('extraction modes never depend on the umask', function () {
  this.timeout(60_000);

  for (const umask of ['077', '000']) {
    it(`under umask ${umask}, files are 0644 or 0755 and directories 0755`, async () => {
      const tmp = await tempDir();
      try {
        const src = join(tmp.path, 'src');
        await writeTree(src, { 'server/index.js': { data: '#!/usr/bin/env node\n', mode: 0o755 }, 'lib/big.bin': Buffer.alloc(9 * 1024 * 1024, 1) });
        const bundle = join(tmp.path, 'b.mcpb');
        await packBundle(src, bundle);
        const out = join(tmp.path, 'out');
        const status = await new Promise<number | null>((resolve, reject) => {
          const child = spawn('sh', ['-c', `umask ${umask}; exec "$0" "$@"`, process.execPath, BIN, 'unpack', bundle, out, '--allow-unsigned'], { stdio: 'ignore' });
          child.on('error', reject);
          child.on('close', resolve);
        });
        assert.equal(status, 0);
        const mode = async (name: string): Promise<string> => ((await stat(join(out, name))).mode & 0o7777).toString(8);
        assert.deepEqual(
          [await mode('.'), await mode('server'), await mode('server/index.js'), await mode('manifest.json'), await mode('lib/big.bin')],
          ['755', '755', '755', '644', '644'],
          'the big file is streamed, the others written whole: both paths set the mode',
        );
      } finally {
        await tmp.cleanup();
      }
    });
  }
});

// --- Finding 13: a FIFO as input ------------------------------------------------------------------

describe('finding 13: a FIFO given as the bundle', function () {
  this.timeout(30_000);

  it('finding 13: mcpseal inspect <fifo> exits 2 promptly with IO_READ_FAILED', async () => {
    const tmp = await tempDir();
    try {
      const fifo = join(tmp.path, 'bundle.mcpb');
      execFileSync('mkfifo', [fifo]);
      // A hang waiting for a writer fails on the suite's timeout; no timing is asserted.
      const result = await runCli(['inspect', fifo, '--json']);
      assert.equal(result.status, 2, result.stderr);
      assert.equal(cliCode(result), 'IO_READ_FAILED');
    } finally {
      await tmp.cleanup();
    }
  });
});

// --- Issue 8 item 2: the central-directory pieces are pure and testable with a Buffer ----------

describe('issue 8: the central-directory pieces take a Buffer', () => {
  const central = (fields: Partial<CentralFields> = {}): Buffer =>
    centralHeader({
      signature: 0x02014b50,
      madeBy: (3 << 8) | 20,
      version: 20,
      flags: 0,
      method: 8,
      time: 0,
      date: 33,
      crc: 0x12345678,
      compressedSize: 10,
      size: 20,
      disk: 0,
      internalAttributes: 0,
      externalAttributes: (0o100755 << 16) >>> 0,
      offset: 0,
      name: 'server/index.js',
      extra: '',
      comment: 'hi',
      ...fields,
    });

  it('decodeCentralRecord: one record in, the decoded record and the next offset out', () => {
    const cd = Buffer.concat([central(), central({ name: 'b' })]);
    const { record, next } = decodeCentralRecord(cd, 0, 0, 0);
    assert.deepEqual([record.name, record.method, record.crc32, record.compressedSize, record.size, record.zip64], ['server/index.js', 8, 0x12345678, 10, 20, false]);
    assert.equal(next, 46 + 'server/index.js'.length + 2);
    assert.equal(decodeCentralRecord(cd, next, 1, 0).record.name, 'b');
  });

  it('decodeCentralRecord: zip64 values replace the masked fields', () => {
    const { record } = decodeCentralRecord(central({ size: 0xffffffff, compressedSize: 0xffffffff, offset: 0xffffffff, extra: zip64Extra(5_000_000_000, 4_000_000_000, 7) }), 0, 0, 0);
    assert.deepEqual([record.size, record.compressedSize, record.localHeaderOffset, record.zip64], [5_000_000_000, 4_000_000_000, 7, true]);
  });

  it('checkEntry: the per-entry rules on a decoded record', () => {
    const { record } = decodeCentralRecord(central(), 0, 0, 0);
    assert.equal(checkEntry(record, defaultLimits).mode, 0o755);
    const link = decodeCentralRecord(central({ externalAttributes: (0o120777 << 16) >>> 0 }), 0, 0, 0).record;
    assert.throws(() => checkEntry(link, defaultLimits), (error: unknown) => isMCPSealError(error) && error.code === 'ARCHIVE_SYMLINK');
  });

  it('readEocd and reconcileZip64: the 32-bit fields must agree with the zip64 ones or be masked', () => {
    const eocd = readEocd(endRecord({ signature: 0x06054b50, disk: 0, cdDisk: 0, entriesOnDisk: 0xffff, entryCount: 0xffff, cdSize: 100, cdOffset: 0xffffffff, comment: '' }));
    const zip64 = { disk: 0, cdDisk: 0, entriesOnDisk: 70_000, entryCount: 70_000, cdSize: 100, cdOffset: 5_000_000_000 };
    assert.deepEqual(reconcileZip64(eocd, zip64), zip64);
    assert.throws(() => reconcileZip64({ ...eocd, cdSize: 99 }, zip64), (error: unknown) => isMCPSealError(error) && error.code === 'ARCHIVE_BAD_ZIP64');
  });
});
