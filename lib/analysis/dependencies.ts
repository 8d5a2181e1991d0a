// Dependency evidence for the audit (issue 13, risk 3 "dependency confusion"): which lockfiles
// a bundle carries and what they pin and hash, where its packages come from, which bundled
// packages run code at install time, which names are one edit from popular ones, and whether a
// server launched by `uv` has a hashed lock. Reads the bundle's files through the same input the
// analyzer takes (no I/O of its own), bounded; never runs anything.

import { resolveLimits, type Limits } from '../limits.ts';
import type { AnalysisInput } from './analyze.ts';
import { dependencyFinding, TextFile, type DependencyEvidence, type DependencyFiles, type DependencyFinding } from './deps-model.ts';
import { checkNpm } from './deps-npm.ts';
import { checkPython } from './deps-python.ts';
import { lookalikeOf } from './lookalike.ts';

export { DEPENDENCY_CODE_MEANINGS } from './deps-model.ts';
export type { DependencyCode, DependencyEvidence, DependencyFinding, DependencySeverity } from './deps-model.ts';

export interface DependencyOptions {
  limits?: Partial<Limits>;
}

/** Every dependency finding for one bundle's files, in a stable order (by file, then code). Never throws on hostile content. */
export async function checkDependencies(files: readonly AnalysisInput[], options: DependencyOptions = {}): Promise<DependencyFinding[]> {
  const reader = new BundleFiles(files, resolveLimits(options.limits));
  await checkNpm(reader);
  await checkPython(reader, await uvLauncher(reader));
  return bounded(reader.findings);
}

/** Most findings of one code in a report: a hostile bundle of 20,000 mismatched packages gives a list a person can read. */
const MAX_PER_CODE = 200;

function bounded(findings: readonly DependencyFinding[]): DependencyFinding[] {
  const counts = new Map<string, number>();
  const out: DependencyFinding[] = [];
  for (const finding of findings) {
    const count = (counts.get(finding.code) ?? 0) + 1;
    counts.set(finding.code, count);
    if (count <= MAX_PER_CODE) out.push(finding);
  }
  for (const [code, count] of counts) {
    const first = out.find((finding) => finding.code === code)!;
    if (count > MAX_PER_CODE) out.push({ ...first, message: `${count - MAX_PER_CODE} more ${code} findings like the ones above were not listed`, evidence: { path: first.evidence.path } });
  }
  return out;
}

/** The manifest's launch command when it is uv or uvx (`server.type: "uv"`, or `mcp_config.command`). */
async function uvLauncher(files: BundleFiles): Promise<{ command: string; args: readonly string[] } | undefined> {
  const parsed = files.has('manifest.json') ? await files.json('manifest.json') : undefined;
  if (parsed === undefined) return undefined;
  const server = (parsed.value as { server?: { type?: unknown; mcp_config?: { command?: unknown; args?: unknown } } } | null)?.server;
  const command = typeof server?.mcp_config?.command === 'string' ? server.mcp_config.command.split(/[\\/]/u).at(-1)! : undefined;
  const args = Array.isArray(server?.mcp_config?.args) ? server.mcp_config.args.filter((arg): arg is string => typeof arg === 'string') : [];
  if (command === 'uv' || command === 'uvx') return { command, args };
  return server?.type === 'uv' ? { command: 'uv', args } : undefined;
}

/** The bundle's files as the dependency readers see them: bounded reads, each failure a finding. */
class BundleFiles implements DependencyFiles {
  readonly paths: readonly string[];
  readonly findings: DependencyFinding[] = [];
  readonly #byPath: Map<string, AnalysisInput>;
  readonly #limits: Readonly<Limits>;
  readonly #lookalikes = new Set<string>();
  #read = 0;
  #bytes = 0;

  constructor(files: readonly AnalysisInput[], limits: Readonly<Limits>) {
    this.#byPath = new Map(files.map((file) => [file.path, file]));
    this.paths = [...this.#byPath.keys()].sort();
    this.#limits = limits;
  }

  has(path: string): boolean {
    return this.#byPath.has(path);
  }

  async text(path: string): Promise<TextFile | undefined> {
    const file = this.#byPath.get(path);
    if (file === undefined) return undefined;
    const cap = this.#limits.maxDependencyFileSize;
    if (file.size > cap || this.#read >= this.#limits.maxAnalysisFiles || this.#bytes + file.size > this.#limits.maxAnalysisTotalSize) {
      this.#unreadable(path, file.size > cap ? `${file.size} bytes, over the ${cap}-byte cap` : 'the file-count or total-size cap was reached');
      return undefined;
    }
    this.#read += 1;
    const bytes = await file.read();
    this.#bytes += bytes.length;
    if (bytes.length > cap || bytes.includes(0)) {
      this.#unreadable(path, bytes.length > cap ? 'larger than the cap' : 'holds NUL bytes: not text');
      return undefined;
    }
    return new TextFile(path, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
  }

  async json(path: string): Promise<{ file: TextFile; value: unknown } | undefined> {
    const file = await this.text(path);
    if (file === undefined) return undefined;
    try {
      return { file, value: JSON.parse(file.text) as unknown };
    } catch (error) {
      this.#unreadable(path, `not JSON (${String((error as Error).message).slice(0, 120)})`);
      return undefined;
    }
  }

  lookalike(name: string, ecosystem: 'npm' | 'pypi', evidence: DependencyEvidence): void {
    const key = `${ecosystem}:${name.toLowerCase()}`;
    if (this.#lookalikes.has(key)) return;
    this.#lookalikes.add(key);
    const popular = lookalikeOf(name, ecosystem);
    if (popular !== undefined) {
      this.findings.push(dependencyFinding('DEP_LOOKALIKE', 'high', `${name} is one edit away from the popular ${ecosystem === 'npm' ? 'npm package' : 'PyPI project'} ${popular}: a typosquat, or a typo`, evidence, { ecosystem, package: name }));
    }
  }

  #unreadable(path: string, why: string): void {
    this.findings.push(dependencyFinding('DEP_FILE_UNREADABLE', 'low', `${path} was not read: ${why}; its dependency evidence is unknown`, { path }));
  }
}
