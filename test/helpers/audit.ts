// Builders for the audit tests: planted-problem bundles (a manifest and files, signed or not),
// stand-ins for the analysis layer's evidence functions, and a key-signed world to verify against.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ANALYSIS_CHECKERS } from '../../lib/audit-bundle.ts';
import type { AuditCheckers } from '../../lib/audit/facts.ts';
import { generateKeyPair, signBundle } from '../../lib/index.ts';
import { HARDENED_MANIFEST } from './manifest.ts';
import { buildZip, STORED } from './zip-builder.ts';

export type Manifest = Record<string, unknown> & typeof HARDENED_MANIFEST;

/** The clean manifest: declared tools with plain descriptions, scopes that match server/index.js. */
export function cleanManifest(): Manifest {
  const manifest = structuredClone(HARDENED_MANIFEST) as Manifest;
  manifest.name = 'acme-notes';
  manifest.tools = [
    { name: 'list_notes', description: 'Lists the notes in the bundle.' },
    { name: 'read_note', description: 'Returns one note by its title.' },
  ];
  return manifest;
}

export const CLEAN_SERVER = 'const notes = ["a", "b"];\nconsole.log(notes.length);\n';

/** The analysis layer's real checkers (checkToolText, checkDependencies, lookalikeOf), as the CLI passes them. */
export const CHECKERS: AuditCheckers = ANALYSIS_CHECKERS;

export interface KeyWorld {
  dir: string;
  publisher: { privateKey: string; publicKey: string; publicKeyPath: string };
  stranger: { privateKey: string; publicKey: string };
}

export async function keyWorld(dir: string): Promise<KeyWorld> {
  const pair = async (name: string): Promise<{ privateKey: string; publicKey: string; publicKeyPath: string }> => {
    const keys = await generateKeyPair(join(dir, `${name}.key`), join(dir, `${name}.pub`));
    return { privateKey: await readFile(keys.privateKey, 'utf8'), publicKey: await readFile(keys.publicKey, 'utf8'), publicKeyPath: keys.publicKey };
  };
  return { dir, publisher: await pair('publisher'), stranger: await pair('stranger') };
}

let counter = 0;

/** Writes a bundle of `manifest` and `files` (server/index.js defaults to CLEAN_SERVER; files over 1 MiB stored, not deflated, to keep tests fast), signed with `key` when given. */
export async function plantBundle(dir: string, manifest: Record<string, unknown>, files: Record<string, string | Buffer> = {}, key?: string): Promise<string> {
  const all: Record<string, string | Buffer> = { 'server/index.js': CLEAN_SERVER, ...files };
  const entries = [{ name: 'manifest.json', data: JSON.stringify(manifest) }, ...Object.entries(all).sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, data]) => ({ name, data, ...(data.length > 1024 * 1024 ? { method: STORED } : {}) }))];
  await mkdir(join(dir, 'bundles'), { recursive: true });
  const path = join(dir, 'bundles', `b${++counter}.mcpb`);
  await writeFile(path, buildZip(entries));
  if (key !== undefined) await signBundle(path, { method: { kind: 'key', privateKeyPem: key } });
  return path;
}

/** A policy file naming the publisher's key for `bundles`. */
export async function writePolicy(world: KeyWorld, extra: { bundles?: string[]; denyNames?: string[] } = {}): Promise<string> {
  const path = join(world.dir, `policy-${++counter}.json`);
  await writeFile(
    path,
    JSON.stringify({
      version: 1,
      publishers: [{ name: 'acme', bundles: extra.bundles ?? ['*'], key: world.publisher.publicKeyPath }],
      allowUnsigned: false,
      serverTypes: ['node', 'python', 'uv', 'binary'],
      maxScopes: {
        filesystem: { read: ['${__dirname}'], write: ['${user_config.*}'], roots: 'none', cwd: 'none' },
        network: { egress: ['*.acme.com:443', 'mybucket.s3.amazonaws.com:443'], listen: false, userDriven: false },
        process: { spawn: ['git'], workers: false, native_addons: false },
        env: { read: ['*'], secrets: ['*'] },
      },
      deny: { names: extra.denyNames ?? [], sha256: [] },
    }),
  );
  return path;
}
