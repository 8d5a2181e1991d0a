// Using mcpseal as a library: what a publisher's release script and an installer do, end to end,
// offline. Run it with `npm run build && node examples/library.ts` (test/examples.test.ts runs it too).

import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MCPSealError, packBundle, signBundle, unpackBundle, validateManifest, verifyBundle } from '../dist/index.js';

const source = fileURLToPath(new URL('hello-bundle', import.meta.url));
const work = await mkdtemp(join(tmpdir(), 'mcpseal-library-'));
try {
  // Publisher: validate, pack reproducibly, sign offline with a P-256 key.
  const manifest = JSON.parse(await readFile(join(source, 'manifest.json'), 'utf8')) as unknown;
  const { valid, findings } = validateManifest(manifest);
  if (!valid) throw new Error(`manifest: ${findings.map((finding) => finding.code).join(', ')}`);

  const bundle = join(work, 'hello.mcpb');
  const packed = await packBundle(source, bundle, { sourceDateEpoch: 1700000000 });
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await signBundle(bundle, { method: { kind: 'key', privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() } });
  console.log(`packed and signed ${bundle} (sha256 ${packed.sha256})`);

  // Installer: verify before extraction, show what will run, then extract in one checked pass.
  const publisherKey = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const verified = await verifyBundle(bundle, { publicKey: publisherKey });
  console.log(`verified: ${verified.manifest.name} ${verified.manifest.version}, runs: ${verified.manifest.commandLine?.join(' ')}`);
  const unpacked = await unpackBundle(bundle, join(work, 'installed'), { publicKey: publisherKey });
  console.log(`extracted ${unpacked.files} files to ${unpacked.target}`);

  // A tampered bundle (one byte of manifest.json's compressed data) is refused, nothing extracted.
  const bytes = await readFile(bundle);
  bytes[100] = bytes[100]! ^ 0xff;
  await writeFile(bundle, bytes);
  try {
    await unpackBundle(bundle, join(work, 'tampered'), { publicKey: publisherKey });
    throw new Error('a tampered bundle was extracted');
  } catch (error) {
    if (!(error instanceof MCPSealError)) throw error;
    console.log(`tampered bundle refused: ${error.code}`);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
