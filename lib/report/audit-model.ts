// What an audit reports (DESIGN.md "Audit"): the reviewer's ten-row table, each risk with a status
// and the findings that decided it. This file is the contract between the audit (lib/audit) and
// the renderers (text, JSON, SARIF, HTML): nothing here computes anything. It lives in report/,
// one layer below audit/, so the renderers can read it; lib/audit/model.ts re-exports it.

import type { Severity as AnalysisSeverity } from '../analysis/model.ts';

/** The ten pre-install risks of the review checklist, in its order. */
export const RISKS = [
  { id: 1, key: 'unvetted-bundle', title: 'Unvetted bundle' },
  { id: 2, key: 'prompt-injection', title: 'Prompt injection through tool results' },
  { id: 3, key: 'dependency-confusion', title: 'Dependency confusion' },
  { id: 4, key: 'remote-auth-transport', title: 'Auth and transport gaps on remote servers' },
  { id: 5, key: 'capability-spoofing', title: 'Capability spoofing' },
  { id: 6, key: 'stdio-child-process', title: 'Stdio child-process abuse' },
  { id: 7, key: 'off-marketplace', title: 'Off-marketplace injection' },
  { id: 8, key: 'social-proof', title: 'Social-proof manipulation' },
  { id: 9, key: 'namespace-squatting', title: 'Namespace squatting' },
  { id: 10, key: 'transitive-cloud-trust', title: 'Transitive cloud trust' },
] as const;

export type RiskId = (typeof RISKS)[number]['id'];

/**
 * `pass`: the evidence shows the risk is handled; `warn`: a reviewer should look; `fail`: the
 * evidence shows the risk (exit 1); `unknown`: the evidence that would settle it is missing (the
 * finding says which); `n/a`: the risk does not apply to this subject (a remote-only risk for a
 * local bundle).
 */
export type RiskStatus = 'pass' | 'warn' | 'fail' | 'unknown' | 'n/a';

export type Severity = AnalysisSeverity;

export interface AuditEvidence {
  /** The file the evidence is in: relative to the bundle root (`/`-separated), or the audited file's name. */
  path: string;
  /** 1-based line, when the evidence is in a text file. */
  line?: number;
  /** One line of the source around it, control characters escaped, bounded. */
  excerpt?: string;
}

export interface AuditFinding {
  /** A stable code, documented in the README ("Audit findings"), e.g. `AUDIT_UNSIGNED`. */
  code: string;
  severity: Severity;
  message: string;
  evidence?: AuditEvidence;
}

export interface RiskResult {
  id: RiskId;
  title: string;
  status: RiskStatus;
  /** For `unknown`: what evidence would settle it. For the others: one line saying why. */
  summary: string;
  findings: AuditFinding[];
}

/** What was audited. */
export interface AuditSubject {
  kind: 'bundle' | 'directory' | 'server-json' | 'client-config';
  /** The path given on the command line. */
  path: string;
  /** manifest.json's name and version when there is one. */
  name?: string;
  version?: string;
  /** sha256 of the bundle file (kind `bundle`). */
  sha256?: string;
  /** The signature as verify saw it: `sigstore`, `legacy`, `unsigned`, or `invalid` with the code. */
  signature?: { status: 'sigstore' | 'legacy' | 'unsigned' | 'invalid'; signer?: string; sourceRepository?: string; code?: string };
}

/** One server entry of a client config, classified by how it is launched (the install channel). */
export interface ChannelEntry {
  name: string;
  channel: 'mcpseal' | 'npx' | 'uvx' | 'pipx' | 'docker' | 'local' | 'remote' | 'other';
  /** The package, image, path or URL launched. */
  target: string;
  /** A pinned version, digest, or signed-and-pinned bundle. */
  pinned: boolean;
  risks: RiskResult[];
}

export interface AuditReport {
  /** false when any risk fails. */
  ok: boolean;
  subject: AuditSubject;
  verdict: 'pass' | 'warn' | 'fail';
  risks: RiskResult[];
  /** Client configs only: one entry per server. */
  servers?: ChannelEntry[];
  /** The scopes the server is granted or declares, as rows of what it can touch (for the HTML page). */
  scopes?: { kind: 'filesystem' | 'network' | 'process' | 'env'; access: string; target: string }[];
  /** The exact command line the server is launched with, when known. */
  command?: string[];
  /** The tool version and the time of the audit. */
  tool: { name: 'mcpseal'; version: string };
  auditedAt: string;
}
