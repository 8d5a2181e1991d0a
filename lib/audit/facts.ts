// What the audit pipeline (lib/audit-bundle.ts) hands to the risk evaluators: facts it verified
// or read, never a file handle. The evaluators are pure; everything here is data.

import type { AnalysisReport } from '../analysis/model.ts';
import type { DependencyFinding } from '../analysis/deps-model.ts';
import type { ToolTextFinding } from '../analysis/tool-text.ts';
import type { Scopes } from '../scopes/model.ts';
import type { AuditSubject } from './model.ts';
import type { Limits } from '../limits.ts';

/** The signature as the pipeline verified it. */
export type SignatureFact =
  | { status: 'unsigned'; legacyBlock: boolean }
  /** Verified for the signer the policy or the identity flags name. */
  | { status: 'verified'; kind: 'certificate' | 'public-key'; signer: string | null; sourceRepository: string | null; namedBy: 'policy' | 'flags' }
  /** A sidecar exists but no signer was named, so it was not verified. */
  | { status: 'unchecked' }
  | { status: 'invalid'; code: string; message: string };

/** What the install policy said, when `--policy` was given. */
export interface PolicyFact {
  /** The publisher whose rules verified the signature, or null. */
  publisher: string | null;
  /** A publisher of the policy signed it, but may not ship this name. */
  nameNotAllowed: { publisher: string; message: string } | null;
  /** The rules that refused, other than the signer rule: deny, serverType, scopes. */
  refusals: { rule: string; code: string; message: string }[];
}

/** A server.json held to the bundle (`--server-json`), or audited alone. */
export interface RegistryFact {
  /** The parsed document (for its remotes and packages). */
  document: unknown;
  /** When held to a bundle: the check's refusal, if any. */
  refusal?: { code: string; message: string };
  /** When held to a bundle and bound: the namespace status. */
  namespace?: { status: 'bound' | 'unchecked'; reason?: string };
}

/** Findings of the analysis layer the audit reads (lib/analysis/tool-text.ts, dependencies.ts). */
export type { ToolTextFinding } from '../analysis/tool-text.ts';
export type { DependencyFinding } from '../analysis/deps-model.ts';

/** A file the dependency checker reads: its bundle-relative path and its text. */
export interface DependencyFile {
  path: string;
  /** The file's size in bytes. */
  size: number;
  /**
   * Its text, or undefined when it is over `maxDependencyFileSize` and was not read: the checker
   * then reports it unreadable (its evidence unknown) instead of the file going unmentioned.
   */
  text: string | undefined;
}

/**
 * The evidence functions of lib/analysis the audit calls when they exist (wired in by the
 * pipeline). Absent, the evidence they give is absent and the risks they settle stay `unknown`.
 */
export interface AuditCheckers {
  checkToolText?: (tool: { name: string; description: string }) => readonly ToolTextFinding[];
  checkDependencies?: (files: readonly DependencyFile[], limits: Readonly<Limits>) => Promise<readonly DependencyFinding[]>;
  lookalikeOf?: (name: string, ecosystem: 'npm' | 'pypi' | 'mcp') => string | undefined;
}

export interface BundleFacts {
  subject: AuditSubject;
  /** manifest.json as parsed, or null (a server.json or client config audited alone). */
  manifest: Record<string, unknown> | null;
  /** Hardened validation errors of the manifest (empty when valid). */
  manifestErrors: { code: string; pointer: string; message: string }[];
  /** The declared scopes when the manifest declares valid ones, else null (nothing declared). */
  scopes: Scopes | null;
  /** The bundle's file names (null: not known). */
  files: ReadonlySet<string> | null;
  /** Small dependency files (package.json, lockfiles, requirements) with their text. */
  dependencyFiles: DependencyFile[];
  /** What checkDependencies found in them; null when no dependency checker ran. */
  dependencyFindings: readonly DependencyFinding[] | null;
  analysis: AnalysisReport | null;
  signature: SignatureFact;
  policy: PolicyFact | null;
  registry: RegistryFact | null;
  checkers: AuditCheckers;
}
