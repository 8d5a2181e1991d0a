// What the static analyzer reports (DESIGN.md "Layout": analysis/). Observations are facts with
// evidence (file, line, a bounded excerpt); unknowns are where the evidence ran out. Nothing here
// judges a bundle: `scopes suggest` and the audit read the report.

/** How much a finding of the evidence checks weighs (the audit's scale: lib/report/audit-model.ts re-exports it). */
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

/** The kinds of capability the analyzer recognises. */
export type ObservationKind =
  | 'fs-read'
  | 'fs-write'
  | 'env-read'
  | 'dotenv'
  | 'network'
  | 'url-literal'
  | 'listen'
  | 'spawn'
  | 'worker'
  | 'native'
  | 'dynamic-code'
  | 'mcp-roots'
  /** Code from the network is evaluated or run: eval/Function/vm/exec/a shell of a value a network call returned, in the same function. */
  | 'eval-fetched'
  /** Code or a module name hidden on purpose: eval of decoded text (base64, hex, char codes), require/import/__import__ of a name assembled from pieces. */
  | 'obfuscation'
  /** A path to a home-directory secret (SSH keys, cloud credentials, browser profiles, keychains); `detail` says which (secrets.ts SecretKind). */
  | 'secret-path';

/**
 * Where a path (or URL) expression comes from, as far as one file shows: a literal, an environment
 * variable, the command line, the home directory, the working directory (a relative path or
 * `process.cwd()`), the bundle itself (`__dirname`, `import.meta.url`), or something the analyzer
 * cannot follow (`dynamic`).
 */
export type PathOrigin = 'literal' | 'env' | 'argv' | 'home' | 'cwd' | 'bundle' | 'tmp' | 'dynamic';

export interface PathExpression {
  origin: PathOrigin;
  /** The literal text (with `${...}` where the expression had holes), the env name, ... */
  text?: string;
  /** The expression takes the parent directory (`dirname`) or names a file beside another. */
  beside?: boolean;
}

export interface Evidence {
  /** The file, relative to the bundle root, `/`-separated. */
  path: string;
  /** 1-based line. */
  line: number;
  /** The source around the observation: one line, control characters escaped, bounded. */
  excerpt: string;
}

export interface Observation {
  kind: ObservationKind;
  /**
   * What was touched: the env name (env-read), the program (spawn), the URL (network and
   * url-literal, when literal), the API called (fs-*, listen, worker, native, dynamic-code).
   */
  detail: string;
  /** For fs-read / fs-write: the path expression; for network: the URL expression. */
  target?: PathExpression;
  evidence: Evidence;
  /** `own`: the server's code; `dependency`: a package it bundles (node_modules, site-packages). */
  origin: 'own' | 'dependency';
  /** The dependency's package name (for origin `dependency`). */
  package?: string;
  /** The file looks like a test (`*.test.js`, `__tests__/`, `test_*.py`): shipped but not run by the server. */
  test?: boolean;
  /**
   * For a network call whose URL is not literal: the file registers MCP tools and the URL is a
   * parameter of the function that fetches, so a tool's input most likely chooses it.
   */
  toolInput?: boolean;
  /** For url-literal: the literal is an argument or option of a call that contacts it (not only a string in the code). */
  networkContext?: boolean;
}

export type UnknownReason = 'parse-error' | 'too-large' | 'truncated' | 'time-budget' | 'python-unavailable' | 'binary' | 'too-deep';

/** A file (or the rest of the bundle) the analyzer could not read to the end. */
export interface Unknown {
  /** The file, or `*` for "every file not yet analyzed". */
  path: string;
  reason: UnknownReason;
  message: string;
  origin: 'own' | 'dependency';
}

export interface AnalysisStats {
  /** Files offered to the analyzer. */
  files: number;
  /** Files parsed to the end, JavaScript and Python. */
  analyzed: number;
  javascript: number;
  python: number;
  /** Source bytes read. */
  bytes: number;
  /** Files that are not source code (skipped). */
  skipped: number;
  /** Wall-clock milliseconds. */
  elapsedMs: number;
  /** Whether a cap stopped the analysis before every source file was read. */
  truncated: boolean;
}

export interface AnalysisReport {
  observations: Observation[];
  unknowns: Unknown[];
  /** The package names the server's own code imports (its direct dependencies, as used). */
  imports: string[];
  stats: AnalysisStats;
}

/** One file handed to the analyzer: its bundle-relative name and its bytes (no I/O happens here). */
export interface SourceInput {
  path: string;
  bytes: Uint8Array;
}

/** What the Python helper tells about one file: neutral facts the TypeScript side classifies. */
export interface PythonFacts {
  path: string;
  /** A syntax or recursion error: the file is an unknown. */
  error?: string;
  /** `import a.b as c`, `from a import b as c`: alias -> dotted name. */
  imports: Array<{ alias: string; name: string; line: number }>;
  /** Calls: the callee as a dotted name (`os.environ.get`), its literal arguments (null when not literal). */
  calls: Array<{ callee: string; args: PythonValue[]; keywords: Record<string, PythonValue>; line: number; /** The arguments of the call a method is called on (`Path(p).write_text()`). */ receiver?: PythonValue[]; /** The function the call is in (0: the module), as in `assigns`. */ scope?: number }>;
  /** Subscripts of a dotted name with a literal key (`os.environ['X']`). */
  subscripts: Array<{ value: string; key: string; line: number }>;
  /** String constants that are whole URLs. */
  urls: Array<{ value: string; line: number; /** The callee, keyword or assignment target around it. */ context: string }>;
  /** `name = value` (also `with value as name`, `+=`), with the function it is in (0: the module), for flows within one function. */
  assigns?: Array<{ name: string; value: PythonValue; line: number; scope: number }>;
  /** String constants that may name a home-directory secret (a cheap filter; secrets.ts decides). */
  strings?: Array<{ value: string; line: number; context: string }>;
}

/** A Python argument as far as it is literal: a string, a number, a dotted name, or null. */
export type PythonValue =
  | { str: string }
  | { num: number }
  | { name: string }
  | { subscript: string; key: string }
  | { call: string; args: PythonValue[] }
  | { concat: PythonValue[] }
  | { list: PythonValue[] }
  | null;

/**
 * Parses Python files into facts, outside the analyzer (it runs `python3`, which the analysis
 * layer may not: no I/O, no processes). `null` means no parser is available: the Python files are
 * reported `unknown`, never silently clean.
 */
export interface PythonParser {
  parse(files: readonly { path: string; text: string }[], options: { deadline: number }): Promise<PythonFacts[] | null>;
}
