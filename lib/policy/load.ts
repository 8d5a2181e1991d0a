// Loading an install policy file: every problem is POLICY_INVALID (exit 2: the installer's own
// file is unusable, not the bundle) with the JSON Pointer of what is wrong in details.pointer.
// Order: size cap, JSON, the schema (unknown keys, types), then what a schema cannot say:
// regexps compile, globs, host patterns and paths parse, a keyless publisher names someone (the
// one rule of sigstore/identity.ts), key files exist and hold a PUBLIC key.

import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import type { ErrorObject } from 'ajv';
import { MCPSealError } from '../errors.ts';
import { readBoundedFile } from '../io.ts';
import { defaultLimits } from '../limits.ts';
import { validatePolicy } from '../manifest/generated/manifest-validators.ts';
import { hasIdentityPolicy, type IdentityPolicy } from '../sigstore/identity.ts';
import type { Grant } from '../scopes/model.ts';
import type { MaxScopes, Policy, PolicyPublisher } from './model.ts';
import { globProblem, parseHostPattern, scopePathProblem } from './patterns.ts';

const validateSchema = validatePolicy as { (data: unknown): boolean; errors?: ErrorObject[] | null };

export interface LoadPolicyOptions {
  /** Largest policy (and key) file read; default `defaultLimits.maxPolicySize`. */
  maxPolicySize?: number;
}

function invalid(pointer: string, message: string, path: string | null, cause?: unknown): MCPSealError {
  return new MCPSealError('POLICY_INVALID', `${path ?? 'policy'}${pointer ? ` at ${pointer}` : ''}: ${message}`, {
    details: { pointer, ...(path === null ? {} : { path }) },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Reads and validates the policy file at `path` (key files relative to it). */
export async function loadPolicy(path: string, options: LoadPolicyOptions = {}): Promise<Policy> {
  const max = options.maxPolicySize ?? defaultLimits.maxPolicySize;
  const bytes = await readBoundedFile(path, {
    max,
    tooLarge: (size) => invalid('', `the file is ${size} bytes (limit ${max})`, path),
  });
  return parsePolicy(bytes, { path, readKey: (file) => readKeyFile(resolve(dirname(path), file), max) });
}

export interface ParsePolicyOptions {
  /** Where the bytes came from (messages, `source.path`). */
  path?: string;
  /** Reads a key file named by the policy; without it, a policy naming a key file is POLICY_INVALID. */
  readKey?: (file: string) => Promise<string>;
}

/** Validates policy bytes (JSON text) into a Policy. */
export async function parsePolicy(bytes: Buffer, options: ParsePolicyOptions = {}): Promise<Policy> {
  const path = options.path ?? null;
  let document: unknown;
  try {
    document = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw invalid('', `not JSON: ${(cause as Error).message}`, path, cause);
  }
  if (!validateSchema(document)) throw schemaError(validateSchema.errors ?? [], path);
  const raw = document as RawPolicy;
  checkPatterns(raw, path);
  const publishers: PolicyPublisher[] = [];
  for (const [index, publisher] of (raw.publishers ?? []).entries()) {
    publishers.push(await loadPublisher(publisher, `/publishers/${index}`, path, options.readKey));
  }
  return {
    version: 1,
    publishers,
    allowUnsigned: raw.allowUnsigned === true,
    serverTypes: raw.serverTypes ?? [],
    maxScopes: maxScopesOf(raw.maxScopes ?? {}),
    deny: { names: raw.deny?.names ?? [], sha256: raw.deny?.sha256 ?? [] },
    source: { path, sha256: createHash('sha256').update(bytes).digest('hex') },
  };
}

/** The first schema error, located: an unknown key points at the key itself. */
function schemaError(errors: ErrorObject[], path: string | null): MCPSealError {
  const error = errors.find((e) => e.keyword === 'additionalProperties') ?? errors[0];
  if (!error) return invalid('', 'does not match the policy schema', path);
  if (error.keyword === 'additionalProperties') {
    const key = String((error.params as { additionalProperty: string }).additionalProperty);
    return invalid(`${error.instancePath}/${key.replace(/~/gu, '~0').replace(/\//gu, '~1')}`, `unknown key "${key}"`, path);
  }
  return invalid(error.instancePath, error.message ?? 'does not match the policy schema', path);
}

interface RawKeyless {
  identity?: string;
  identityRegexp?: string;
  issuer?: string;
  repo?: string;
  signerWorkflow?: string;
  sourceRef?: string;
  sourceRefRegexp?: string;
  sourceDigest?: string;
  denySelfHostedRunners?: boolean;
}

interface RawPublisher {
  name: string;
  bundles: string[];
  keyless?: RawKeyless;
  key?: string;
}

type RawMaxScopes = {
  [Block in keyof MaxScopes]?: Partial<MaxScopes[Block]>;
};

interface RawPolicy {
  version: 1;
  publishers?: RawPublisher[];
  allowUnsigned?: boolean;
  serverTypes?: string[];
  maxScopes?: RawMaxScopes;
  deny?: { names?: string[]; sha256?: string[] };
}

/** Globs, host patterns and paths, each located. */
function checkPatterns(raw: RawPolicy, path: string | null): void {
  const check = (values: readonly string[] | undefined, at: string, problem: (value: string) => string | null): void => {
    values?.forEach((value, index) => {
      const reason = problem(value);
      if (reason !== null) throw invalid(`${at}/${index}`, reason, path);
    });
  };
  raw.publishers?.forEach((publisher, index) => check(publisher.bundles, `/publishers/${index}/bundles`, globProblem));
  check(raw.deny?.names, '/deny/names', globProblem);
  const scopes = raw.maxScopes;
  check(scopes?.filesystem?.read, '/maxScopes/filesystem/read', scopePathProblem);
  check(scopes?.filesystem?.write, '/maxScopes/filesystem/write', scopePathProblem);
  check(scopes?.network?.egress, '/maxScopes/network/egress', (value) => {
    const parsed = parseHostPattern(value);
    return typeof parsed === 'string' ? parsed : null;
  });
  check(scopes?.process?.spawn, '/maxScopes/process/spawn', globProblem);
  check(scopes?.env?.read, '/maxScopes/env/read', globProblem);
  check(scopes?.env?.secrets, '/maxScopes/env/secrets', globProblem);
}

async function loadPublisher(raw: RawPublisher, at: string, path: string | null, readKey: ParsePolicyOptions['readKey']): Promise<PolicyPublisher> {
  if ((raw.keyless === undefined) === (raw.key === undefined)) throw invalid(at, 'a publisher has exactly one of "keyless" or "key"', path);
  if (raw.key !== undefined) {
    if (!readKey) throw invalid(`${at}/key`, 'key files are read relative to a policy file; load the policy with loadPolicy', path);
    let pem: string;
    try {
      pem = await readKey(raw.key);
    } catch (cause) {
      throw invalid(`${at}/key`, `cannot read the key file "${raw.key}": ${(cause as Error).message}`, path, cause);
    }
    const problem = publicKeyProblem(pem);
    if (problem !== null) throw invalid(`${at}/key`, `"${raw.key}" ${problem}`, path);
    return { name: raw.name, bundles: raw.bundles, keyless: null, publicKey: pem, keyFile: raw.key };
  }
  return { name: raw.name, bundles: raw.bundles, keyless: keylessPolicy(raw.keyless!, `${at}/keyless`, path), publicKey: null, keyFile: null };
}

/** The keyless fields as an IdentityPolicy; regexps compile; it must name a signer (hasIdentityPolicy). */
function keylessPolicy(raw: RawKeyless, at: string, path: string | null): IdentityPolicy {
  for (const key of ['identityRegexp', 'sourceRefRegexp'] as const) {
    const pattern = raw[key];
    if (pattern === undefined) continue;
    try {
      new RegExp(`^(?:${pattern})$`, 'u');
    } catch (cause) {
      throw invalid(`${at}/${key}`, `not a valid regular expression: ${(cause as Error).message}`, path, cause);
    }
  }
  if (raw.identity !== undefined && raw.identityRegexp !== undefined) throw invalid(`${at}/identityRegexp`, 'give identity or identityRegexp, not both', path);
  const policy: IdentityPolicy = {
    ...(raw.identity === undefined ? {} : { certIdentity: raw.identity }),
    ...(raw.identityRegexp === undefined ? {} : { certIdentityRegexp: raw.identityRegexp }),
    ...(raw.issuer === undefined ? {} : { certOidcIssuer: raw.issuer }),
    ...(raw.repo === undefined ? {} : { repo: raw.repo }),
    ...(raw.signerWorkflow === undefined ? {} : { signerWorkflow: raw.signerWorkflow }),
    ...(raw.sourceRef === undefined ? {} : { sourceRef: raw.sourceRef }),
    ...(raw.sourceRefRegexp === undefined ? {} : { sourceRefRegexp: raw.sourceRefRegexp }),
    ...(raw.sourceDigest === undefined ? {} : { sourceDigest: raw.sourceDigest }),
    ...(raw.denySelfHostedRunners === true ? { denySelfHostedRunners: true } : {}),
  };
  if (!hasIdentityPolicy(policy)) {
    throw invalid(at, 'a keyless publisher must name "repo", or "identity"/"identityRegexp" with its "issuer": a workflow, ref or issuer alone names no one', path);
  }
  return policy;
}

/** Why `pem` is not a public key, or null. A private key is refused: it has no place in a policy. */
function publicKeyProblem(pem: string): string | null {
  let isPrivate = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/u.test(pem);
  try {
    createPrivateKey(pem);
    isPrivate = true;
  } catch {
    // Not a private key: checked as a public one below.
  }
  if (isPrivate) return 'holds a PRIVATE key: a policy names the publisher\'s public key (the .pub file mcpseal keygen writes)';
  if (!/-----BEGIN PUBLIC KEY-----/u.test(pem)) return 'is not a PEM public key (-----BEGIN PUBLIC KEY-----)';
  try {
    createPublicKey(pem);
    return null;
  } catch (cause) {
    return `is not a usable public key: ${(cause as Error).message}`;
  }
}

async function readKeyFile(file: string, max: number): Promise<string> {
  const bytes = await readBoundedFile(file, {
    max,
    tooLarge: (size) => new MCPSealError('IO_READ_FAILED', `${file} is ${size} bytes (limit ${max})`, { details: { path: file, found: size } }),
  });
  return bytes.toString('utf8');
}

function maxScopesOf(raw: RawMaxScopes): MaxScopes {
  const grant = (value: Grant | undefined): Grant => value ?? 'none';
  return {
    filesystem: { read: raw.filesystem?.read ?? [], write: raw.filesystem?.write ?? [], roots: grant(raw.filesystem?.roots), cwd: grant(raw.filesystem?.cwd) },
    network: { egress: raw.network?.egress ?? [], listen: raw.network?.listen === true, userDriven: raw.network?.userDriven ?? false },
    process: { spawn: raw.process?.spawn ?? [], workers: raw.process?.workers === true, native_addons: raw.process?.native_addons === true },
    env: { read: raw.env?.read ?? [], secrets: raw.env?.secrets ?? [] },
  };
}
