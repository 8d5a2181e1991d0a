// The audit report as SARIF 2.1.0 (OASIS Standard, errata 01) for GitHub code scanning (issue 13
// item 4): one run; one rule per finding code with its help text, default level, tags naming the
// risk and GitHub's `security-severity`; one result per finding with a level from its severity,
// a relative location and a stable partial fingerprint. Validated in test/audit-sarif.test.ts
// against the official schema (test/fixtures/sarif/).
//
// Locations (SARIF §3.4, §3.24): the audited file is a top-level artifact whose `uri` is relative
// to `%SRCROOT%` (the repository root in code scanning). A finding in a file inside a bundle names
// that file as a nested artifact of the bundle (§3.24.3 parentIndex; §3.4.3: its uri is the
// member's path in the archive, and §3.4.4: a nested artifact has no uriBaseId). A finding in a
// directory's file, or one without a path, points at that file or at the audited file itself.

import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { safe } from './audit-format.ts';
import { RISKS, type AuditFinding, type AuditReport, type AuditSubject, type RiskId, type RiskResult, type Severity } from './audit-model.ts';

/** The schema a SARIF 2.1.0 log names (OASIS SARIF 2.1.0 errata 01). */
export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** The key of mcpseal's partial fingerprint; `/v1` versions the recipe (SARIF §3.27.17, §3.5.4). */
export const FINGERPRINT_KEY = 'mcpsealFinding/v1';

/**
 * What SARIF says about a finding code: one row of the audit's finding table (lib/audit/findings.ts,
 * which this layer cannot import: the caller passes the rows). `meaning` is the README's text.
 */
export interface AuditRule {
  code: string;
  risk: RiskId;
  severity: Severity;
  meaning: string;
  /** What a reviewer does about it; defaults to the meaning. */
  help?: string;
}

export interface SarifOptions {
  /** The finding table. A code missing from it still gets a rule, described by its risk only. */
  rules?: readonly AuditRule[];
  /** The tool's home page (`tool.driver.informationUri`). */
  informationUri?: string;
  /**
   * The absolute directory URIs are relative to (the repository root). An absolute subject path
   * outside it, or any absolute path when it is not given, is named by its file name alone, and a
   * relative one that climbs out of it (`../x.mcpb`) likewise: code scanning resolves URIs against
   * the checkout, and a path from this machine would only leak where it ran.
   */
  srcRoot?: string;
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };

/** GitHub's scale (over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low); info has none. */
const SECURITY_SEVERITY: Record<Severity, string | undefined> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: undefined };

/** One finding with the risk it was reported under and, for a client config, its server entry. */
interface Located {
  finding: AuditFinding;
  risk: RiskResult;
  server?: string;
}

/** The SARIF log as a JSON-ready object. */
export function auditSarif(report: AuditReport, options: SarifOptions = {}): Record<string, unknown> {
  const located = allFindings(report);
  const rules = rulesFor(located, options.rules ?? []);
  const artifacts = new Artifacts(report.subject, options.srcRoot);
  const results = located.map((item) => result(item, rules, artifacts));
  const driver = {
    name: 'mcpseal',
    version: report.tool.version,
    informationUri: options.informationUri ?? 'https://mcpseal.dev',
    rules: rules.map(ruleDescriptor),
  };
  const properties = { verdict: report.verdict, subject: subjectProperties(report.subject), auditedAt: report.auditedAt };
  return { $schema: SARIF_SCHEMA_URI, version: '2.1.0', runs: [{ tool: { driver }, artifacts: artifacts.list, results, properties }] };
}

function allFindings(report: AuditReport): Located[] {
  const located: Located[] = [];
  for (const risk of report.risks) for (const finding of risk.findings) located.push({ finding, risk });
  for (const server of report.servers ?? []) {
    for (const risk of server.risks) for (const finding of risk.findings) located.push({ finding, risk, server: server.name });
  }
  return located;
}

/** One rule per code that has a result, in code order; the table's row when it has one. */
function rulesFor(located: readonly Located[], table: readonly AuditRule[]): AuditRule[] {
  const byCode = new Map(table.map((rule) => [rule.code, rule]));
  const rules = new Map<string, AuditRule>();
  for (const { finding, risk } of located) {
    if (rules.has(finding.code)) continue;
    const fallback = { code: finding.code, risk: risk.id, severity: finding.severity, meaning: `A finding of risk ${risk.id} (${riskTitle(risk.id)}).` };
    rules.set(finding.code, byCode.get(finding.code) ?? fallback);
  }
  return [...rules.values()].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

function riskTitle(id: RiskId): string {
  return RISKS.find((risk) => risk.id === id)?.title ?? `risk ${id}`;
}

function riskKey(id: RiskId): string {
  return RISKS.find((risk) => risk.id === id)?.key ?? `risk-${id}`;
}

/** AUDIT_UNSIGNED_BUNDLE -> AuditUnsignedBundle (SARIF §3.49.7: a rule's name is an identifier). */
function ruleName(code: string): string {
  return code.toLowerCase().split(/[^a-z0-9]+/u).filter(Boolean).map((word) => word[0]!.toUpperCase() + word.slice(1)).join('') || 'Finding';
}

function ruleDescriptor(rule: AuditRule): Record<string, unknown> {
  const risk = `risk ${rule.risk}: ${riskTitle(rule.risk)}`;
  const help = rule.help ?? rule.meaning;
  const severity = SECURITY_SEVERITY[rule.severity];
  return {
    id: safe(rule.code),
    name: ruleName(rule.code),
    shortDescription: { text: safe(rule.meaning) },
    fullDescription: { text: safe(`${rule.meaning} (${risk})`) },
    help: {
      text: safe(`${help}\n\nReview checklist ${risk}. Severity: ${rule.severity}.`),
      markdown: safe(`${help}\n\n**Review checklist ${risk}.** Severity: \`${rule.severity}\`.`),
    },
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      tags: ['security', 'mcp', `risk-${rule.risk}`, riskKey(rule.risk)],
      ...(severity === undefined ? {} : { 'security-severity': severity }),
    },
  };
}

function result(item: Located, rules: readonly AuditRule[], artifacts: Artifacts): Record<string, unknown> {
  const { finding, risk, server } = item;
  const place = artifacts.locate(finding.evidence?.path);
  const evidence = finding.evidence;
  const region = evidence?.line === undefined ? undefined : { startLine: evidence.line, ...(evidence.excerpt === undefined ? {} : { snippet: { text: safe(evidence.excerpt) } }) };
  const context = [server === undefined ? '' : ` (server ${server})`, place.container === undefined ? '' : ` (in ${place.container})`].join('');
  return {
    ruleId: safe(finding.code),
    ruleIndex: rules.findIndex((rule) => rule.code === finding.code),
    level: LEVEL[finding.severity],
    message: { text: safe(`${finding.message}${context}`) },
    locations: [{ physicalLocation: { artifactLocation: place.location, ...(region === undefined ? {} : { region }) } }],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(finding, place.uri, server) },
    properties: {
      risk: risk.id,
      riskStatus: risk.status,
      severity: finding.severity,
      ...(server === undefined ? {} : { server: safe(server) }),
      ...(evidence?.excerpt === undefined || region !== undefined ? {} : { excerpt: safe(evidence.excerpt) }),
    },
  };
}

/**
 * Stable across runs and line shifts: the code, where (the artifact's uri, nested in its
 * container's), the server entry, and the excerpt; not the line, not the message's wording.
 */
function fingerprint(finding: AuditFinding, uri: string, server: string | undefined): string {
  const key = JSON.stringify([finding.code, uri, server ?? '', finding.evidence?.excerpt ?? '']);
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

function subjectProperties(subject: AuditSubject): Record<string, unknown> {
  const { kind, name, version, sha256, signature } = subject;
  const strings = Object.entries({ name, version, sha256 }).filter(([, value]) => value !== undefined).map(([key, value]) => [key, safe(value!)]);
  const signer = signature === undefined ? {} : { signature: Object.fromEntries(Object.entries(signature).map(([key, value]) => [key, safe(value)])) };
  return { kind, ...Object.fromEntries(strings), ...signer };
}

/** A relative reference for a `/`-separated path: each segment percent-encoded (RFC 3986 §4.2). */
function uriOf(path: string): string {
  return path.split('/').map((segment) => encodeURIComponent(segment)).join('/');
}

/** The audited file or directory as a path relative to the source root (see SarifOptions.srcRoot). */
export function subjectRelativePath(path: string, srcRoot: string | undefined): string {
  const slashed = path.replaceAll('\\', '/');
  let relative = slashed;
  // A drive-letter path (C:/...) is absolute too: as a relative reference its `C:` would read as a scheme.
  if (posix.isAbsolute(slashed) || /^[A-Za-z]:\//u.test(slashed)) {
    const root = srcRoot?.replaceAll('\\', '/');
    relative = root === undefined ? '' : posix.relative(root, slashed);
  }
  relative = posix.normalize(relative === '' ? '.' : relative).replace(/\/+$/u, '');
  const escapes = relative === '..' || relative.startsWith('../') || posix.isAbsolute(relative);
  return escapes || relative === '.' || relative === '' ? posix.basename(slashed.replace(/\/+$/u, '')) || 'subject' : relative;
}

interface Place {
  location: Record<string, unknown>;
  /** The uri that names the artifact (with its container's, for a nested one). */
  uri: string;
  /** The bundle's file name when the artifact is a file inside it. */
  container?: string;
}

/** run.artifacts (SARIF §3.14.15): the audited file first, then each file a finding names. */
class Artifacts {
  readonly list: Record<string, unknown>[] = [];
  readonly #subject: AuditSubject;
  readonly #subjectPath: string;
  readonly #index = new Map<string, number>();

  constructor(subject: AuditSubject, srcRoot: string | undefined) {
    this.#subject = subject;
    this.#subjectPath = subjectRelativePath(subject.path, srcRoot);
    this.list.push({ location: { uri: uriOf(this.#subjectPath), uriBaseId: '%SRCROOT%' }, roles: ['analysisTarget'] });
  }

  /** Where a finding's evidence path is, as an artifactLocation. */
  locate(path: string | undefined): Place {
    const subjectUri = uriOf(this.#subjectPath);
    const member = path?.replaceAll('\\', '/').replace(/^\.?\/+/u, '');
    if (member === undefined || member === '' || this.#namesSubject(member)) return { location: { uri: subjectUri, uriBaseId: '%SRCROOT%', index: 0 }, uri: subjectUri };
    if (this.#subject.kind === 'bundle') {
      const index = this.#add(`${subjectUri}!/${uriOf(member)}`, { location: { uri: uriOf(member) }, parentIndex: 0 });
      return { location: { uri: uriOf(member), index }, uri: `${subjectUri}!/${uriOf(member)}`, container: safe(posix.basename(this.#subjectPath)) };
    }
    const base = this.#subject.kind === 'directory' ? this.#subjectPath : posix.dirname(this.#subjectPath);
    const joined = posix.normalize(base === '.' ? member : `${base}/${member}`);
    const uri = uriOf(joined.startsWith('../') ? member : joined);
    const index = this.#add(uri, { location: { uri, uriBaseId: '%SRCROOT%' } });
    return { location: { uri, uriBaseId: '%SRCROOT%', index }, uri };
  }

  /** Evidence "in" the audited file itself: its path as given or its file name. */
  #namesSubject(member: string): boolean {
    const given = this.#subject.path.replaceAll('\\', '/');
    return member === given || member === this.#subjectPath || (this.#subject.kind !== 'directory' && member === posix.basename(given));
  }

  #add(key: string, artifact: Record<string, unknown>): number {
    const known = this.#index.get(key);
    if (known !== undefined) return known;
    this.#index.set(key, this.list.length);
    this.list.push(artifact);
    return this.list.length - 1;
  }
}
