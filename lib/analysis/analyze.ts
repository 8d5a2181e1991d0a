// The analyzer's entry point: a bundle's source files in (names, sizes and a way to get the bytes,
// so no I/O happens here), one AnalysisReport out. Own code first, dependencies after, so a cap
// reached in node_modules leaves the server's own code complete; every cap that stops the work is
// reported as an unknown, never as silence. Never runs the bundle's code.

// A namespace import: a named one fails to link on Node 20, before mcpseal's runtime check can say why (issue 14 item 7).
import * as nodeModule from 'node:module';
import { resolveLimits, type Limits } from '../limits.ts';
import { languageOf, roleOf, type FileRole, type Language } from './files.ts';
import { analyzeJavaScript, type FileContext } from './javascript.ts';
import type { AnalysisReport, Observation, PythonFacts, PythonParser, Unknown } from './model.ts';
import { pythonObservations } from './python.ts';

export interface AnalysisInput {
  /** Bundle-relative, `/`-separated. */
  path: string;
  size: number;
  /** The file's bytes (the caller's I/O: an archive entry, a file read bounded). */
  read(): Promise<Uint8Array>;
}

export interface AnalyzeOptions {
  limits?: Partial<Limits>;
  /** Parses Python files; without one, Python files are reported `unknown` (python-unavailable). */
  python?: PythonParser;
  /** Package directories under node_modules that hold the server itself (see files.ts ownPackageOf). */
  ownPackages?: readonly string[];
  /** The clock, for the time budget (tests inject one). */
  now?: () => number;
}

interface Planned extends AnalysisInput, FileRole {
  language: Language;
}

interface Progress {
  report: AnalysisReport;
  deadline: number;
  imports: Set<string>;
  python: Array<{ file: Planned; text: string }>;
  maxObservations: number;
}

/** Analyzes the source files of one bundle. Never throws on hostile content: it becomes an unknown. */
export async function analyzeSources(files: readonly AnalysisInput[], options: AnalyzeOptions = {}): Promise<AnalysisReport> {
  const limits = resolveLimits(options.limits);
  const now = options.now ?? Date.now;
  const started = now();
  const planned = plan(files, options.ownPackages ?? []);
  const report: AnalysisReport = {
    observations: [],
    unknowns: [],
    imports: [],
    stats: { files: files.length, analyzed: 0, javascript: 0, python: 0, bytes: 0, skipped: files.length - planned.length, elapsedMs: 0, truncated: false },
  };
  const progress: Progress = { report, deadline: started + limits.analysisTimeBudgetMs, imports: new Set(), python: [], maxObservations: limits.maxAnalysisObservationsPerFile };
  let index = 0;
  for (; index < planned.length; index++) {
    const file = planned[index]!;
    const stop = stopReason(report, file, limits, now() > progress.deadline);
    if (stop !== undefined) {
      truncate(report, planned.slice(index), stop);
      break;
    }
    await readOne(file, limits, progress);
  }
  await parsePython(progress, options.python);
  report.imports = [...progress.imports].sort();
  report.stats.elapsedMs = now() - started;
  return report;
}

/** Source files only, own code before dependencies, each group by name. */
function plan(files: readonly AnalysisInput[], ownPackages: readonly string[]): Planned[] {
  const planned: Planned[] = [];
  for (const file of files) {
    const language = languageOf(file.path);
    const role = roleOf(file.path, ownPackages);
    // A dependency's TypeScript sources ship beside the JavaScript it runs: read the JavaScript.
    if (language !== undefined && !(language === 'typescript' && role.origin === 'dependency')) planned.push({ ...file, read: file.read.bind(file), ...role, language });
  }
  const rank = (file: Planned): number => (file.origin === 'own' ? 0 : 1) + (file.test ? 2 : 0);
  return planned.sort((a, b) => rank(a) - rank(b) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function stopReason(report: AnalysisReport, file: Planned, limits: Readonly<Limits>, late: boolean): Unknown['reason'] | undefined {
  if (late) return 'time-budget';
  if (report.stats.analyzed >= limits.maxAnalysisFiles) return 'truncated';
  if (report.stats.bytes + Math.min(file.size, limits.maxAnalysisFileSize) > limits.maxAnalysisTotalSize) return 'truncated';
  return undefined;
}

/** The files not read: one unknown for the own ones each, one for all the dependencies. */
function truncate(report: AnalysisReport, rest: readonly Planned[], reason: Unknown['reason']): void {
  report.stats.truncated = true;
  const message = reason === 'time-budget' ? 'the time budget ran out before this file was read' : 'the file-count or total-size cap was reached before this file was read';
  for (const file of rest.filter((entry) => entry.origin === 'own').slice(0, 100)) report.unknowns.push({ path: file.path, reason, message, origin: 'own' });
  const dependencies = rest.filter((entry) => entry.origin === 'dependency').length;
  if (dependencies > 0) report.unknowns.push({ path: '*', reason, message: `${dependencies} dependency source files were not read (${reason})`, origin: 'dependency' });
}

async function readOne(file: Planned, limits: Readonly<Limits>, progress: Progress): Promise<void> {
  const { report } = progress;
  if (file.size > limits.maxAnalysisFileSize) {
    report.unknowns.push({ path: file.path, reason: 'too-large', message: `${file.size} bytes, over the ${limits.maxAnalysisFileSize}-byte cap: not parsed`, origin: file.origin });
    return;
  }
  const bytes = await file.read();
  report.stats.bytes += bytes.length;
  if (bytes.length > limits.maxAnalysisFileSize || bytes.includes(0)) {
    const binary = bytes.includes(0);
    report.unknowns.push({ path: file.path, reason: binary ? 'binary' : 'too-large', message: binary ? 'holds NUL bytes: not source text, not parsed' : 'larger than the cap: not parsed', origin: file.origin });
    return;
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  const context: FileContext = { path: file.path, origin: file.origin, ...(file.package === undefined ? {} : { package: file.package }), ...(file.test ? { test: true } : {}) };
  if (file.language === 'python') {
    progress.python.push({ file, text });
    return;
  }
  const source = file.language === 'typescript' ? stripTypes(text) : text;
  if (source === undefined) {
    report.unknowns.push({ path: file.path, reason: 'parse-error', message: 'TypeScript the type stripper cannot read (enums, namespaces or a syntax error): not parsed', origin: file.origin });
    return;
  }
  const result = analyzeJavaScript(source, context, progress.deadline, limits.maxAnalysisObservationsPerFile);
  record(progress, result.observations, result.unknown, file.origin === 'own' && !file.test ? result.imports : []);
  if (result.unknown === undefined || result.unknown.reason !== 'parse-error') report.stats.analyzed += 1;
  report.stats.javascript += 1;
}

function record(progress: Progress, observations: Observation[], unknown: Unknown | undefined, imports: readonly string[]): void {
  // One by one: spreading a file's thousands of observations into push() would overflow the stack.
  for (const observation of observations) progress.report.observations.push(observation);
  if (unknown !== undefined) progress.report.unknowns.push(unknown);
  for (const name of imports) progress.imports.add(name);
}

/** TypeScript with its types replaced by blanks (positions and lines kept), or undefined when it cannot be. */
function stripTypes(text: string): string | undefined {
  try {
    return nodeModule.stripTypeScriptTypes(text, { mode: 'strip' });
  } catch {
    return undefined;
  }
}

/** All Python files in one parser call; no parser, or a failed one, makes each an unknown. */
async function parsePython(progress: Progress, parser: PythonParser | undefined): Promise<void> {
  const { report, python } = progress;
  if (python.length === 0) return;
  const facts = parser === undefined ? null : await parser.parse(python.map(({ file, text }) => ({ path: file.path, text })), { deadline: progress.deadline });
  report.stats.python += python.length;
  if (facts === null) {
    for (const { file } of python) report.unknowns.push({ path: file.path, reason: 'python-unavailable', message: 'python3 is not available to parse this file: its capabilities are unknown', origin: file.origin });
    return;
  }
  const byPath = new Map<string, PythonFacts>(facts.map((entry) => [entry.path, entry]));
  for (const { file, text } of python) {
    const entry = byPath.get(file.path);
    if (entry === undefined || entry.error !== undefined) {
      report.unknowns.push({ path: file.path, reason: 'parse-error', message: `not parsed: ${entry?.error ?? 'no answer from the Python parser'}`, origin: file.origin });
      continue;
    }
    const context: FileContext = { path: file.path, origin: file.origin, ...(file.package === undefined ? {} : { package: file.package }), ...(file.test ? { test: true } : {}) };
    const imports = file.origin === 'own' && !file.test ? entry.imports.map((item) => item.name.split('.')[0]!) : [];
    const observations = pythonObservations(entry, context, text.split('\n'));
    const max = progress.maxObservations;
    const unknown: Unknown | undefined = observations.length > max ? { path: file.path, reason: 'truncated', message: `${observations.length - max} observations past the per-file cap were not recorded`, origin: file.origin } : undefined;
    record(progress, observations.slice(0, max), unknown, imports);
    report.stats.analyzed += 1;
  }
}
