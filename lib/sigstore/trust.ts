// Trust material: a Sigstore trusted root (from a TrustRootProvider: the pinned public-good one by
// default, see trust-files.ts) and, for keyed signatures, the publisher's public key. No I/O here:
// documents come in as values, material goes out.

import { createPublicKey, type KeyObject } from 'node:crypto';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial, type TrustMaterial } from '@sigstore/verify';
import { MCPSealError } from '../errors.ts';
import { keyHint } from './keys.ts';

/**
 * Where a trusted root comes from (a pinned file, a TUF client, a private Sigstore's
 * distribution). Asked only when a signature is to be verified.
 */
export interface TrustRootProvider {
  /** The trusted root document (parsed JSON); a failure should be TRUST_ROOT_UNAVAILABLE. */
  trustedRoot(): Promise<unknown>;
}

/** A provider of a document the caller already holds. */
export function staticTrustRoot(document: unknown): TrustRootProvider {
  return { trustedRoot: async () => document };
}

/** Parses trusted root bytes of at most `max` bytes (TRUST_ROOT_INVALID otherwise). */
export function parseTrustedRoot(bytes: Buffer, max: number, source = 'the trusted root'): unknown {
  if (bytes.length > max) {
    throw new MCPSealError('TRUST_ROOT_INVALID', `${source} is larger than ${max} bytes`, { details: { expected: max, found: bytes.length } });
  }
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new MCPSealError('TRUST_ROOT_INVALID', `${source} is not JSON`, { cause });
  }
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
