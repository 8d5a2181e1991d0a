// Reading a server.json the user named: bounded (Limits.maxServerJsonSize), regular files only,
// then parsed. Its content is checked by checkServerJson; this only gets it into memory safely.

import { MCPSealError } from '../errors.ts';
import { readBoundedFile } from '../io.ts';
import { resolveLimits, type Limits } from '../limits.ts';

/**
 * The parsed document at `path`. A FIFO, a device or a link to one is refused before a byte is
 * read (IO_READ_FAILED); a file over the cap (REGISTRY_INVALID) is refused from its size, and
 * not-JSON is REGISTRY_INVALID too: the content is attacker-supplied input, the exit class 1.
 */
export async function readServerJson(path: string, options: { limits?: Partial<Limits> } = {}): Promise<unknown> {
  const max = resolveLimits(options.limits).maxServerJsonSize;
  const bytes = await readBoundedFile(path, {
    max,
    tooLarge: (size) => new MCPSealError('REGISTRY_INVALID', `${path} is ${size} bytes, over the server.json limit of ${max}`, { details: { path, limit: 'maxServerJsonSize', expected: max, found: size } }),
  });
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch (cause) {
    throw new MCPSealError('REGISTRY_INVALID', `${path} is not JSON (UTF-8): ${(cause as Error).message}`, { details: { path }, cause });
  }
}
