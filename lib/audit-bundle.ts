// The `audit` pipeline: a bundle, a bundle directory, a server.json or a client config in, the
// ten-risk report out, without running a line of the audited code (DESIGN.md "Audit"). A bundle
// is read once through the strict reader (structure, sha256 and every entry's data in one pass;
// the server's own sources and the dependency sources that hold audit evidence kept in memory,
// within MAX_KEPT_SOURCES), never extracted. The signature is
// checked with verify's own steps (sigstore/bundle-steps.ts) or the policy's signer rules, but a
// failure becomes evidence (risk 1) instead of ending the audit.

import { stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { analyzeSources, type AnalysisInput } from './analysis/analyze.ts';
import { checkDependencies } from './analysis/dependencies.ts';
import { lookalikeOf } from './analysis/lookalike.ts';
import { checkToolText } from './analysis/tool-text.ts';
import { languageOf, ownPackageOf, roleOf } from './analysis/files.ts';
import type { AnalysisReport, PythonParser } from './analysis/model.ts';
import type { ArchiveEntry } from './archive/entry.ts';
import { collectSourceFiles } from './archive/collect.ts';
import { releaseBuffer } from './archive/entry-data.ts';
import { Archive } from './archive/reader.ts';
import { auditReport, aggregateRisks, bundleRisks } from './audit/assemble.ts';
import { auditEntry, serverMapOf } from './audit/channels.ts';
import { holdsEvidenceWord } from './audit/evidence-screen.ts';
import type { AuditCheckers, BundleFacts, DependencyFile, PolicyFact, RegistryFact, SignatureFact } from './audit/facts.ts';
import type { AuditReport, AuditSubject, ChannelEntry } from './audit/model.ts';
import { serverJsonRisks } from './audit/server-json.ts';
import { MCPSealError } from './errors.ts';
import { ioError, readBoundedFile } from './io.ts';
import { resolveLimits, type Limits } from './limits.ts';
import { MANIFEST_NAME, manifestFileRead, parseManifest, summarizeManifest } from './manifest/load.ts';
import { evaluatePolicy } from './policy/evaluate.ts';
import type { Policy } from './policy/model.ts';
import { choosePolicySigner } from './policy/verify.ts';
import { checkServerJson, registrySigner } from './registry/check.ts';
import { readServerJson } from './registry/read.ts';
import { serverSchemaProblems } from './registry/schema.ts';
import type { Scopes } from './scopes/model.ts';
import { scopesOf } from './scopes/model.ts';
import { validateManifest, type Profile } from './scopes/validate.ts';
import { checkAttestedManifest, readBundleManifest } from './sigstore/bundle-manifest.ts';
import { checkAttestation, readSignatureInputs, verifyBundleSignature, type BundleTrustOptions, type SignatureInputs } from './sigstore/bundle-steps.ts';
import type { CertificateIdentity } from './sigstore/identity.ts';

export interface AuditOptions extends Omit<BundleTrustOptions, 'policy'> {
  /** Who must have signed (the identity flags); with `installPolicy`, the policy names the signers instead. */
  identity?: BundleTrustOptions['policy'];
  /** An install policy: its publishers are the signers tried, and its rules are evaluated (risk 7). */
  installPolicy?: Policy;
  /** A server.json that must describe the bundle (its digest and namespace, risks 7 and 9; its remotes, risk 4). */
  serverJson?: string;
  profile?: Profile;
  limits?: Partial<Limits>;
  /** The Python parser for Python sources (none: they are unknown). */
  python?: PythonParser;
  /** The evidence functions of lib/analysis (tool text, dependencies, lookalike names). */
  checkers?: AuditCheckers;
  /** The mcpseal version written into the report. */
  version?: string;
  signal?: AbortSignal;
}

/** Audits the bundle, directory, server.json or client config at `path`. */
export async function auditPath(path: string, options: AuditOptions = {}): Promise<AuditReport> {
  let info;
  try {
    info = await stat(path);
  } catch (cause) {
    throw ioError(cause, path, 'read');
  }
  if (info.isDirectory()) return auditDirectory(path, options);
  if (path.endsWith('.json')) return auditJsonFile(path, options);
  return auditBundleFile(path, options);
}

const VERSION_UNKNOWN = '0.0.0';

/** Files the dependency checker reads: package manifests, lockfiles and requirement lists. */
const DEPENDENCY_FILE = /(?:^|\/)(?:package\.json|package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|requirements[^/]*\.txt|pyproject\.toml|uv\.lock|poetry\.lock|Pipfile(?:\.lock)?|setup\.cfg)$/u;
/**
 * Most source bytes kept in memory from the pass: the filesystem server's 1,447 JavaScript files
 * are 8.7 MB. Past it, the analyzer reads the rest from the archive again (strict, CRC-checked),
 * so memory stays bounded like the other commands' on a bundle of hundreds of megabytes of code.
 */
const MAX_KEPT_SOURCES = 16 * 1024 * 1024;

/**
 * The entries' bytes the audit keeps from its one pass: the dependency files, the server's own
 * sources and the dependency sources that hold audit evidence (screened as they pass, so the
 * others cost neither memory nor a second read), within MAX_KEPT_SOURCES.
 */
class KeptEntries {
  readonly sources = new Map<string, Uint8Array>();
  readonly dependencies: DependencyFile[] = [];
  #bytes = 0;
  readonly #limits: Readonly<Limits>;
  readonly #ownPackages: readonly string[];

  constructor(limits: Readonly<Limits>, ownPackages: readonly string[]) {
    this.#limits = limits;
    this.#ownPackages = ownPackages;
  }

  /** An entry not kept: a dependency file over the cap is still listed, unread, so the checker says so. */
  skip(entry: ArchiveEntry): void {
    if (DEPENDENCY_FILE.test(entry.name)) this.dependencies.push({ path: entry.name, size: entry.size, text: undefined });
  }

  wants(entry: ArchiveEntry): boolean {
    if (DEPENDENCY_FILE.test(entry.name) && entry.size <= this.#limits.maxDependencyFileSize) return true;
    return isSource(entry.name) && entry.size <= this.#limits.maxAnalysisFileSize;
  }

  keep(entry: ArchiveEntry, data: Buffer): void {
    if (DEPENDENCY_FILE.test(entry.name)) this.dependencies.push({ path: entry.name, size: entry.size, text: data.toString('utf8') });
    if (!isSource(entry.name)) return;
    if (!holdsEvidence(entry.name, data, this.#ownPackages)) this.sources.set(entry.name, NOTHING);
    else if (this.#bytes + data.length <= Math.min(MAX_KEPT_SOURCES, this.#limits.maxAnalysisTotalSize)) {
      this.#bytes += data.length;
      // A copy: a stored entry's data can be a view into a read chunk, which it would keep alive.
      this.sources.set(entry.name, Buffer.from(data));
    }
  }
}

const NOTHING = new Uint8Array(0);

/**
 * Whether the analyzer should see this file's bytes: own code always, a dependency's when it names
 * audit evidence, except a dependency's TypeScript, which the analyzer never reads (it reads the
 * JavaScript shipped beside it, analyze.ts plan): neither screened nor kept.
 */
function holdsEvidence(path: string, bytes: Uint8Array, ownPackages: readonly string[]): boolean {
  if (roleOf(path, ownPackages).origin === 'own') return true;
  return languageOf(path) !== 'typescript' && holdsEvidenceWord(bytes);
}

/** The analyzer's view of a file: a dependency's file without audit evidence reads as empty. */
function screened(input: AnalysisInput, ownPackages: readonly string[]): AnalysisInput {
  return { path: input.path, size: input.size, read: async () => {
    const bytes = await input.read();
    return holdsEvidence(input.path, bytes, ownPackages) ? bytes : NOTHING;
  } };
}

/** The package directories under node_modules that hold the server itself (files.ts ownPackageOf). */
function ownPackagesOf(manifest: Record<string, unknown>): string[] {
  const entryPoint = (manifest['server'] as { entry_point?: unknown } | undefined)?.entry_point;
  const ownPackage = typeof entryPoint === 'string' ? ownPackageOf(entryPoint) : undefined;
  return ownPackage === undefined ? [] : [ownPackage];
}

function isSource(name: string): boolean {
  return /\.(?:[cm]?[jt]sx?|py)$/u.test(name) && !/\.d\.[cm]?ts$/u.test(name);
}

async function auditBundleFile(path: string, options: AuditOptions): Promise<AuditReport> {
  const limits = resolveLimits(options.limits);
  const serverJson = options.serverJson === undefined ? undefined : await readServerJson(options.serverJson, { limits });
  const archive = await Archive.openFile(path, { limits });
  try {
    // The manifest first (one small entry): its entry point says which node_modules package is the server's own code.
    const manifest = await readBundleManifest(archive);
    const kept = new KeptEntries(limits, ownPackagesOf(manifest.document));
    const { sha256 } = await archive.scan({
      hash: true,
      visitor: {
        content: (entry, data) => {
          if (kept.wants(entry)) kept.keep(entry, data);
          else kept.skip(entry);
          // What the audit keeps it copied: the inflated bytes are freed now, as check's are, rather
          // than left outside V8's heap for a full collection to find (half the GC time of the bench).
          releaseBuffer(data);
        },
        stream: (entry) => {
          if (!kept.wants(entry)) return { write: () => undefined, end: () => kept.skip(entry) };
          const chunks: Buffer[] = [];
          return { write: (chunk) => void chunks.push(chunk), end: () => kept.keep(entry, Buffer.concat(chunks)) };
        },
      },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const files = archive.fileNames();
    const inputs: AnalysisInput[] = [...files].map((name) => {
      const entry = archive.entry(name)!;
      const data = kept.sources.get(name);
      return { path: name, size: entry.size, read: async () => data ?? (await archive.readEntry(entry)) };
    });
    const signature = options.installPolicy ? await policySignature(archive, path, sha256!, manifest, options) : { signature: await flagsSignature(archive, path, sha256!, manifest, options), policy: null };
    const registry = serverJson === undefined ? null : registryFact(serverJson, sha256!, path, signature.signature);
    if (signature.signature.status === 'unsigned' && archive.layout.signatureBlock) signature.signature.legacyBlock = true;
    const subject: AuditSubject = { kind: 'bundle', path, ...nameOf(manifest.document), sha256: sha256!, signature: subjectSignature(signature.signature) };
    const facts = await bundleFacts(subject, manifest.document, files, inputs, kept.dependencies, options, { signature: signature.signature, policy: signature.policy, registry });
    return auditReport(subject, bundleRisks(facts), { manifest: manifest.document, version: options.version ?? VERSION_UNKNOWN });
  } finally {
    await archive.close();
  }
}

function nameOf(manifest: Record<string, unknown>): Pick<AuditSubject, 'name' | 'version'> {
  const summary = summarizeManifest(manifest);
  return { ...(summary.name ? { name: summary.name } : {}), ...(summary.version ? { version: summary.version } : {}) };
}

async function bundleFacts(
  subject: AuditSubject,
  manifest: Record<string, unknown>,
  files: ReadonlySet<string>,
  inputs: AnalysisInput[],
  dependencyFiles: DependencyFile[],
  options: AuditOptions,
  provenance: { signature: SignatureFact; policy: PolicyFact | null; registry: RegistryFact | null },
): Promise<BundleFacts> {
  const limits = resolveLimits(options.limits);
  const validation = validateManifest(manifest, { profile: options.profile ?? 'hardened', files, maxDepth: limits.maxManifestDepth });
  const errors = validation.findings.filter((item) => item.severity === 'error').map((item) => ({ code: item.code, pointer: item.pointer, message: item.message }));
  const ownPackages = ownPackagesOf(manifest);
  const analysis: AnalysisReport = await analyzeSources(inputs.map((input) => screened(input, ownPackages)), {
    limits,
    ...(options.python ? { python: options.python } : {}),
    ownPackages,
  });
  const scopes = errors.length === 0 && scopesOf(manifest) !== undefined ? (scopesOf(manifest) as Scopes) : null;
  const checkers = options.checkers ?? ANALYSIS_CHECKERS;
  const dependencyFindings = checkers.checkDependencies === undefined ? null : await checkers.checkDependencies(dependencyFiles, limits);
  return { subject, manifest, manifestErrors: errors, scopes, files, dependencyFiles, dependencyFindings, analysis, ...provenance, checkers };
}

function subjectSignature(signature: SignatureFact): AuditSubject['signature'] {
  switch (signature.status) {
    case 'unsigned':
      return { status: signature.legacyBlock ? 'legacy' : 'unsigned' };
    case 'unchecked':
      return { status: 'sigstore' };
    case 'invalid':
      return { status: 'invalid', code: signature.code };
    case 'verified':
      return { status: 'sigstore', ...(signature.signer ? { signer: signature.signer } : {}), ...(signature.sourceRepository ? { sourceRepository: signature.sourceRepository } : {}) };
  }
}

function verifiedFact(kind: 'certificate' | 'public-key', identity: CertificateIdentity | null, keyHint: string | null, namedBy: 'policy' | 'flags'): SignatureFact {
  return { status: 'verified', kind, signer: identity?.subject ?? (keyHint ? `key ${keyHint}` : null), sourceRepository: identity?.github.sourceRepositoryUri ?? null, namedBy };
}

function invalidFact(error: unknown): SignatureFact {
  if (error instanceof MCPSealError) return { status: 'invalid', code: error.code, message: error.message };
  throw error;
}

type Manifest = Awaited<ReturnType<typeof readBundleManifest>>;

/** Verify's steps 3-7 with the identity flags; a failure is the fact, not the end of the audit. */
async function flagsSignature(archive: Archive, path: string, sha256: string, manifest: Manifest, options: AuditOptions): Promise<SignatureFact> {
  let inputs;
  try {
    inputs = await readSignatureInputs(archive, path, { ...trustOf(options), ...(options.identity ? { policy: options.identity } : {}) });
  } catch (error) {
    if (error instanceof MCPSealError && error.code === 'SIGNATURE_ABSENT') return { status: 'unsigned', legacyBlock: false };
    if (error instanceof MCPSealError && error.code === 'IDENTITY_POLICY_REQUIRED') return { status: 'unchecked' };
    return invalidFact(error);
  }
  try {
    const checked = verifyBundleSignature(inputs);
    statementChecks(archive, inputs, sha256, manifest, checked.identity);
    return verifiedFact(checked.kind, checked.identity, checked.keyHint, 'flags');
  } catch (error) {
    return invalidFact(error);
  }
}

function statementChecks(archive: Archive, inputs: SignatureInputs, sha256: string, manifest: Manifest, identity: CertificateIdentity | null): void {
  const { listed } = checkAttestation(inputs, identity, archive, sha256);
  checkAttestedManifest(listed, manifest);
}

function trustOf(options: AuditOptions): Omit<BundleTrustOptions, 'policy'> {
  const { sigstoreBundle, trustedRoot, trustRoot, publicKey, requireTlog } = options;
  return {
    ...(sigstoreBundle === undefined ? {} : { sigstoreBundle }),
    ...(trustedRoot === undefined ? {} : { trustedRoot }),
    ...(trustRoot === undefined ? {} : { trustRoot }),
    ...(publicKey === undefined ? {} : { publicKey }),
    ...(requireTlog === undefined ? {} : { requireTlog }),
  };
}

/** The policy's signer rules (policy/verify.ts), the statement checks for the winner, then every rule. */
async function policySignature(archive: Archive, path: string, sha256: string, manifest: Manifest, options: AuditOptions): Promise<{ signature: SignatureFact; policy: PolicyFact }> {
  const policy = options.installPolicy!;
  const name = manifest.summary.name ?? '';
  let signature: SignatureFact;
  let chosen;
  try {
    chosen = await choosePolicySigner(archive, path, policy, name, { ...trustOf(options), ...(options.limits ? { limits: options.limits } : {}) });
  } catch (error) {
    signature = invalidFact(error);
    return { signature, policy: { publisher: null, nameNotAllowed: null, refusals: [] } };
  }
  const { fact, winner } = chosen;
  const nameNotAllowed = fact.kind === 'verified' && winner === null ? { publisher: fact.publisher, message: `the policy's publisher "${fact.publisher}" signed it, but its bundles globs do not include "${name}"` } : null;
  if (winner !== null) {
    try {
      statementChecks(archive, winner.inputs, sha256, manifest, winner.checked.identity);
      signature = verifiedFact(winner.checked.kind, winner.checked.identity, winner.checked.keyHint, 'policy');
    } catch (error) {
      signature = invalidFact(error);
    }
  } else if (fact.kind === 'unsigned') {
    signature = { status: 'unsigned', legacyBlock: false };
  } else {
    const attempt = fact.kind === 'unverified' ? fact.attempts[0] : undefined;
    signature = { status: 'invalid', code: nameNotAllowed ? 'POLICY_NAME_NOT_ALLOWED' : (attempt?.code ?? 'POLICY_PUBLISHER_UNTRUSTED'), message: nameNotAllowed?.message ?? (attempt ? `${attempt.publisher}: ${attempt.message}` : 'no publisher of the policy may ship this name') };
  }
  const decision = evaluatePolicy(policy, { manifest: manifest.document, sha256, signer: fact });
  const refusals = decision.rules.filter((rule) => !rule.allowed && rule.rule !== 'signer').map((rule) => ({ rule: rule.rule, code: rule.code ?? 'POLICY_DENIED', message: rule.message }));
  return { signature, policy: { publisher: winner?.publisher.name ?? null, nameNotAllowed, refusals } };
}

/** The server.json held to the audited file: a refusal is evidence (risks 7 and 9). */
function registryFact(document: unknown, sha256: string, path: string, signature: SignatureFact): RegistryFact {
  const signer = signature.status === 'verified' ? (signature.kind === 'certificate' ? registrySigner({ github: { sourceRepositoryUri: signature.sourceRepository } }) : registrySigner(null)) : ({ kind: 'none' } as const);
  try {
    const check = checkServerJson(document, { sha256, fileName: basename(path), signer });
    return { document, namespace: check.namespace.status === 'bound' ? { status: 'bound' } : { status: 'unchecked', reason: check.namespace.reason } };
  } catch (error) {
    if (!(error instanceof MCPSealError)) throw error;
    return { document, refusal: { code: error.code, message: error.message } };
  }
}

/** A bundle directory: what pack would ship from it, read file by file (bounded). Nothing signs a directory. */
async function auditDirectory(path: string, options: AuditOptions): Promise<AuditReport> {
  const limits = resolveLimits(options.limits);
  const manifestPath = join(path, MANIFEST_NAME);
  const manifest = parseManifest(await readBoundedFile(manifestPath, manifestFileRead(manifestPath, limits)), limits);
  const { files } = await collectSourceFiles(path, { limits });
  const read = (file: (typeof files)[number]): Promise<Buffer> => readBoundedFile(file.path, { max: Math.max(limits.maxAnalysisFileSize, limits.maxDependencyFileSize), tooLarge: (size) => new MCPSealError('IO_READ_FAILED', `${file.path} is ${size} bytes, over the analysis cap`) });
  const inputs: AnalysisInput[] = files.map((file) => ({ path: file.name, size: file.size, read: () => read(file) }));
  const dependencyFiles: DependencyFile[] = [];
  for (const file of files.filter((item) => DEPENDENCY_FILE.test(item.name))) {
    const text = file.size <= limits.maxDependencyFileSize ? (await read(file)).toString('utf8') : undefined;
    dependencyFiles.push({ path: file.name, size: file.size, text });
  }
  const serverJson = options.serverJson === undefined ? null : { document: await readServerJson(options.serverJson, { limits }) };
  const subject: AuditSubject = { kind: 'directory', path, ...nameOf(manifest), signature: { status: 'unsigned' } };
  const facts = await bundleFacts(subject, manifest, new Set(files.map((file) => file.name)), inputs, dependencyFiles, options, { signature: { status: 'unsigned', legacyBlock: false }, policy: null, registry: serverJson });
  return auditReport(subject, bundleRisks(facts), { manifest, version: options.version ?? VERSION_UNKNOWN });
}

/**
 * A server launched from a local path whose directory (or one of its three parents) holds a
 * manifest.json: that directory is audited as a bundle directory, offline, and its risks replace
 * the config's guesses (risk 1 keeps the channel's finding: nothing binds a local path).
 */
async function auditLocalEntry(entry: ChannelEntry, options: AuditOptions): Promise<void> {
  if (!isAbsolute(entry.target)) return;
  let directory = dirname(entry.target);
  for (let depth = 0; depth < 4; depth++, directory = dirname(directory)) {
    if (!(await isFile(join(directory, MANIFEST_NAME)))) continue;
    let report;
    try {
      report = await auditDirectory(directory, options);
    } catch (error) {
      if (!(error instanceof MCPSealError)) throw error;
      entry.risks[0] = { ...entry.risks[0]!, summary: `${entry.risks[0]!.summary} (its directory ${directory} could not be audited: ${error.code})` };
      return;
    }
    const channel = entry.risks[0]!.findings;
    entry.risks = report.risks.map((risk) => (risk.id === 1 ? { ...risk, findings: [...channel, ...risk.findings] } : risk));
    return;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Strips `//` and block comments and trailing commas outside strings (VS Code's mcp.json is JSONC). */
function stripJsonComments(text: string): string {
  return text.replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\/|,(\s*[}\]])/gu, (_match, string: string | undefined, tail: string | undefined) => string ?? tail ?? '');
}

/** A JSON file: a client config (a server map), a server.json, or a manifest (its directory is audited). */
async function auditJsonFile(path: string, options: AuditOptions): Promise<AuditReport> {
  const limits = resolveLimits(options.limits);
  const bytes = await readBoundedFile(path, {
    max: limits.maxClientConfigSize,
    tooLarge: (size) => new MCPSealError('AUDIT_INPUT_INVALID', `${path} is ${size} bytes, over the ${limits.maxClientConfigSize}-byte limit`, { details: { path, limit: 'maxClientConfigSize', found: size } }),
  });
  let document: unknown;
  try {
    document = JSON.parse(stripJsonComments(new TextDecoder('utf-8', { fatal: true }).decode(bytes)));
  } catch (cause) {
    throw new MCPSealError('AUDIT_INPUT_INVALID', `${path} is not JSON (UTF-8): ${(cause as Error).message}`, { details: { path }, cause });
  }
  const servers = serverMapOf(document);
  if (servers !== undefined) {
    const entries = Object.entries(servers.servers).map(([name, entry]) => auditEntry(name, entry, basename(path), options.checkers ?? ANALYSIS_CHECKERS));
    for (const entry of entries) if (entry.channel === 'local') await auditLocalEntry(entry, options);
    const subject: AuditSubject = { kind: 'client-config', path };
    return auditReport(subject, aggregateRisks(entries), { servers: entries, version: options.version ?? VERSION_UNKNOWN });
  }
  const record = typeof document === 'object' && document !== null && !Array.isArray(document) ? (document as Record<string, unknown>) : null;
  if (record !== null && (typeof record['manifest_version'] === 'string' || typeof record['dxt_version'] === 'string')) return auditDirectory(dirname(path), options);
  if (record !== null && typeof record['name'] === 'string' && (Array.isArray(record['packages']) || Array.isArray(record['remotes']))) {
    const problems = serverSchemaProblems(record);
    if (problems.length > 0) throw new MCPSealError('REGISTRY_INVALID', `server.json breaks the registry's schema at ${problems[0]!.pointer || '/'}: ${problems[0]!.message}`, { details: { pointer: problems[0]!.pointer, problems } });
    const subject: AuditSubject = { kind: 'server-json', path, name: record['name'], ...(typeof record['version'] === 'string' ? { version: record['version'] } : {}) };
    return auditReport(subject, serverJsonRisks(record, options.checkers ?? ANALYSIS_CHECKERS), { version: options.version ?? VERSION_UNKNOWN });
  }
  throw new MCPSealError('AUDIT_INPUT_INVALID', `${path} is neither a client config (mcpServers or servers), a server.json (name with packages or remotes), nor a manifest.json`, { details: { path } });
}

/**
 * The evidence functions of lib/analysis the CLI hands to the audit: tool-description checks
 * (checkToolText), dependency checks (checkDependencies) and well-known names (lookalikeOf).
 * A library caller may pass other checkers (or none: each risk they settle then stays `unknown`).
 */
function dependencyInput(file: DependencyFile): AnalysisInput {
  const { path, size, text } = file;
  if (text === undefined) return { path, size, read: () => Promise.reject(new MCPSealError('IO_READ_FAILED', `${path} is over the dependency-file cap and was not kept`)) };
  return { path, size: Buffer.byteLength(text), read: () => Promise.resolve(Buffer.from(text, 'utf8')) };
}

export const ANALYSIS_CHECKERS: AuditCheckers = {
  checkToolText: (tool) => checkToolText(tool),
  lookalikeOf,
  // The pipeline holds dependency files as text (read once, bounded by maxDependencyFileSize); one
  // over the cap comes with its size and no text, and the checker's own size check reports it.
  checkDependencies: (files, limits) => checkDependencies(files.map(dependencyInput), { limits }),
};
