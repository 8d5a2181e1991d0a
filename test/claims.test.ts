// Issue 14 item 6: a workflow (or source) recorded in the predicate that no certificate confirms
// is the signer's say-so. With a key signature, or an email certificate, it is reported as
// claimed and not verified, in the data model (`claims.workflow = { claimed, verified: false,
// basis }`), in `verify --json` and in the text of verify and unpack, never beside the
// certificate's facts as if it had been checked. A GitHub Actions certificate that names the
// same workflow marks it verified.

import assert from 'node:assert/strict';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair, packBundle, signBundle, verifyBundle, type BuildContext } from '../lib/index.ts';
import { runCli, tempDir } from './helpers/cli.ts';
import { HARDENED_MANIFEST } from './helpers/manifest.ts';
import { githubActionsClaims, startSigstoreFakes, EMAIL_ISSUER, type SigstoreFakes } from './helpers/sigstore-fakes.ts';
import { GITHUB_SAN, WORKFLOW, keylessMethod } from './helpers/signing.ts';
import { writeTree } from './helpers/tree.ts';

/** A predicate that names a workflow and a source: what a keyed signer can write about any run. */
const CLAIMED: BuildContext = {
  source: { uri: `git+https://github.com/${WORKFLOW.repository}@${WORKFLOW.ref}`, commit: WORKFLOW.sha },
  workflow: { repository: `https://github.com/${WORKFLOW.repository}`, path: WORKFLOW.path, ref: WORKFLOW.ref },
};
const CLAIMED_WORKFLOW = `https://github.com/${WORKFLOW.repository}/${WORKFLOW.path}@${WORKFLOW.ref}`;

describe('issue 14 item 6: predicate claims no certificate confirms are "claimed, not verified"', function () {
  this.timeout(120_000);
  let tmp: { path: string; cleanup: () => Promise<void> };
  let fakes: SigstoreFakes;
  let keyed: string;
  let publicKey: string;
  let emailSigned: string;
  let githubSigned: string;

  before(async () => {
    tmp = await tempDir('mcpseal-claims-');
    fakes = await startSigstoreFakes();
    const src = join(tmp.path, 'src');
    await writeTree(src, { 'manifest.json': JSON.stringify(HARDENED_MANIFEST, null, 2), 'server/index.js': 'console.log("hi");\n' });
    keyed = join(tmp.path, 'keyed.mcpb');
    await packBundle(src, keyed);
    emailSigned = join(tmp.path, 'email.mcpb');
    githubSigned = join(tmp.path, 'github.mcpb');
    await Promise.all([copyFile(keyed, emailSigned), copyFile(keyed, githubSigned)]);
    const key = await generateKeyPair(join(tmp.path, 'k.key'), join(tmp.path, 'k.pub'));
    publicKey = key.publicKey;
    await signBundle(keyed, { method: { kind: 'key', privateKeyPem: await readFile(key.privateKey, 'utf8') }, build: CLAIMED });
    await signBundle(emailSigned, { method: keylessMethod(fakes, fakes.identityToken()), build: CLAIMED });
    await signBundle(githubSigned, { method: keylessMethod(fakes, fakes.identityToken(githubActionsClaims())), build: { ...CLAIMED, builderId: GITHUB_SAN } });
  });

  after(async () => {
    await fakes.close();
    await tmp.cleanup();
  });

  it('issue 14 item 6: a keyed signature whose predicate claims a workflow: claims.workflow is { claimed, verified: false } in the library', async () => {
    const result = await verifyBundle(keyed, { publicKey: await readFile(publicKey, 'utf8') });
    assert.equal(result.identity, null);
    assert.deepEqual(result.claims.workflow, { claimed: CLAIMED_WORKFLOW, verified: false, basis: 'signed with a key: no certificate confirms the workflow' });
    assert.equal(result.claims.source?.verified, false);
    assert.equal(result.claims.source?.claimed, `${CLAIMED.source!.uri} commit ${WORKFLOW.sha}`);
  });

  it('issue 14 item 6: verify prints the keyed predicate\'s workflow and source as "claimed, not verified" (text and --json)', async () => {
    const [text, json] = await Promise.all([runCli(['verify', keyed, '--key', publicKey]), runCli(['verify', keyed, '--key', publicKey, '--json'])]);
    assert.equal(text.status, 0, text.stderr);
    const lines = text.stdout.split('\n');
    assert.ok(lines.includes(`workflow:      ${CLAIMED_WORKFLOW} (claimed, not verified: signed with a key: no certificate confirms the workflow)`), text.stdout);
    assert.ok(lines.some((line) => line.startsWith('source:        git+https://github.com/owner/repo@') && line.includes('(claimed, not verified: ')), text.stdout);
    // No line shows the workflow without saying it is a claim.
    for (const line of lines.filter((l) => l.includes(WORKFLOW.path))) assert.match(line, /claimed, not verified/u, line);
    const document = JSON.parse(json.stdout) as { claims: { workflow: { claimed: string; verified: boolean }; source: { verified: boolean } } };
    assert.equal(document.claims.workflow.claimed, CLAIMED_WORKFLOW);
    assert.equal(document.claims.workflow.verified, false);
    assert.equal(document.claims.source.verified, false);
  });

  it('issue 14 item 6: unpack of the keyed bundle says the same', async () => {
    const out = join(tmp.path, 'out-keyed');
    const result = await runCli(['unpack', keyed, out, '--key', publicKey]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^workflow: +\S+ \(claimed, not verified: signed with a key/mu);
  });

  it('issue 14 item 6: an email certificate confirms no workflow: claimed, not verified', async () => {
    const args = ['verify', emailSigned, '--trusted-root', fakes.trustedRootPath, '--cert-identity', 'publisher@example.test', '--cert-oidc-issuer', EMAIL_ISSUER];
    const [text, json] = await Promise.all([runCli(args), runCli([...args, '--json'])]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^workflow: +\S+ \(claimed, not verified: the certificate \(publisher@example\.test\) carries no GitHub Actions workflow\)$/mu);
    const document = JSON.parse(json.stdout) as { claims: { workflow: { verified: boolean }; source: { verified: boolean } } };
    assert.equal(document.claims.workflow.verified, false);
    assert.equal(document.claims.source.verified, false);
  });

  it('issue 14 item 6: a GitHub Actions certificate naming the same workflow and commit marks both verified (no "claimed" line)', async () => {
    const args = ['verify', githubSigned, '--trusted-root', fakes.trustedRootPath, '--repo', WORKFLOW.repository];
    const [text, json] = await Promise.all([runCli(args), runCli([...args, '--json'])]);
    assert.equal(text.status, 0, text.stderr);
    assert.doesNotMatch(text.stdout, /claimed/u);
    assert.match(text.stdout, new RegExp(`^workflow: +${GITHUB_SAN.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')}$`, 'mu'), 'the certificate\'s workflow');
    const document = JSON.parse(json.stdout) as { claims: { workflow: { claimed: string; verified: boolean }; source: { verified: boolean } } };
    assert.deepEqual(document.claims.workflow, { claimed: CLAIMED_WORKFLOW, verified: true, basis: 'the certificate names this workflow' });
    assert.equal(document.claims.source.verified, true);
  });
});
