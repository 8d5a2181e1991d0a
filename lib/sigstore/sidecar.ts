// The Sigstore bundle that travels beside a `.mcpb` (`<file>.mcpb.sigstore.json`): where it is by
// convention, and reading it as the untrusted input it is (regular file, size checked first).

import { MCPSealError } from '../errors.ts';
import { readBoundedFile } from '../io.ts';

/** Where a bundle's Sigstore attestation lives by convention. */
export function sidecarPath(bundlePath: string): string {
  return `${bundlePath}.sigstore.json`;
}

/**
 * Reads a Sigstore bundle file of at most `max` bytes. A missing file is SIGNATURE_ABSENT (the
 * bundle is unsigned); one over the cap is SIGNATURE_MALFORMED; a FIFO, a device or a link to
 * one is refused before a byte is read (IO_READ_FAILED).
 */
export async function readSidecar(path: string, max: number): Promise<Buffer> {
  return readBoundedFile(path, {
    max,
    tooLarge: (size) => new MCPSealError('SIGNATURE_MALFORMED', `${path} is ${size} bytes (limit ${max})`, { details: { path, expected: max, found: size } }),
    missing: () => new MCPSealError('SIGNATURE_ABSENT', `no Sigstore bundle: ${path} does not exist`, { details: { path } }),
  });
}
