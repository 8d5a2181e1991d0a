// The verification flags shared by `verify`, `verify-blob` and `unpack`.

import { createPrivateKey } from 'node:crypto';
import { MCPSealError } from '../errors.ts';
import { readBoundedFile } from '../io.ts';
import type { Profile } from '../scopes/validate.ts';
import type { IdentityPolicy } from '../sigstore/identity.ts';
import type { Parsed } from './args.ts';

export const VERIFY_OPTIONS = {
  bundle: { type: 'string' },
  'trusted-root': { type: 'string' },
  key: { type: 'string' },
  tuf: { type: 'boolean' },
  'cert-identity': { type: 'string' },
  'cert-identity-regexp': { type: 'string' },
  'cert-oidc-issuer': { type: 'string' },
  repo: { type: 'string' },
  'signer-workflow': { type: 'string' },
  'source-ref': { type: 'string' },
  'source-digest': { type: 'string' },
  'deny-self-hosted-runners': { type: 'boolean' },
  'require-tlog': { type: 'boolean' },
  profile: { type: 'string' },
  'legacy-ca': { type: 'string', multiple: true },
} as const;

export const VERIFY_HELP = `Trust (default: the public-good Sigstore trusted root pinned in mcpseal):
  --bundle PATH              the Sigstore bundle (default: <file>.sigstore.json)
  --trusted-root FILE        a trusted_root.json to use instead (private Sigstore, tests)
  --tuf                      fetch the current public-good root over TUF first (online)
  --key PEM                  the signer's public key (keyed signatures)
  --require-tlog             require a transparency log entry (always for certificates)

Identity policy (required for keyless signatures; every flag given must hold; it must name a
signer: --repo, or --cert-identity / --cert-identity-regexp with --cert-oidc-issuer):
  --cert-identity ID         the exact certificate identity (email or workflow URI)
  --cert-identity-regexp RE  a pattern for the whole identity (always anchored: ^(?:RE)$)
  --cert-oidc-issuer URL     the exact OIDC issuer, e.g. https://token.actions.githubusercontent.com
  --repo OWNER/NAME          the GitHub source repository
  --signer-workflow W        OWNER/NAME/.github/workflows/FILE.yml (or .github/workflows/FILE.yml
                             in --repo); narrows a policy, never enough alone
  --source-ref REF           the exact source ref, e.g. refs/tags/v1.0.0
  --source-digest SHA        the exact source commit
  --deny-self-hosted-runners refuse certificates issued to self-hosted runners

Legacy MCPB_SIG_V1 blocks (reported beside the Sigstore result; never enough alone):
  --legacy-ca PEM            a trust anchor for the block's certificate chain (repeatable;
                             default: the system store)`;

export interface VerifyFlags {
  sigstoreBundle?: string;
  trustedRoot?: unknown;
  publicKey?: string;
  policy: IdentityPolicy;
  requireTlog?: boolean;
  profile?: Profile;
  legacy?: { anchors: string[] };
}

function text(values: Parsed['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** Reads the verification flags (and the files they name) into library options. */
export async function verifyFlags(values: Parsed['values']): Promise<VerifyFlags> {
  if (text(values, 'cert-identity') !== undefined && text(values, 'cert-identity-regexp') !== undefined) {
    throw new MCPSealError('USAGE_INVALID_ARGUMENT', 'give --cert-identity or --cert-identity-regexp, not both');
  }
  const profile = text(values, 'profile');
  if (profile !== undefined && profile !== 'hardened' && profile !== 'compat') throw new MCPSealError('USAGE_INVALID_ARGUMENT', '--profile must be hardened or compat');
  const policy: IdentityPolicy = {};
  const fields: [string, keyof IdentityPolicy][] = [
    ['cert-identity', 'certIdentity'],
    ['cert-identity-regexp', 'certIdentityRegexp'],
    ['cert-oidc-issuer', 'certOidcIssuer'],
    ['repo', 'repo'],
    ['signer-workflow', 'signerWorkflow'],
    ['source-ref', 'sourceRef'],
    ['source-digest', 'sourceDigest'],
  ];
  for (const [flag, key] of fields) {
    const value = text(values, flag);
    if (value !== undefined) (policy as Record<string, string>)[key] = value;
  }
  if (policy.repo !== undefined && !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/u.test(policy.repo)) {
    throw new MCPSealError('USAGE_INVALID_ARGUMENT', '--repo must be OWNER/NAME');
  }
  if (values['deny-self-hosted-runners'] === true) policy.denySelfHostedRunners = true;

  const flags: VerifyFlags = { policy };
  const bundle = text(values, 'bundle');
  if (bundle !== undefined) flags.sigstoreBundle = bundle;
  const rootPath = text(values, 'trusted-root');
  if (rootPath !== undefined && values['tuf'] === true) throw new MCPSealError('USAGE_INVALID_ARGUMENT', 'give --trusted-root or --tuf, not both');
  if (rootPath !== undefined) {
    const { readTrustedRoot } = await import('../sigstore/trust-files.ts');
    flags.trustedRoot = await readTrustedRoot(rootPath);
  }
  if (values['tuf'] === true) flags.trustedRoot = await fetchTufRoot();
  const key = text(values, 'key');
  if (key !== undefined) {
    flags.publicKey = refusePrivateKey(await readPemFile(key), key);
  }
  if (values['require-tlog'] === true) flags.requireTlog = true;
  const legacy = await legacyAnchors(values);
  if (legacy) flags.legacy = legacy;
  if (profile !== undefined) flags.profile = profile;
  return flags;
}

/**
 * The --key of a verifier must be a public key. node derives the public half of a private key
 * silently (createPublicKey), so a private key would verify, and the user would be handling a
 * secret where a public file belongs: refused, by its PEM label or because it parses as one.
 */
function refusePrivateKey(pem: string, path: string): string {
  // Every PEM label OpenSSL reads a private key from ends in "PRIVATE KEY" (PKCS#8, its encrypted
  // form, PKCS#1, SEC 1, DSA, OpenSSH): text without those words holds none, and is not parsed for
  // one (the failed parse of a public key threw, ~1 ms of a 0.1 s verify).
  if (!pem.includes('PRIVATE KEY')) return pem;
  let parsesAsPrivate = false;
  try {
    createPrivateKey(pem);
    parsesAsPrivate = true;
  } catch {
    // Not a private key (a public key, a certificate, or not a key at all: the verifier says which).
  }
  if (parsesAsPrivate || /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/u.test(pem)) {
    throw new MCPSealError('USAGE_KEY_NOT_PUBLIC', `${path} holds a private key; --key takes the signer's PUBLIC key (the .pub file mcpseal keygen writes). Keep the private key secret`, {
      details: { path },
    });
  }
  return pem;
}

/** Largest key or certificate file read (a CA bundle is a few hundred kilobytes). */
const MAX_PEM_FILE = 4 * 1024 * 1024;

/**
 * Reads a PEM file the user named (a key, a certificate, trust anchors): a regular file of
 * bounded size, so a path to /dev/zero or a FIFO fails at once instead of filling memory or
 * hanging (issue 9, finding 9).
 */
export async function readPemFile(path: string): Promise<string> {
  const bytes = await readBoundedFile(path, {
    max: MAX_PEM_FILE,
    tooLarge: (size) => new MCPSealError('IO_READ_FAILED', `${path} is ${size} bytes, too large for a key or certificate file (limit ${MAX_PEM_FILE})`, { details: { path, found: size } }),
  });
  return bytes.toString('utf8');
}

/** Reads the --legacy-ca files (PEM); undefined when none was given. */
export async function legacyAnchors(values: Parsed['values']): Promise<{ anchors: string[] } | undefined> {
  const paths = values['legacy-ca'] as unknown as string[] | undefined;
  if (!paths || paths.length === 0) return undefined;
  const anchors: string[] = [];
  for (const path of paths) anchors.push(await readPemFile(path));
  return { anchors };
}

/** The current public-good trusted root over TUF (online; @sigstore/tuf verifies the TUF metadata). */
async function fetchTufRoot(): Promise<unknown> {
  try {
    const [{ getTrustedRoot }, { TrustedRoot }] = await Promise.all([import('@sigstore/tuf'), import('@sigstore/protobuf-specs')]);
    return TrustedRoot.toJSON(await getTrustedRoot());
  } catch (cause) {
    throw new MCPSealError('TRUST_ROOT_UNAVAILABLE', `cannot refresh the trusted root over TUF: ${(cause as Error).message}`, { cause });
  }
}
