// The offline cases of the public Sigstore conformance suite (test/fixtures/sigstore-conformance,
// see its SOURCE.md), run through mcpseal's own verification code in both artifact modes: the
// file's bytes, and its sha256 alone (`verify-blob sha256:<hex>`).

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MCPSealError, verifyArtifact } from '../lib/index.ts';
import { ROOT } from './helpers/cli.ts';

const BASE = join(ROOT, 'test/fixtures/sigstore-conformance');
const CASES = join(BASE, 'bundle-verify');
const PRODUCTION_ROOT = JSON.parse(readFileSync(join(BASE, 'production-trusted_root.json'), 'utf8')) as unknown;
const DEFAULT_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';

function optional(dir: string, name: string): string | undefined {
  const path = join(dir, name);
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

const names = readdirSync(CASES).filter((name) => existsSync(join(CASES, name, 'bundle.sigstore.json')));

describe('Sigstore conformance (offline bundle-verify cases)', () => {
  it('has all 70 cases', () => {
    assert.equal(names.length, 70);
  });

  for (const name of names) {
    const dir = join(CASES, name);
    const shouldFail = name.endsWith('_fail');
    for (const mode of ['path', 'digest'] as const) {
      it(`${name} (${mode}) ${shouldFail ? 'is refused' : 'verifies'}`, async () => {
        const artifact = readFileSync(existsSync(join(dir, 'artifact')) ? join(dir, 'artifact') : join(CASES, 'a.txt'));
        const sha256 = createHash('sha256').update(artifact).digest('hex');
        const rootText = optional(dir, 'trusted_root.json');
        const key = optional(dir, 'key.pub');
        const attempt = verifyArtifact({
          artifact: mode === 'path' ? artifact : `sha256:${sha256}`,
          bundle: readFileSync(join(dir, 'bundle.sigstore.json')),
          trustedRoot: rootText === undefined ? PRODUCTION_ROOT : (JSON.parse(rootText) as unknown),
          ...(key === undefined ? {} : { publicKey: key }),
          policy:
            key === undefined
              ? { certIdentity: optional(dir, 'identity')?.trim() ?? DEFAULT_IDENTITY, certOidcIssuer: optional(dir, 'issuer')?.trim() ?? DEFAULT_ISSUER }
              : {},
        });
        if (shouldFail) {
          await assert.rejects(attempt, (error: unknown) => error instanceof MCPSealError && /^(SIGNATURE|ATTESTATION|IDENTITY|TRUST_ROOT)_/u.test(error.code));
        } else {
          const result = await attempt;
          assert.equal(result.artifactSha256, sha256);
        }
      });
    }
  }
});
