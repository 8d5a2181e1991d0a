// `mcpseal keygen`: an ECDSA P-256 key pair for keyed (offline) signing. The private key is
// written 0600 and never over an existing file.

import { generateKeyPairSync } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { ioError } from './io.ts';
import { MCPSealError } from './errors.ts';
import { keyHint } from './sigstore/keys.ts';

export interface KeyPairFiles {
  privateKey: string;
  publicKey: string;
  /** The hint verifiers see in bundles signed with this key. */
  hint: string;
}

export async function generateKeyPair(privatePath: string, publicPath: string): Promise<KeyPairFiles> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const publicPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  try {
    await writeFile(privatePath, privatePem, { flag: 'wx', mode: 0o600 });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new MCPSealError('IO_TARGET_EXISTS', `${privatePath} exists; mcpseal never overwrites a key`, { details: { path: privatePath }, cause });
    }
    throw ioError(cause, privatePath, 'write');
  }
  try {
    await writeFile(publicPath, publicPem, { flag: 'wx', mode: 0o644 });
  } catch (cause) {
    await rm(privatePath, { force: true });
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new MCPSealError('IO_TARGET_EXISTS', `${publicPath} exists; mcpseal never overwrites a key`, { details: { path: publicPath }, cause });
    }
    throw ioError(cause, publicPath, 'write');
  }
  return { privateKey: privatePath, publicKey: publicPath, hint: keyHint(publicKey) };
}
