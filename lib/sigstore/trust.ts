// Trust material: the Sigstore trusted root (the pinned public-good one by default, or a file
// the caller names) and, for keyed signatures, the publisher's public key.

import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial, type TrustMaterial } from '@sigstore/verify';
import { ioError } from '../io.ts';
import { MCPSealError } from '../errors.ts';
import { keyHint } from './keys.ts';

/** The pinned public-good trusted root shipped in the package (from the @sigstore/tuf seed). */
export const PINNED_TRUSTED_ROOT = new URL('../../trust/trusted_root.json', import.meta.url);
const PINNED_DIGEST = new URL('../../trust/trusted_root.json.sha256', import.meta.url);

/** Largest trusted root accepted: the public-good one is about 7 KB. */
const MAX_TRUSTED_ROOT = 1024 * 1024;

export interface TrustOptions {
  /** A trusted root JSON document (already parsed); default: the pinned public-good root. */
  trustedRoot?: unknown;
  /** A PEM public key: the signature must be by this key (keyed signing). */
  publicKey?: string;
}

/** Reads a trusted root file (JSON); a missing or unreadable file is TRUST_ROOT_UNAVAILABLE. */
export async function readTrustedRoot(path: string | URL): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    const io = ioError(cause, String(path), 'read');
    throw new MCPSealError('TRUST_ROOT_UNAVAILABLE', `cannot read the trusted root: ${io.message}`, { details: { path: String(path) }, cause });
  }
  if (bytes.length > MAX_TRUSTED_ROOT) throw new MCPSealError('TRUST_ROOT_INVALID', `the trusted root is larger than ${MAX_TRUSTED_ROOT} bytes`);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new MCPSealError('TRUST_ROOT_INVALID', 'the trusted root is not JSON', { details: { path: String(path) }, cause });
  }
}

/** The pinned root, checked against its recorded sha256 so a modified install cannot widen trust silently. */
export async function readPinnedTrustedRoot(): Promise<unknown> {
  const [bytes, pin] = await Promise.all([readFile(PINNED_TRUSTED_ROOT), readFile(PINNED_DIGEST, 'utf8')]).catch((cause: unknown) => {
    throw new MCPSealError('TRUST_ROOT_UNAVAILABLE', 'the pinned trusted root is missing from this installation', { cause });
  });
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (pin.split(/\s+/u)[0] !== digest) {
    throw new MCPSealError('TRUST_ROOT_INVALID', 'the pinned trusted root does not match its recorded sha256', { details: { expected: pin.trim(), found: digest } });
  }
  return JSON.parse(bytes.toString('utf8'));
}

/**
 * Checks a trusted root document and turns it into trust material. Every authority must state
 * when it became valid: sigstore-js treats a missing `validFor.start` as the beginning of time,
 * which would make a log key trusted for signatures made before it existed.
 */
export function trustMaterialFrom(document: unknown, publicKeyPem?: string): TrustMaterial {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new MCPSealError('TRUST_ROOT_INVALID', 'the trusted root is not a JSON object');
  }
  const record = document as Record<string, unknown>;
  const groups: [string, string][] = [
    ['tlogs', 'publicKey'],
    ['ctlogs', 'publicKey'],
    ['certificateAuthorities', ''],
    ['timestampAuthorities', ''],
  ];
  for (const [group, inner] of groups) {
    const items = record[group] ?? [];
    if (!Array.isArray(items)) throw new MCPSealError('TRUST_ROOT_INVALID', `trusted root field ${group} is not a list`);
    items.forEach((item: unknown, index) => {
      const holder = inner ? (item as Record<string, unknown> | null)?.[inner] : item;
      const validFor = (holder as Record<string, unknown> | null | undefined)?.['validFor'] as Record<string, unknown> | undefined;
      if (typeof validFor?.['start'] !== 'string') {
        throw new MCPSealError('TRUST_ROOT_INVALID', `trusted root ${group}[${index}] has no validFor.start`, { details: { path: `${group}/${index}` } });
      }
    });
  }
  let root: TrustedRoot;
  try {
    root = TrustedRoot.fromJSON(document);
  } catch (cause) {
    throw new MCPSealError('TRUST_ROOT_INVALID', `the trusted root cannot be parsed: ${(cause as Error).message}`, { cause });
  }
  let key: KeyObject | null = null;
  if (publicKeyPem !== undefined) {
    try {
      key = createPublicKey(publicKeyPem);
    } catch (cause) {
      // The key is trust material: one that cannot be used is a trust root problem, not a bad signature.
      throw new MCPSealError('TRUST_ROOT_INVALID', 'the public key is not a usable PEM public key', { cause });
    }
  }
  try {
    return toTrustMaterial(root, (hint: string) => {
      // Keyed verification: whatever hint the bundle names, only the configured key counts.
      if (!key) throw new MCPSealError('SIGNATURE_UNTRUSTED', `the bundle is signed by a key ("${hint}") and no --key was given`);
      return { publicKey: key, validFor: () => true };
    });
  } catch (cause) {
    if (cause instanceof MCPSealError) throw cause;
    throw new MCPSealError('TRUST_ROOT_INVALID', `the trusted root cannot be used: ${(cause as Error).message}`, { cause });
  }
}

/** The hint of a PEM public key, or undefined when it does not parse (trustMaterialFrom reports that). */
export function publicKeyHint(pem: string): string | undefined {
  try {
    return keyHint(createPublicKey(pem));
  } catch {
    return undefined;
  }
}

/** An empty trusted root, for keyed verification with no Sigstore authorities at all. */
export const EMPTY_TRUSTED_ROOT = {
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: [],
};
