// Signed test bundles for the install tests: a source tree from HARDENED_MANIFEST with the name,
// version, scopes and user_config a case needs, packed and signed with a local P-256 key.

import { generateKeyPairSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packBundle, signBundle } from '../../lib/index.ts';
import { HARDENED_MANIFEST } from './manifest.ts';
import { writeTree } from './tree.ts';

export interface Signer {
  privateKeyPem: string;
  publicKeyPath: string;
}

/** A fresh P-256 key pair; the public half written to `dir/signer.pub` for `install --key`. */
export async function makeSigner(dir: string): Promise<Signer> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicKeyPath = join(dir, 'signer.pub');
  await writeFile(publicKeyPath, publicKey.export({ type: 'spki', format: 'pem' }));
  return { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKeyPath };
}

export interface BundleSpec {
  name?: string;
  version?: string;
  /** Replaces parts of the scopes block (per top-level key). */
  scopes?: Record<string, unknown>;
  userConfig?: Record<string, unknown>;
  args?: string[];
  env?: Record<string, string>;
  /** Extra files (name -> content). */
  files?: Record<string, string | Buffer>;
  /** Store entries uncompressed (level 0): a big bundle whose extraction takes a while. */
  level?: number;
}

/** Writes, packs and signs a bundle under `dir`; returns the .mcpb path (its sidecar beside it). */
export async function signedBundle(dir: string, signer: Signer | null, spec: BundleSpec = {}): Promise<string> {
  const manifest = structuredClone(HARDENED_MANIFEST) as Record<string, any>;
  manifest['name'] = spec.name ?? 'tree-test';
  manifest['version'] = spec.version ?? '1.0.0';
  const scopes = manifest['_meta']['dev.mcpseal']['scopes'] as Record<string, unknown>;
  Object.assign(scopes, spec.scopes ?? {});
  if (spec.userConfig) manifest['user_config'] = spec.userConfig;
  if (spec.args) manifest['server']['mcp_config']['args'] = spec.args;
  if (spec.env) manifest['server']['mcp_config']['env'] = spec.env;
  const source = join(dir, `${manifest['name']}-${manifest['version']}-${Math.random().toString(36).slice(2, 8)}`);
  await mkdir(source, { recursive: true });
  await writeTree(source, { 'manifest.json': JSON.stringify(manifest, null, 2), 'server/index.js': 'console.log("hi");\n', ...spec.files });
  const out = `${source}.mcpb`;
  await packBundle(source, out, { ...(spec.level === undefined ? {} : { level: spec.level }) });
  if (signer) await signBundle(out, { method: { kind: 'key', privateKeyPem: signer.privateKeyPem } });
  return out;
}
