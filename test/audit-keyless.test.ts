// The audit's name checks that need a keyless (GitHub Actions) signer, through the loopback
// Sigstore fakes: the registry namespace against the certificate's repository owner, and the
// bundle name against the repository (risk 9).

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { auditPath } from '../lib/audit-bundle.ts';
import type { AuditReport } from '../lib/audit/model.ts';
import { signBundle } from '../lib/index.ts';
import { cleanManifest, plantBundle, CHECKERS } from './helpers/audit.ts';
import { tempDir } from './helpers/cli.ts';
import { keylessMethod } from './helpers/signing.ts';
import { githubActionsClaims, startSigstoreFakes, type SigstoreFakes } from './helpers/sigstore-fakes.ts';

describe('audit: risk 9 with a keyless signer', function () {
  this.timeout(120_000);
  let fakes: SigstoreFakes;
  let dir: string;
  let cleanup: () => Promise<void>;

  before(async () => {
    fakes = await startSigstoreFakes();
    const tmp = await tempDir('mcpseal-audit-keyless-');
    dir = tmp.path;
    cleanup = tmp.cleanup;
  });
  after(async () => {
    await fakes.close();
    await cleanup();
  });

  async function signedBy(repository: string, name: string): Promise<string> {
    const manifest = cleanManifest();
    manifest.name = name;
    const path = await plantBundle(dir, manifest);
    await signBundle(path, { method: keylessMethod(fakes, fakes.identityToken(githubActionsClaims({ repository }))) });
    return path;
  }

  async function audit(path: string, repository: string, serverName?: string): Promise<AuditReport> {
    let serverJson: string | undefined;
    if (serverName !== undefined) {
      const sha256 = createHash('sha256').update(await readFile(path)).digest('hex');
      serverJson = join(dir, `${sha256.slice(0, 12)}.server.json`);
      const pkg = { registryType: 'mcpb', identifier: 'https://github.com/x/y/releases/download/v1/b.mcpb', version: '1.0.0', fileSha256: sha256, transport: { type: 'stdio' } };
      await writeFile(serverJson, JSON.stringify({ name: serverName, description: 'Notes', version: '1.0.0', packages: [pkg] }));
    }
    return auditPath(path, { trustedRoot: fakes.trustedRoot, identity: { repo: repository }, checkers: CHECKERS, ...(serverJson ? { serverJson } : {}) });
  }

  const risk9 = (report: AuditReport): { status: string; codes: string[] } => {
    const risk = report.risks.find((entry) => entry.id === 9)!;
    return { status: risk.status, codes: risk.findings.map((item) => item.code) };
  };

  it('AUDIT_NAMESPACE_MISMATCH: io.github.evil/... for a bundle signed by acme/notes fails risk 9', async () => {
    const path = await signedBy('acme/notes', 'acme-notes');
    const report = await audit(path, 'acme/notes', 'io.github.evil/notes');
    assert.deepEqual(risk9(report), { status: 'fail', codes: ['AUDIT_NAMESPACE_MISMATCH'] });
    assert.equal(report.subject.signature?.sourceRepository, 'https://github.com/acme/notes');
  });

  it('the owner\'s own namespace binds: risk 9 passes', async () => {
    const path = await signedBy('acme/notes', 'acme-notes');
    assert.deepEqual(risk9(await audit(path, 'acme/notes', 'io.github.ACME/notes')), { status: 'pass', codes: [] });
  });

  it('AUDIT_NAME_REPOSITORY_MISMATCH: a name sharing no word with the signer\'s repository warns risk 9', async () => {
    const path = await signedBy('someone/tools', 'acme-notes');
    assert.deepEqual(risk9(await audit(path, 'someone/tools')), { status: 'warn', codes: ['AUDIT_NAME_REPOSITORY_MISMATCH'] });
  });
});
