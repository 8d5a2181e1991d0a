// Other zip readers, each wrapped to give the same answer for one archive file: the files it
// would hand a program or leave on disk (name -> sha256 of content), or its refusal. Used by the
// cross-reader differential tests: whatever mcpseal accepts, every other reader that succeeds must
// see exactly the same names and bytes.
//
//   unzip        Info-ZIP `unzip -o -d` (extraction into a temporary directory, the tree read back)
//   unzip-list   Info-ZIP `unzip -Z1` (the names a reviewer lists; no content)
//   python       Python `zipfile` (infolist + read), one process for a whole batch of archives
//   yauzl        yauzl with its default options
//   yauzl-strict yauzl with strictFileNames (backslashes refused, not turned into slashes)
//   mcpb         the official `mcpb unpack` (node_modules/.bin/mcpb): the CLI, or its unpack function
//                batched in one Node process; the tree read back

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, readlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import yauzl from 'yauzl';
import { Archive, extractArchive, MCPSealError, type ArchiveLimits } from '../../lib/index.ts';
import { ROOT } from './cli.ts';

export const READERS = ['mcpseal', 'unzip', 'unzip-list', 'python', 'yauzl', 'yauzl-strict', 'mcpb'] as const;
export type ReaderName = (typeof READERS)[number];

/** One file as a reader sees it: its name and the sha256 of its content (null when a reader only lists names). */
export type ViewEntry = [name: string, sha256: string | null];

export type ReaderOutcome = { ok: true; view: ViewEntry[]; warning?: string } | { ok: false; error: string };

const CHILD_TIMEOUT_MS = 30_000;

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function sorted(view: ViewEntry[]): ViewEntry[] {
  return view.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : (a[1] ?? '') < (b[1] ?? '') ? -1 : 1));
}

/**
 * What an extraction left under `sandbox`, named relative to `out` (so a file that escaped the
 * target shows as `../name`). Directories are left out (they hold no content); a symlink is
 * recorded by its target, any other non-regular file by its type, so neither passes for a file.
 * Names are read as bytes: one that is not UTF-8 is shown as `bytes:<hex>`, never decoded lossily.
 */
export async function treeView(sandbox: string, out: string): Promise<ViewEntry[]> {
  const view: ViewEntry[] = [];
  const prefix = Buffer.from(`${relative(sandbox, out)}/`);
  const walk = async (dir: Buffer, name: Buffer): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true, encoding: 'buffer' })) {
      const path = Buffer.concat([dir, SLASH, entry.name]);
      const child = Buffer.concat([name, entry.name]);
      if (entry.isDirectory()) await walk(path, Buffer.concat([child, SLASH]));
      else if (entry.isSymbolicLink()) view.push([nameOf(child, prefix), `symlink -> ${(await readlink(path)).toString()}`]);
      else if (entry.isFile()) view.push([nameOf(child, prefix), sha256(await readFile(path))]);
      else view.push([nameOf(child, prefix), 'special file']);
    }
  };
  await walk(Buffer.from(sandbox), Buffer.alloc(0));
  return sorted(view);
}

const SLASH = Buffer.from('/');
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A path under the sandbox as a name relative to the target (`prefix`), `../` for what escaped it. */
function nameOf(path: Buffer, prefix: Buffer): string {
  const inside = path.subarray(0, prefix.length).equals(prefix);
  const bytes = inside ? path.subarray(prefix.length) : path;
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return `bytes:${bytes.toString('hex')}`;
  }
  return inside ? text : relative(prefix.toString(), text);
}

/** A fresh sandbox for one reader's extraction: the target sits two levels down, so escapes stay inside. */
async function sandboxFor(dir: string): Promise<{ sandbox: string; out: string }> {
  const out = join(dir, 'a', 'b', 'out');
  await mkdir(join(dir, 'a', 'b'), { recursive: true });
  return { sandbox: dir, out };
}

interface ChildResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: CHILD_TIMEOUT_MS });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.slice(0, 200) ?? '';
}

/** mcpseal: open the file and extract it with the library (the path `mcpseal unpack` takes). */
export async function readWithMcpseal(file: string, dir: string, limits?: Partial<ArchiveLimits>): Promise<ReaderOutcome> {
  const { sandbox, out } = await sandboxFor(dir);
  try {
    const archive = await Archive.openFile(file, limits ? { limits } : {});
    try {
      await extractArchive(archive, out);
    } finally {
      await archive.close();
    }
  } catch (error) {
    if (error instanceof MCPSealError) return { ok: false, error: error.code };
    throw error;
  }
  return { ok: true, view: await treeView(sandbox, out) };
}

/**
 * Info-ZIP unzip, extracting. Exit 0 is success and exit 1 ("warnings, processing completed") is
 * success with a warning: unzip wrote files either way (after skipping `../` components, say).
 * `-P` gives a wrong password so an encrypted entry is skipped instead of prompting on a terminal.
 */
export async function readWithUnzip(file: string, dir: string): Promise<ReaderOutcome> {
  const { sandbox, out } = await sandboxFor(dir);
  const result = await run('unzip', ['-o', '-qq', '-P', 'not-the-password', '-d', out, file]);
  if (result.status !== 0 && result.status !== 1) return { ok: false, error: `exit ${result.status}: ${firstLine(result.stderr || result.stdout)}` };
  const view = await treeView(sandbox, out);
  return result.status === 1 ? { ok: true, view, warning: firstLine(result.stderr || result.stdout) } : { ok: true, view };
}

/** Info-ZIP unzip, listing (`unzip -Z1`, zipinfo's names only): what a reviewer would read. */
export async function listWithUnzip(file: string): Promise<ReaderOutcome> {
  const result = await run('unzip', ['-Z1', file]);
  if (result.status !== 0) return { ok: false, error: `exit ${result.status}: ${firstLine(result.stderr || result.stdout)}` };
  const names = result.stdout.split('\n').filter((name) => name !== '' && !name.endsWith('/'));
  return { ok: true, view: sorted(names.map((name): ViewEntry => [name, null])) };
}

const MCPB_CLI = join(ROOT, 'node_modules', '@anthropic-ai', 'mcpb', 'dist', 'cli', 'cli.js');
const MCPB_UNPACK = join(ROOT, 'node_modules', '@anthropic-ai', 'mcpb', 'dist', 'cli', 'unpack.js');

/** The official `mcpb unpack` CLI (fflate underneath), its output tree read back. */
export async function readWithMcpb(file: string, dir: string): Promise<ReaderOutcome> {
  const { sandbox, out } = await sandboxFor(dir);
  const result = await run(process.execPath, [MCPB_CLI, 'unpack', file, out]);
  if (result.status !== 0) return { ok: false, error: `exit ${result.status}: ${firstLine(result.stderr || result.stdout)}` };
  return { ok: true, view: await treeView(sandbox, out) };
}

// One Node process unpacks a whole batch with the function the `mcpb unpack` command calls
// (dist/cli/unpack.js `unpackExtension`; the command exits 0 exactly when it returns true), one
// JSON line per archive, so the suite does not start a Node process per archive.
const MCPB_BATCH = `
const { unpackExtension } = await import(process.argv[1]);
let error = '';
console.log = () => {};
console.error = (...parts) => { error = parts.join(' '); };
for (let i = 2; i < process.argv.length; i += 2) {
  error = '';
  let ok = false;
  try { ok = await unpackExtension({ mcpbPath: process.argv[i], outputDir: process.argv[i + 1] }); } catch (e) { error = String(e); }
  process.stdout.write(JSON.stringify({ ok, error: error.slice(0, 200) }) + '\\n');
}
`;

/** `mcpb unpack` over many archives in one process (see MCPB_BATCH); outcomes in the order of `files`. */
export async function readWithMcpbBatch(files: string[], dirs: string[]): Promise<ReaderOutcome[]> {
  const sandboxes = await Promise.all(dirs.map((dir) => sandboxFor(dir)));
  const args = files.flatMap((file, i) => [file, sandboxes[i]!.out]);
  const result = await run(process.execPath, ['--input-type=module', '-e', MCPB_BATCH, pathToFileURL(MCPB_UNPACK).href, ...args]);
  if (result.status !== 0) throw new Error(`the mcpb batch failed (${result.status}): ${result.stderr}`);
  const lines = result.stdout.trim().split('\n');
  if (lines.length !== files.length) throw new Error(`the mcpb batch answered ${lines.length} of ${files.length} files: ${result.stderr}`);
  return Promise.all(
    lines.map(async (line, i): Promise<ReaderOutcome> => {
      const answer = JSON.parse(line) as { ok: boolean; error: string };
      if (!answer.ok) return { ok: false, error: answer.error || 'unpackExtension returned false' };
      return { ok: true, view: await treeView(sandboxes[i]!.sandbox, sandboxes[i]!.out) };
    }),
  );
}

/** yauzl over the whole file: every entry from the central directory, every file's content read. */
export function readWithYauzl(file: string, options: { strict: boolean }): Promise<ReaderOutcome> {
  return new Promise((resolve) => {
    const refuse = (error: Error): void => resolve({ ok: false, error: error.message.slice(0, 200) });
    yauzl.open(file, { lazyEntries: true, autoClose: true, strictFileNames: options.strict }, (openError, zip) => {
      if (openError) return refuse(openError);
      const view: ViewEntry[] = [];
      let failed = false;
      const fail = (error: Error): void => {
        if (failed) return;
        failed = true;
        zip.close();
        refuse(error);
      };
      zip.on('error', fail);
      zip.on('end', () => {
        if (!failed) resolve({ ok: true, view: sorted(view) });
      });
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError) return fail(streamError);
          const hash = createHash('sha256');
          stream.on('data', (chunk: Buffer) => hash.update(chunk));
          stream.on('error', fail);
          stream.on('end', () => {
            view.push([entry.fileName, hash.digest('hex')]);
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

// One Python process reads a whole batch: for each path argument one JSON line, with every
// non-directory entry of infolist() read in full (zipfile checks the CRC-32 as it reads).
const PYTHON_BATCH = `
import hashlib, json, sys, zipfile
for path in sys.argv[1:]:
    try:
        with zipfile.ZipFile(path) as z:
            view = [[i.filename, hashlib.sha256(z.read(i)).hexdigest()] for i in z.infolist() if not i.is_dir()]
        print(json.dumps({"ok": True, "view": view}), flush=True)
    except Exception as e:
        print(json.dumps({"ok": False, "error": (type(e).__name__ + ": " + str(e))[:200]}), flush=True)
`;

/** Python's zipfile over many files in one process; outcomes in the order of `files`. */
export async function readWithPython(files: string[]): Promise<ReaderOutcome[]> {
  const result = await run('python3', ['-c', PYTHON_BATCH, ...files]);
  if (result.status !== 0) throw new Error(`the python reader failed (${result.status}): ${result.stderr}`);
  const lines = result.stdout.trim().split('\n');
  if (lines.length !== files.length) throw new Error(`the python reader answered ${lines.length} of ${files.length} files: ${result.stderr}`);
  return lines.map((line) => {
    const outcome = JSON.parse(line) as ReaderOutcome;
    return outcome.ok ? { ok: true, view: sorted(outcome.view) } : outcome;
  });
}
