// The `scopes suggest` pipeline: read a manifest and the bundle's files (a source directory or a
// .mcpb through the strict archive reader), run the static analyzer over the code, and draft the
// scopes from both (scopes/suggest-evidence.ts). This is the file-system and process edge: the
// analyzer does no I/O, and Python files are parsed by python3's own `ast` module in one child
// process started here (the default PythonParser).

import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeSources, type AnalysisInput } from './analysis/analyze.ts';
import { ownPackageOf } from './analysis/files.ts';
import type { AnalysisReport, PythonFacts, PythonParser } from './analysis/model.ts';
import { PYTHON_FACTS_SCRIPT } from './analysis/python-script.ts';
import { collectSourceFiles } from './archive/collect.ts';
import { Archive } from './archive/reader.ts';
import { MCPSealError } from './errors.ts';
import { ioError, readBoundedFile } from './io.ts';
import { resolveLimits, type Limits } from './limits.ts';
import { MANIFEST_NAME, manifestFileRead, parseManifest, readManifest } from './manifest/load.ts';
import { suggestFromEvidence, type EvidenceDraft } from './scopes/suggest-evidence.ts';
import { suggestScopes } from './scopes/suggest.ts';

export interface SuggestOptions {
  limits?: Partial<Limits>;
  /** The Python parser; default: python3's `ast` in one child process. `null`: none (Python files are unknown). */
  python?: PythonParser | null;
}

export interface SuggestResult extends EvidenceDraft {
  kind: 'manifest' | 'directory' | 'bundle';
  analysis: AnalysisReport;
}

/** Drafts scopes for the manifest, directory or bundle at `path`, from the manifest and the code's evidence. */
export async function suggestFromPath(path: string, options: SuggestOptions = {}): Promise<SuggestResult> {
  const limits = resolveLimits(options.limits);
  let info;
  try {
    info = await stat(path);
  } catch (cause) {
    throw ioError(cause, path, 'read');
  }
  const python = options.python === undefined ? defaultPythonParser() : (options.python ?? undefined);
  if (info.isDirectory()) {
    const manifest = parseManifest(await readBoundedFile(join(path, MANIFEST_NAME), manifestFileRead(join(path, MANIFEST_NAME), limits)), limits);
    const { files } = await collectSourceFiles(path, { limits });
    const inputs: AnalysisInput[] = files.map((file) => ({ path: file.name, size: file.size, read: () => readSource(file.path, limits) }));
    return draftFor('directory', manifest, inputs, new Set(files.map((file) => file.name)), { limits, python });
  }
  if (path.endsWith('.json')) {
    const manifest = parseManifest(await readBoundedFile(path, manifestFileRead(path, limits)), limits);
    return draftFor('manifest', manifest, [], undefined, { limits, python });
  }
  const archive = await Archive.openFile(path, { limits });
  try {
    const manifest = await readManifest(archive);
    const inputs: AnalysisInput[] = [];
    for (const name of archive.fileNames()) {
      const entry = archive.entry(name)!;
      inputs.push({ path: name, size: entry.size, read: () => archive.readEntry(entry) });
    }
    return await draftFor('bundle', manifest, inputs, archive.fileNames(), { limits, python });
  } finally {
    await archive.close();
  }
}

async function draftFor(kind: SuggestResult['kind'], manifest: Record<string, unknown>, inputs: AnalysisInput[], files: ReadonlySet<string> | undefined, options: { limits: Readonly<Limits>; python: PythonParser | undefined }): Promise<SuggestResult> {
  const entryPoint = ownRecord(manifest['server'])['entry_point'];
  const ownPackage = typeof entryPoint === 'string' ? ownPackageOf(entryPoint) : undefined;
  const analysis = await analyzeSources(inputs, {
    limits: options.limits,
    ...(options.python ? { python: options.python } : {}),
    ...(ownPackage === undefined ? {} : { ownPackages: [ownPackage] }),
  });
  const base = suggestScopes(manifest, files ? { files } : {});
  const draft = suggestFromEvidence(manifest, base, analysis);
  if (kind === 'manifest') draft.notes.push('a manifest alone: no code was analyzed (give the bundle directory or the .mcpb for evidence)');
  return { kind, ...draft, analysis };
}

function ownRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

async function readSource(path: string, limits: Readonly<Limits>): Promise<Uint8Array> {
  return readBoundedFile(path, {
    max: limits.maxAnalysisFileSize,
    tooLarge: (size) => new MCPSealError('IO_READ_FAILED', `${path} is ${size} bytes, over the analysis cap`, { details: { path, found: size } }),
  });
}

/** Most bytes of facts accepted from the Python helper. */
const MAX_PYTHON_OUTPUT = 256 * 1024 * 1024;

export interface PythonParserOptions {
  /** The interpreter (default `python3`, found on `env.PATH`). */
  command?: string;
  /**
   * The child's whole environment (default: a system PATH only). The CLI passes the user's PATH and
   * HOME so version managers' shims work; `-I` keeps PYTHON* variables out either way.
   */
  env?: Record<string, string>;
}

/**
 * python3 in isolated mode (`-I`: no user site, no PYTHON* variables, no script directory on the
 * path, so a bundle's `ast.py` is never imported), started in the temporary directory with a
 * minimal environment, killed at the analysis deadline. Missing python3 (or any failure) is null:
 * the analyzer then reports the Python files as unknown.
 */
export function defaultPythonParser(options: PythonParserOptions = {}): PythonParser {
  const command = options.command ?? 'python3';
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', ...options.env, PYTHONIOENCODING: 'utf-8' };
  return {
    parse: (files, { deadline }) =>
      new Promise<PythonFacts[] | null>((resolve) => {
        const child = spawn(command, ['-I', '-c', PYTHON_FACTS_SCRIPT], { cwd: tmpdir(), env, stdio: ['pipe', 'pipe', 'ignore'] });
        const chunks: Buffer[] = [];
        let size = 0;
        const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(1000, deadline - Date.now()));
        child.stdout.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_PYTHON_OUTPUT) child.kill('SIGKILL');
          else chunks.push(chunk);
        });
        child.on('error', () => {
          clearTimeout(timer);
          resolve(null);
        });
        child.on('close', (code) => {
          clearTimeout(timer);
          if (code !== 0) return resolve(null);
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as PythonFacts[]);
          } catch {
            resolve(null);
          }
        });
        child.stdin.on('error', () => undefined);
        child.stdin.end(JSON.stringify({ files }));
      }),
  };
}
