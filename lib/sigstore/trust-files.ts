// The file-system edge of the trust material: the pinned public-good trusted root shipped in the
// package (the default TrustRootProvider) and trusted roots named by the user, read as bounded
// regular files.

import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { MCPSealError } from '../errors.ts';
import { readBoundedFile } from '../io.ts';
import { defaultLimits } from '../limits.ts';
import { parseTrustedRoot, type TrustRootProvider } from './trust.ts';

/** The pinned public-good trusted root shipped in the package (from the @sigstore/tuf seed). */
export const PINNED_TRUSTED_ROOT = new URL('../../trust/trusted_root.json', import.meta.url);
const PINNED_DIGEST = new URL('../../trust/trusted_root.json.sha256', import.meta.url);

/** Reads a trusted root file (JSON); a missing or unreadable file is TRUST_ROOT_UNAVAILABLE. */
export async function readTrustedRoot(path: string | URL, max: number = defaultLimits.maxTrustedRootSize): Promise<unknown> {
  const name = path instanceof URL ? fileURLToPath(path) : path;
  let bytes: Buffer;
  try {
    bytes = await readBoundedFile(name, {
      max,
      tooLarge: (size) => new MCPSealError('TRUST_ROOT_INVALID', `the trusted root is larger than ${max} bytes`, { details: { path: name, expected: max, found: size } }),
    });
  } catch (cause) {
    if (cause instanceof MCPSealError && cause.code === 'TRUST_ROOT_INVALID') throw cause;
    throw new MCPSealError('TRUST_ROOT_UNAVAILABLE', `cannot read the trusted root: ${(cause as Error).message}`, { details: { path: name }, cause });
  }
  return parseTrustedRoot(bytes, max);
}

/** The pinned root, checked against its recorded sha256 so a modified install cannot widen trust silently. */
export async function readPinnedTrustedRoot(max: number = defaultLimits.maxTrustedRootSize): Promise<unknown> {
  const read = (url: URL, cap: number): Promise<Buffer> =>
    readBoundedFile(fileURLToPath(url), { max: cap, tooLarge: (size) => new MCPSealError('TRUST_ROOT_INVALID', `${fileURLToPath(url)} is ${size} bytes (limit ${cap})`) });
  const [bytes, pin] = await Promise.all([read(PINNED_TRUSTED_ROOT, max), read(PINNED_DIGEST, 1024)]).catch((cause: unknown) => {
    throw new MCPSealError('TRUST_ROOT_UNAVAILABLE', 'the pinned trusted root is missing from this installation', { cause });
  });
  const digest = createHash('sha256').update(bytes).digest('hex');
  const recorded = pin.toString('utf8').trim();
  if (recorded.split(/\s+/u)[0] !== digest) {
    throw new MCPSealError('TRUST_ROOT_INVALID', 'the pinned trusted root does not match its recorded sha256', { details: { expected: recorded, found: digest } });
  }
  return parseTrustedRoot(bytes, max, 'the pinned trusted root');
}

/** The default provider: the pinned public-good root. */
export const pinnedTrustRoot: TrustRootProvider = { trustedRoot: () => readPinnedTrustedRoot() };

/** A provider that reads a trusted root file when asked. */
export function fileTrustRoot(path: string, max: number = defaultLimits.maxTrustedRootSize): TrustRootProvider {
  return { trustedRoot: () => readTrustedRoot(path, max) };
}
