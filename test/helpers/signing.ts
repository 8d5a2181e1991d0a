// Helpers for the signing and verification tests (test/sigstore.test.ts): the GitHub Actions
// identity the fakes certify, the CLI flags and environment of a signing run, one verification
// described once and turned into both CLI flags and library options, and byte-level edits of
// bundles and Sigstore sidecars.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { IdentityPolicy, KeylessSigning, VerifyBundleOptions } from '../../lib/index.ts';
import { MCPSealError } from '../../lib/index.ts';
import type { SigstoreFakes } from './sigstore-fakes.ts';

/** The workflow run every GitHub Actions token of these tests describes (githubActionsClaims' defaults). */
export const WORKFLOW = {
  repository: 'owner/repo',
  path: '.github/workflows/release.yml',
  ref: 'refs/tags/v1.0.0',
  sha: '0123456789abcdef0123456789abcdef01234567',
  runId: '1234567890',
} as const;

/** The certificate identity (SAN) Fulcio issues for that run: the job workflow's URL at its ref. */
export const GITHUB_SAN = `https://github.com/${WORKFLOW.repository}/${WORKFLOW.path}@${WORKFLOW.ref}`;

/** The library's keyless signing method against the fakes. */
export function keylessMethod(fakes: SigstoreFakes, token: string): KeylessSigning {
  return { kind: 'keyless', identityToken: async () => token, fulcioURL: fakes.fulcioURL, rekorURL: fakes.rekorURL, tsaURL: fakes.tsaURL };
}

/** `mcpseal sign` flags for keyless signing against the fakes. */
export function keylessArgs(fakes: SigstoreFakes, token: string): string[] {
  return ['--identity-token', token, '--fulcio-url', fakes.fulcioURL, '--rekor-url', fakes.rekorURL, '--tsa-url', fakes.tsaURL];
}

/**
 * The environment of a signing child process outside any CI: the variables `sign` reads (the
 * GitHub Actions context, ambient identity tokens) are removed, so a test run that itself runs in
 * GitHub Actions does not leak its own workflow into the predicate. (`undefined` values are
 * dropped by child_process.spawn.)
 */
export const NO_CI_ENV: NodeJS.ProcessEnv = Object.fromEntries(
  [
    'GITHUB_ACTIONS',
    'GITHUB_SERVER_URL',
    'GITHUB_REPOSITORY',
    'GITHUB_SHA',
    'GITHUB_REF',
    'GITHUB_WORKFLOW_REF',
    'GITHUB_RUN_ID',
    'GITHUB_RUN_ATTEMPT',
    'SIGSTORE_ID_TOKEN',
    'ACTIONS_ID_TOKEN_REQUEST_URL',
    'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  ].map((name) => [name, undefined]),
);

/** The documented GitHub Actions variables of a run of `workflowPath` (default: the certified one). */
export function githubActionsEnv(workflowPath: string = WORKFLOW.path): NodeJS.ProcessEnv {
  return {
    ...NO_CI_ENV,
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: WORKFLOW.repository,
    GITHUB_SHA: WORKFLOW.sha,
    GITHUB_REF: WORKFLOW.ref,
    GITHUB_WORKFLOW_REF: `${WORKFLOW.repository}/${workflowPath}@${WORKFLOW.ref}`,
    GITHUB_RUN_ID: WORKFLOW.runId,
  };
}

/** One verification, described once, run through the CLI (as flags) and the library (as options). */
export interface VerifySpec {
  /** A trusted_root.json path (`--trusted-root`); default the pinned public-good root. */
  trustedRoot?: string;
  /** A PEM public key path (`--key`). */
  key?: string;
  /** The Sigstore bundle path (`--bundle`); default `<file>.sigstore.json`. */
  bundle?: string;
  policy?: IdentityPolicy;
  requireTlog?: boolean;
  profile?: 'hardened' | 'compat';
}

const POLICY_FLAGS: [keyof IdentityPolicy, string][] = [
  ['certIdentity', '--cert-identity'],
  ['certIdentityRegexp', '--cert-identity-regexp'],
  ['certOidcIssuer', '--cert-oidc-issuer'],
  ['repo', '--repo'],
  ['signerWorkflow', '--signer-workflow'],
  ['sourceRef', '--source-ref'],
  ['sourceDigest', '--source-digest'],
];

/** The `verify`/`unpack`/`verify-blob` flags for `spec`. */
export function verifyArgs(spec: VerifySpec): string[] {
  const args: string[] = [];
  if (spec.trustedRoot !== undefined) args.push('--trusted-root', spec.trustedRoot);
  if (spec.key !== undefined) args.push('--key', spec.key);
  if (spec.bundle !== undefined) args.push('--bundle', spec.bundle);
  for (const [field, flag] of POLICY_FLAGS) {
    const value = spec.policy?.[field];
    if (typeof value === 'string') args.push(flag, value);
  }
  if (spec.policy?.denySelfHostedRunners === true) args.push('--deny-self-hosted-runners');
  if (spec.requireTlog === true) args.push('--require-tlog');
  if (spec.profile !== undefined) args.push('--profile', spec.profile);
  return args;
}

/** The library options for `spec`, reading the files it names as the CLI does. */
export async function verifyOptions(spec: VerifySpec): Promise<VerifyBundleOptions> {
  const options: VerifyBundleOptions = { policy: spec.policy ?? {} };
  if (spec.trustedRoot !== undefined) options.trustedRoot = JSON.parse(await readFile(spec.trustedRoot, 'utf8'));
  if (spec.key !== undefined) options.publicKey = await readFile(spec.key, 'utf8');
  if (spec.bundle !== undefined) options.sigstoreBundle = spec.bundle;
  if (spec.requireTlog !== undefined) options.requireTlog = spec.requireTlog;
  if (spec.profile !== undefined) options.profile = spec.profile;
  return options;
}

/** Awaits `promise`, which must reject with an MCPSealError, and returns that error. */
export async function rejection(promise: Promise<unknown>): Promise<MCPSealError> {
  const error = await promise.then(
    () => assert.fail('expected a rejection, but it succeeded'),
    (error: unknown) => error,
  );
  assert.ok(error instanceof MCPSealError, `expected an MCPSealError, got ${String(error)}`);
  return error;
}

/**
 * Offsets of the regions of a zip written by `packBundle` (no archive comment, no zip64):
 * the first local header and its data, the central directory, the end record (APPNOTE 4.3.6).
 */
export interface ZipRegions {
  firstLocalHeader: number;
  firstEntryData: number;
  centralDirectory: number;
  endRecord: number;
}

export function zipRegions(zip: Buffer): ZipRegions {
  const endRecord = zip.length - 22;
  assert.equal(zip.readUInt32LE(endRecord), 0x06054b50, 'an end record with no comment ends the file');
  return {
    firstLocalHeader: 0,
    // APPNOTE 4.3.7: 30 fixed bytes, then the name and the extra field.
    firstEntryData: 30 + zip.readUInt16LE(26) + zip.readUInt16LE(28),
    centralDirectory: zip.readUInt32LE(endRecord + 16),
    endRecord,
  };
}

/** A copy of `bytes` with the lowest bit of the byte at `offset` flipped. */
export function flipBit(bytes: Buffer, offset: number): Buffer {
  assert.ok(offset >= 0 && offset < bytes.length, `offset ${offset} lies outside ${bytes.length} bytes`);
  const copy = Buffer.from(bytes);
  copy[offset]! ^= 0x01;
  return copy;
}

/** Base64 text with the lowest bit of its byte at `offset` (negative: from the end) flipped. */
export function flipBase64(text: string, offset: number): string {
  const bytes = Buffer.from(text, 'base64');
  return flipBit(bytes, offset < 0 ? bytes.length + offset : offset).toString('base64');
}


/** A copy of `bytes` with `delta` added to the little-endian uint32 at `offset` (a zip field). */
export function addToUInt32(bytes: Buffer, offset: number, delta: number): Buffer {
  const copy = Buffer.from(bytes);
  copy.writeUInt32LE(copy.readUInt32LE(offset) + delta, offset);
  return copy;
}
