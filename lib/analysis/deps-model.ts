// The dependency evidence's shape (dependencies.ts): findings with a stable code, a severity and
// evidence in a file, and the small text helpers the npm and Python readers share.

import { escapeControls, excerptAt, lineOf, lineStarts } from './excerpt.ts';
import type { Severity } from './model.ts';

export type DependencySeverity = Severity;

export type DependencyCode =
  /** A lockfile is bundled (info: what it pins and how many entries carry a hash). */
  | 'DEP_LOCK_PRESENT'
  /** Dependencies are declared or bundled, and no lockfile pins them. */
  | 'DEP_LOCK_ABSENT'
  /** A lockfile in a format not read (yarn.lock, pnpm-lock.yaml, pylock.toml): present, not checked. */
  | 'DEP_LOCK_UNCHECKED'
  /** Lock entries or requirements without an integrity hash. */
  | 'DEP_NO_INTEGRITY'
  /** Version ranges with no lock, or requirements not pinned with `==`. */
  | 'DEP_UNPINNED'
  /** A dependency from a git repository, a URL or a local path rather than the package index. */
  | 'DEP_NOT_REGISTRY'
  /** An extra package index (`--extra-index-url`): the classic dependency-confusion setup. */
  | 'DEP_EXTRA_INDEX'
  /** A bundled package whose version differs from the lockfile, or that the lockfile does not list. */
  | 'DEP_LOCK_MISMATCH'
  /** A bundled package runs code at install time (`preinstall`/`install`/`postinstall`, or a binding.gyp). */
  | 'DEP_INSTALL_SCRIPT'
  /** A dependency named one edit away from a popular package (lookalike.ts). */
  | 'DEP_LOOKALIKE'
  /** A server launched by `uv`/`uvx` without a uv.lock whose every package carries a hash. */
  | 'DEP_UV_NO_HASHED_LOCK'
  /** A dependency file too large or not parseable: its evidence is unknown. */
  | 'DEP_FILE_UNREADABLE';

/** What each code means: the README's "Evidence for the audit" table holds exactly these rows. */
export const DEPENDENCY_CODE_MEANINGS: Readonly<Record<DependencyCode, string>> = {
  DEP_LOCK_PRESENT: 'a lockfile is bundled (info: what it pins and how many entries carry a hash)',
  DEP_LOCK_ABSENT: 'dependencies are declared or bundled, and no lockfile pins them',
  DEP_LOCK_UNCHECKED: 'a lockfile in a format not read (yarn.lock, pnpm-lock.yaml, pylock.toml): present, not checked',
  DEP_NO_INTEGRITY: 'lock entries or requirements without an integrity hash',
  DEP_UNPINNED: 'version ranges with no lock, requirements not pinned with `==`, or `uvx PACKAGE` without a version',
  DEP_NOT_REGISTRY: 'a dependency from a git repository, a URL, a local path or another index rather than the package registry',
  DEP_EXTRA_INDEX: 'an extra package index (`--extra-index-url`): the classic dependency-confusion setup',
  DEP_LOCK_MISMATCH: 'a bundled package whose version differs from the lockfile, or that the lockfile does not list',
  DEP_INSTALL_SCRIPT: 'a bundled package runs code at install time (`preinstall`/`install`/`postinstall`, or a binding.gyp)',
  DEP_LOOKALIKE: 'a dependency named one edit away from a popular package',
  DEP_UV_NO_HASHED_LOCK: 'a server launched by `uv`/`uvx` without a uv.lock (or hashed requirements) whose every package carries a hash',
  DEP_FILE_UNREADABLE: 'a dependency file too large (`maxDependencyFileSize`, 16 MiB) or not parseable: its evidence is unknown',
};

export interface DependencyEvidence {
  /** The file, relative to the bundle root, `/`-separated. */
  path: string;
  /** 1-based line, when known. */
  line?: number;
  /** The line, control characters escaped, bounded. */
  excerpt?: string;
}

export interface DependencyFinding {
  code: DependencyCode;
  severity: DependencySeverity;
  message: string;
  evidence: DependencyEvidence;
  ecosystem?: 'npm' | 'pypi';
  /** The package the finding is about, when it is about one. */
  package?: string;
}

/** A text file and where its lines start, for evidence. */
export class TextFile {
  readonly path: string;
  readonly text: string;
  #starts: number[] | undefined;

  constructor(path: string, text: string) {
    this.path = path;
    this.text = text;
  }

  /** Evidence at the first occurrence of `needle` (or at the file when it does not occur). */
  evidenceAt(needle: string | number | undefined): DependencyEvidence {
    const offset = typeof needle === 'number' ? needle : needle === undefined ? -1 : this.text.indexOf(needle);
    if (offset < 0) return { path: this.path };
    this.#starts ??= lineStarts(this.text);
    return { path: this.path, line: lineOf(this.#starts, offset), excerpt: excerptAt(this.text, this.#starts, offset, offset + 1) };
  }
}

/** Names listed in a message: the first few, then how many more. */
export function listed(names: readonly string[], max = 8): string {
  const shown = names.slice(0, max).map((name) => escapeControls(name.slice(0, 100)));
  return `${shown.join(', ')}${names.length > max ? `, and ${names.length - max} more` : ''}`;
}

/** A finding, its text escaped. */
export function dependencyFinding(code: DependencyCode, severity: DependencySeverity, message: string, evidence: DependencyEvidence, extra: { ecosystem?: 'npm' | 'pypi'; package?: string } = {}): DependencyFinding {
  return { code, severity, message: escapeControls(message), evidence, ...extra };
}

/** The own object at `key` of a parsed JSON value, or an empty one. */
export function objectAt(value: unknown, key: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const inner = Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
  return typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? (inner as Record<string, unknown>) : {};
}

export function stringAt(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
  const inner = (value as Record<string, unknown>)[key];
  return typeof inner === 'string' ? inner : undefined;
}

/** How the readers reach the bundle's files (dependencies.ts): bounded reads, failures already reported as findings. */
export interface DependencyFiles {
  /** Every file name in the bundle. */
  readonly paths: readonly string[];
  has(path: string): boolean;
  /** The file's text, or undefined when it is absent, too large or not text (a DEP_FILE_UNREADABLE finding is added). */
  text(path: string): Promise<TextFile | undefined>;
  /** The file parsed as JSON, or undefined (absent, unreadable or invalid: a finding is added). */
  json(path: string): Promise<{ file: TextFile; value: unknown } | undefined>;
  readonly findings: DependencyFinding[];
  /** Reports each lookalike name once, at its first evidence. */
  lookalike(name: string, ecosystem: 'npm' | 'pypi', evidence: DependencyEvidence): void;
}
