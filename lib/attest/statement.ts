// in-toto attestations for bundles (DESIGN.md "Attestations"): our own typed model of an in-toto
// Statement v1 with a SLSA Provenance v1 predicate, built at signing and checked at verification
// from the verified payload bytes only.

import { isUtf8 } from 'node:buffer';
import { MCPSealError } from '../errors.ts';

/** DSSE payload type of an in-toto statement (in-toto Statement v1, "Envelope"). */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const STATEMENT_TYPE_V1 = 'https://in-toto.io/Statement/v1';
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
/**
 * mcpseal's build type: a bundle packed from a source tree. `externalParameters.bundle` is the
 * file name; `externalParameters.workflow` (GitHub Actions only) the workflow that ran;
 * `resolvedDependencies` the source commit (a `uri` with `digest.gitCommit`) and every archive
 * entry (a `name` with `digest.sha256`, no `uri`).
 */
export const MCPSEAL_BUILD_TYPE = 'https://mcpseal.dev/buildtypes/mcpb/v1';
/** Builder id for signing outside a CI system. */
export const LOCAL_BUILDER_ID = 'https://mcpseal.dev/builders/local/v1';

export interface ResourceDescriptor {
  name?: string;
  uri?: string;
  digest?: Record<string, string>;
  [key: string]: unknown;
}

export interface Statement {
  _type: string;
  subject: ResourceDescriptor[];
  predicateType: string;
  predicate?: Record<string, unknown>;
}

export interface WorkflowInfo {
  /** e.g. https://github.com/owner/repo */
  repository: string;
  /** e.g. .github/workflows/release.yml */
  path: string;
  /** e.g. refs/tags/v1.0.0 */
  ref: string;
}

export interface BuildStatementInput {
  fileName: string;
  sha256: string;
  /** Every file entry of the archive with the sha256 of its content, in archive order. */
  entries: { name: string; sha256: string }[];
  /** The source repository and commit, when known (e.g. GITHUB_SERVER_URL/GITHUB_REPOSITORY at GITHUB_SHA). */
  source?: { uri: string; commit: string };
  workflow?: WorkflowInfo;
  builderId?: string;
  /** e.g. a CI run URL. */
  invocationId?: string;
  mcpsealVersion: string;
}

export function buildStatement(input: BuildStatementInput): Statement {
  const dependencies: ResourceDescriptor[] = [];
  if (input.source) dependencies.push({ uri: input.source.uri, digest: { gitCommit: input.source.commit } });
  for (const entry of input.entries) dependencies.push({ name: entry.name, digest: { sha256: entry.sha256 } });
  return {
    _type: STATEMENT_TYPE_V1,
    subject: [{ name: input.fileName, digest: { sha256: input.sha256 } }],
    predicateType: SLSA_PROVENANCE_V1,
    predicate: {
      buildDefinition: {
        buildType: MCPSEAL_BUILD_TYPE,
        externalParameters: { bundle: input.fileName, ...(input.workflow ? { workflow: input.workflow } : {}) },
        internalParameters: { mcpseal: input.mcpsealVersion },
        resolvedDependencies: dependencies,
      },
      runDetails: {
        builder: { id: input.builderId ?? LOCAL_BUILDER_ID },
        metadata: input.invocationId ? { invocationId: input.invocationId } : {},
      },
    },
  };
}

function malformed(message: string): never {
  throw new MCPSealError('ATTESTATION_MALFORMED', message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The payload as text, refusing bytes that are not UTF-8 and dropping a byte order mark, as a
 * fatal TextDecoder does; but validated in place (`isUtf8`) and decoded straight to a one-byte
 * string, where the fatal TextDecoder went through ICU and a UTF-16 copy (twice the payload:
 * 11 MB for a 40,000-entry attestation).
 */
function utf8Text(payload: Buffer): string {
  if (!isUtf8(payload)) throw new TypeError('invalid UTF-8');
  const bom = payload.length >= 3 && payload[0] === 0xef && payload[1] === 0xbb && payload[2] === 0xbf;
  return payload.toString('utf8', bom ? 3 : 0);
}

/** Parses a DSSE payload as an in-toto Statement v1, checking its shape (in-toto spec, "Statement layer"). */
export function parseStatement(payload: Buffer): Statement {
  let value: unknown;
  try {
    value = JSON.parse(utf8Text(payload));
  } catch (cause) {
    throw new MCPSealError('ATTESTATION_MALFORMED', 'the attestation payload is not UTF-8 JSON', { cause });
  }
  return checkedStatement(value);
}

/** The shape of an in-toto Statement v1 (parsed JSON in, the same value out as a Statement). */
export function checkedStatement(value: unknown): Statement {
  if (!isRecord(value)) malformed('the attestation payload is not a JSON object');
  if (value['_type'] !== STATEMENT_TYPE_V1) malformed(`the payload is not an in-toto Statement v1 (_type ${JSON.stringify(value['_type'])})`);
  const subject = value['subject'];
  if (!Array.isArray(subject) || subject.length === 0) malformed('the statement has no subject');
  for (const item of subject) {
    if (!isRecord(item) || !isRecord(item['digest'])) malformed('a statement subject has no digest');
    for (const digest of Object.values(item['digest'])) if (typeof digest !== 'string') malformed('a subject digest is not a string');
  }
  if (typeof value['predicateType'] !== 'string') malformed('the statement has no predicateType');
  if ('predicate' in value && !isRecord(value['predicate'])) malformed('the predicate is not an object');
  return value as unknown as Statement;
}

/** The subject whose sha256 is `sha256` (lower-case hex), or an ATTESTATION_SUBJECT_MISMATCH. */
export function matchingSubject(statement: Statement, sha256: string): ResourceDescriptor {
  const subject = statement.subject.find((item) => item.digest?.['sha256']?.toLowerCase() === sha256.toLowerCase());
  if (!subject) {
    throw new MCPSealError('ATTESTATION_SUBJECT_MISMATCH', 'no subject of the attestation has the sha256 of this file', {
      details: { expected: sha256, found: statement.subject.map((item) => item.digest?.['sha256'] ?? null) },
    });
  }
  return subject;
}

export interface ProvenanceView {
  buildType: string | null;
  builderId: string | null;
  /** Archive entries and their sha256, when the predicate is mcpseal's (a plain object, so it prints in --json). */
  entries: Record<string, string> | null;
  source: { uri: string; commit: string } | null;
  workflow: WorkflowInfo | null;
}

/** GitHub's build type for workflow runs (`actions/attest-build-provenance`, `gh attestation`). */
export const GITHUB_WORKFLOW_BUILD_TYPE = 'https://actions.github.io/buildtypes/workflow/v1';

/**
 * The predicates a bundle's attestation may carry (README, "The attestation"): SLSA Provenance v1
 * with mcpseal's build type, or GitHub's workflow build type. Any other statement about the file
 * (a test result, an SBOM, a scan report) says nothing about who built it.
 */
export const ACCEPTED_BUILD_TYPES: readonly string[] = [MCPSEAL_BUILD_TYPE, GITHUB_WORKFLOW_BUILD_TYPE];

function predicateTypeError(message: string, expected: unknown, found: unknown): never {
  throw new MCPSealError('ATTESTATION_PREDICATE_TYPE', message, { details: { expected, found } });
}

/**
 * Reads and checks the provenance of a bundle's statement: SLSA Provenance v1 ("buildDefinition"
 * and "runDetails.builder.id" are required there) of an accepted build type; anything else is
 * ATTESTATION_PREDICATE_TYPE. mcpseal's predicate must list its entries; GitHub's must name the
 * workflow that ran, which the verifier compares with the certificate.
 */
export function provenanceView(statement: Statement): ProvenanceView {
  const head = provenanceHead(statement);
  const { entries, source } = dependenciesOf(head.dependencies, head.buildType === MCPSEAL_BUILD_TYPE);
  return { buildType: head.buildType, builderId: head.builderId, entries, source, workflow: head.workflow };
}

/** A provenance's checked fields other than its dependencies, and the dependencies as found. */
export interface ProvenanceHead {
  buildType: string;
  builderId: string;
  workflow: WorkflowInfo | null;
  dependencies: unknown;
}

/** provenanceView's checks of everything but `resolvedDependencies`, in its order. */
export function provenanceHead(statement: Statement): ProvenanceHead {
  if (statement.predicateType !== SLSA_PROVENANCE_V1) {
    predicateTypeError(`the attestation is a ${JSON.stringify(statement.predicateType)} statement, not SLSA provenance`, SLSA_PROVENANCE_V1, statement.predicateType);
  }
  const definition = statement.predicate?.['buildDefinition'];
  const details = statement.predicate?.['runDetails'];
  if (!isRecord(definition) || typeof definition['buildType'] !== 'string') malformed('SLSA provenance v1 needs buildDefinition.buildType');
  const buildType = definition['buildType'];
  if (!ACCEPTED_BUILD_TYPES.includes(buildType)) {
    predicateTypeError(`the provenance build type ${JSON.stringify(buildType)} is not one mcpseal accepts`, ACCEPTED_BUILD_TYPES, buildType);
  }
  if (!isRecord(details) || !isRecord(details['builder']) || typeof details['builder']['id'] !== 'string') malformed('SLSA provenance v1 needs runDetails.builder.id');
  const workflow = workflowOf(definition['externalParameters']);
  if (buildType === GITHUB_WORKFLOW_BUILD_TYPE && workflow === null) malformed('GitHub build provenance needs externalParameters.workflow');
  return { buildType, builderId: details['builder']['id'], workflow, dependencies: definition['resolvedDependencies'] };
}

/** `externalParameters.workflow` (repository, path, ref), the same shape in both build types. */
function workflowOf(external: unknown): WorkflowInfo | null {
  if (!isRecord(external) || external['workflow'] === undefined) return null;
  const workflow = external['workflow'];
  if (!isRecord(workflow) || typeof workflow['repository'] !== 'string' || typeof workflow['path'] !== 'string' || typeof workflow['ref'] !== 'string') {
    malformed('externalParameters.workflow needs repository, path and ref strings');
  }
  return { repository: workflow['repository'], path: workflow['path'], ref: workflow['ref'] };
}

/** Where the items of `resolvedDependencies` go: the source found so far, and the archive entries. */
export interface DependencySink {
  source: ProvenanceView['source'];
  /** An archive entry and its sha256 (lower-case when it was hex); a name listed twice is refused here. */
  entry(name: string, sha256: string): void;
}

/** The source commit (a `uri` with `digest.gitCommit`) and, for mcpseal's predicate, every archive entry. */
function dependenciesOf(dependencies: unknown, withEntries: boolean): Pick<ProvenanceView, 'entries' | 'source'> {
  if (dependencies === undefined && !withEntries) return { entries: null, source: null };
  if (!Array.isArray(dependencies)) malformed('the provenance lists no resolvedDependencies');
  const entries: Record<string, string> = Object.create(null) as Record<string, string>;
  const sink: DependencySink = {
    source: null,
    entry: (name, sha256) => {
      if (Object.hasOwn(entries, name)) listedTwice(name);
      entries[name] = sha256;
    },
  };
  for (const dependency of dependencies) takeDependency(dependency, withEntries, sink);
  return { entries: withEntries ? entries : null, source: sink.source };
}

/** The error for an entry listed twice (the same whatever holds the list). */
export function listedTwice(name: string): never {
  malformed(`the entry "${name}" is listed twice`);
}

/** One item of `resolvedDependencies`: a source commit, an archive entry (with `withEntries`), or malformed. */
export function takeDependency(dependency: unknown, withEntries: boolean, sink: DependencySink): void {
  if (!isRecord(dependency) || !isRecord(dependency['digest'])) malformed('a resolvedDependencies item has no digest');
  if (typeof dependency['uri'] === 'string') {
    const commit = dependency['digest']['gitCommit'];
    if (typeof commit === 'string') sink.source = { uri: dependency['uri'], commit };
    return;
  }
  if (!withEntries) return;
  const name = dependency['name'];
  const sha256 = dependency['digest']['sha256'];
  if (typeof name !== 'string' || typeof sha256 !== 'string') malformed('an archive entry in resolvedDependencies needs a name and a sha256');
  // toLowerCase copies even a lower-case string (3.3 MB for 40,000 digests, kept beside the statement's own).
  sink.entry(name, /[A-F]/u.test(sha256) ? sha256.toLowerCase() : sha256);
}
