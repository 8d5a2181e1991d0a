// Refreshes trust/trusted_root.json, the public-good Sigstore trusted root mcpseal pins by
// default, from the TUF seed shipped in the installed @sigstore/tuf package (no network), and
// records its sha256 in trust/trusted_root.json.sha256. Run after upgrading @sigstore/tuf:
//   node scripts/refresh-trusted-root.ts
// Review the diff before committing: this file decides which signatures verify.

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const seedsPath = require.resolve('@sigstore/tuf/seeds.json');
const seeds = JSON.parse(readFileSync(seedsPath, 'utf8')) as Record<string, { targets: Record<string, string> }>;
const seed = seeds['https://tuf-repo-cdn.sigstore.dev'];
const encoded = seed?.targets['trusted_root.json'];
if (!encoded) throw new Error(`no trusted_root.json in ${seedsPath}`);
const bytes = Buffer.from(encoded, 'base64');
JSON.parse(bytes.toString('utf8'));
const digest = createHash('sha256').update(bytes).digest('hex');
const out = fileURLToPath(new URL('../trust/', import.meta.url));
writeFileSync(`${out}trusted_root.json`, bytes);
writeFileSync(`${out}trusted_root.json.sha256`, `${digest}  trusted_root.json\n`);
const version = (JSON.parse(readFileSync(require.resolve('@sigstore/tuf/package.json'), 'utf8')) as { version: string }).version;
process.stdout.write(`trust/trusted_root.json from @sigstore/tuf ${version}: sha256 ${digest}\n`);
