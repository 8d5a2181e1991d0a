// Path building over the certificates of a legacy block is bounded: the block is the attacker's,
// and certificates that all issue each other make a depth-first search exponential.

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCertificate } from '../lib/legacy/certificate.ts';
import { buildChain, isChainFailure } from '../lib/legacy/chain.ts';
import { parseDer } from '../lib/legacy/der.ts';
import { tempDir } from './helpers/cli.ts';
import { tool } from './helpers/tree.ts';

const CA_EXTENSIONS = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nextendedKeyUsage=codeSigning\n';

describe('legacy certificate paths: bounded search', function () {
  this.timeout(60_000);

  it('twelve certificates of one name under one key (each issues every other) get no chain, at once', async () => {
    const tmp = await tempDir();
    try {
      const at = (name: string): string => join(tmp.path, name);
      tool('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', at('k.pem')]);
      tool('openssl', ['req', '-new', '-key', at('k.pem'), '-subj', '/CN=loop', '-out', at('r.csr')]);
      writeFileSync(at('ext'), CA_EXTENSIONS);
      const certificates = Array.from({ length: 12 }, (_, i) => {
        tool('openssl', ['x509', '-req', '-in', at('r.csr'), '-signkey', at('k.pem'), '-set_serial', String(i + 1), '-days', '30', '-extfile', at('ext'), '-out', at(`c${i}.pem`)]);
        return parseCertificate(parseDer(new X509Certificate(readFileSync(at(`c${i}.pem`))).raw, 'certificate'));
      });
      tool('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('a.key'), '-out', at('anchor.pem'), '-subj', '/CN=anchor', '-days', '30']);
      const anchor = new X509Certificate(readFileSync(at('anchor.pem')));
      // Unbounded, this search tries every ordering of up to seven of the twelve (hours of
      // signature checks); the mocha timeout would stop it long before.
      const result = buildChain(certificates[0]!, certificates.slice(1), [anchor], new Date());
      assert.ok(isChainFailure(result), 'no chain reaches the anchor');
      assert.equal(result.code, 'LEGACY_UNTRUSTED');
      assert.match(result.reason, /within \d+ issuer candidates/u);
    } finally {
      await tmp.cleanup();
    }
  });
});
