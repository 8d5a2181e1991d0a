// Legacy MCPB_SIG_V1 signatures (issue 5): bundles signed by the official `mcpb sign` verify with
// distinct statuses; any changed byte is caught; hostile framings are refused by the archive
// reader; our own signatures open in strict readers (unzip -t, yauzl, mcpb unpack and info) and
// verify, including in an independent CMS implementation (openssl cms).

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFile, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Archive, bufferSource, generateKeyPair, isMCPSealError, packBundle, readLegacyBlock, signBundle, signLegacy, verifyBundle, verifyLegacySignature } from '../lib/index.ts';
import type { LegacyVerification } from '../lib/index.ts';
import { tempDir } from './helpers/cli.ts';
import { AKI_OID_DER, asDxtBlock, blockParts, extensionValueRange, makeTestPki, mcpb, yauzlReadAll, type TestPki } from './helpers/legacy.ts';
import { noise, tool, writeTree } from './helpers/tree.ts';

const TREE = {
  'server/index.js': { data: '#!/usr/bin/env node\nconsole.log("hi");\n', mode: 0o755 },
  'server/lib/a.js': 'export const a = 1;\n'.repeat(50),
  'assets/blob.bin': noise(300, 7),
};

const DAY = 24 * 60 * 60 * 1000;

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isMCPSealError(error), `expected an MCPSealError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

async function openCode(file: string): Promise<string> {
  try {
    const archive = await Archive.openFile(file);
    await archive.close();
    return 'opened';
  } catch (error) {
    return isMCPSealError(error) ? error.code : String(error);
  }
}

describe('legacy MCPB_SIG_V1 signatures', function () {
  this.timeout(60_000);
  let tmp: { path: string; cleanup: () => Promise<void> };
  let pki: TestPki;
  let unsigned: string;
  /** Signed by the official `mcpb sign` 2.1.2: self-signed, CA-issued, and through an intermediate. */
  let officialSelf: string;
  let officialCa: string;
  let officialIntermediate: string;

  const copyOf = async (from: string, name: string): Promise<string> => {
    const to = join(tmp.path, name);
    await copyFile(from, to);
    return to;
  };
  const officialSign = async (name: string, args: string[]): Promise<string> => {
    const file = await copyOf(unsigned, name);
    const result = await mcpb(['sign', file, ...args]);
    assert.equal(result.status, 0, result.stderr + result.stdout);
    return file;
  };

  before(async () => {
    tmp = await tempDir('mcpseal-legacy-');
    pki = makeTestPki(tmp.path);
    await writeTree(join(tmp.path, 'src'), TREE);
    unsigned = join(tmp.path, 'unsigned.mcpb');
    await packBundle(join(tmp.path, 'src'), unsigned);
    [officialSelf, officialCa, officialIntermediate] = await Promise.all([
      officialSign('official-self.mcpb', ['--cert', pki.selfSigned.cert, '--key', pki.selfSigned.key]),
      officialSign('official-ca.mcpb', ['--cert', pki.leaf.cert, '--key', pki.leaf.key]),
      officialSign('official-intermediate.mcpb', ['--cert', pki.intermediateLeaf.cert, '--key', pki.intermediateLeaf.key, '--intermediate', pki.intermediate.cert]),
    ]);
  });

  after(async () => {
    await tmp.cleanup();
  });

  describe('reading', () => {
    it('recognises the block mcpb 2.1.2 appends: header, uint32 LE length, DER, footer, comment length 0', async () => {
      const bytes = await readFile(officialCa);
      const parts = blockParts(bytes);
      const archive = await Archive.openFile(officialCa);
      try {
        const block = await readLegacyBlock(archive);
        assert.ok(block);
        assert.equal(block.kind, 'MCPB_SIG_V1');
        assert.equal(block.offset, parts.offset);
        assert.equal(block.length, bytes.length - parts.offset);
        assert.ok(block.der.equals(bytes.subarray(parts.derOffset, parts.footerOffset)));
        assert.equal(block.commentLength, 0);
        assert.equal(block.strictReaderCompatible, false);
      } finally {
        await archive.close();
      }
    });

    it('strict readers refuse 2.1.2-signed bundles ("Invalid comment length"): the reason for the mcpseal layout', async () => {
      await assert.rejects(yauzlReadAll(officialCa), /Invalid comment length/u);
      // The same bundle unsigned is fine, and mcpseal's reader accepts the signed one.
      assert.equal((await yauzlReadAll(unsigned)).length, 4);
      assert.equal(await openCode(officialCa), 'opened');
    });

    it('reports a bundle without a block as absent', async () => {
      const result = await verifyLegacySignature(unsigned, { anchors: [pki.ca.certPem] });
      assert.equal(result.status, 'absent');
      assert.equal(result.code, 'LEGACY_ABSENT');
      assert.equal(result.block, null);
    });

    it('recognises a DXT-era block (DXT_SIG_V1 ... DXT_SIG_END) and reports its kind', async () => {
      const file = join(tmp.path, 'dxt.mcpb');
      await writeFile(file, asDxtBlock(await readFile(officialCa)));
      const result = await verifyLegacySignature(file, { anchors: [pki.ca.certPem] });
      assert.equal(result.block?.kind, 'DXT_SIG_V1');
      assert.equal(result.status, 'valid', result.reason ?? '');
      assert.equal(result.signer?.subject, 'CN=mcpseal test publisher');
    });

    it('refuses a zip appended after the footer, bytes between the DER and the footer, and a length that disagrees with the footer', async () => {
      const signed = await readFile(officialCa);
      const ours = join(tmp.path, 'ours-for-framing.mcpb');
      await signLegacy(unsigned, { certPem: pki.leaf.certPem, keyPem: pki.leaf.keyPem, outputPath: ours });
      for (const base of [signed, await readFile(ours)]) {
        const parts = blockParts(base);
        const lengthPlusOne = Buffer.from(base);
        lengthPlusOne.writeUInt32LE(parts.derLength + 1, parts.derOffset - 4);
        const cases: [string, Buffer, string][] = [
          // What `unzip` would read is the second zip, while mcpb's parser still finds the block.
          ['a zip appended after the footer', Buffer.concat([base, await readFile(unsigned)]), 'ARCHIVE_HIDDEN_DATA'],
          ['bytes between the DER and the footer', Buffer.concat([base.subarray(0, parts.footerOffset), Buffer.from('pad!'), base.subarray(parts.footerOffset)]), 'ARCHIVE_BAD_SIGNATURE_BLOCK'],
          ['a length that disagrees with the footer', lengthPlusOne, 'ARCHIVE_BAD_SIGNATURE_BLOCK'],
          ['bytes after the footer', Buffer.concat([base, Buffer.from('\n')]), 'ARCHIVE_TRAILING_DATA'],
        ];
        for (const [name, bytes, code] of cases) {
          const file = join(tmp.path, 'framing.mcpb');
          await writeFile(file, bytes);
          assert.equal(await openCode(file), code, name);
          await rejectsWith(verifyLegacySignature(file, { anchors: [pki.ca.certPem] }), code);
        }
      }
    });
  });

  describe('verifying the official signatures', () => {
    it('self-signed: untrusted and reported self-signed; valid only when pinned as an anchor', async () => {
      for (const options of [{}, { anchors: [pki.ca.certPem] }, { useSystemStore: true }]) {
        const result = await verifyLegacySignature(officialSelf, options);
        assert.equal(result.status, 'untrusted');
        assert.equal(result.code, 'LEGACY_SELF_SIGNED');
        assert.equal(result.selfSigned, true);
        assert.equal(result.block?.layout, 'zero-comment-length', 'the digest matched');
      }
      const pinned = await verifyLegacySignature(officialSelf, { anchors: [pki.selfSigned.certPem] });
      assert.equal(pinned.status, 'valid', pinned.reason ?? '');
      assert.equal(pinned.selfSigned, true);
      assert.equal(pinned.signer?.subject, 'CN=mcpseal self-signed publisher');
      assert.equal(pinned.chain.length, 1);
    });

    it('CA-issued: valid with the CA as anchor, untrusted without it', async () => {
      const trusted = await verifyLegacySignature(officialCa, { anchors: [pki.ca.certPem] });
      assert.equal(trusted.status, 'valid', trusted.reason ?? '');
      assert.equal(trusted.code, null);
      assert.equal(trusted.selfSigned, false);
      assert.deepEqual(trusted.chain.map((c) => c.subject), ['CN=mcpseal test publisher', 'CN=mcpseal test CA']);
      assert.equal(trusted.signingTimeSource, 'signing-time-attribute');
      assert.ok(Math.abs(Date.parse(trusted.signingTime!) - Date.now()) < 10 * 60 * 1000);
      assert.equal(trusted.digest?.signed, trusted.digest?.computed);

      for (const options of [{}, { anchors: [pki.selfSigned.certPem] }, { useSystemStore: true }]) {
        const untrusted = await verifyLegacySignature(officialCa, options);
        assert.equal(untrusted.status, 'untrusted');
        assert.equal(untrusted.code, 'LEGACY_UNTRUSTED');
        assert.equal(untrusted.selfSigned, false);
        assert.deepEqual(untrusted.chain, []);
      }
    });

    it('through an intermediate (mcpb sign --intermediate): valid with the root as anchor', async () => {
      const result = await verifyLegacySignature(officialIntermediate, { anchors: [pki.ca.certPem] });
      assert.equal(result.status, 'valid', result.reason ?? '');
      assert.deepEqual(result.chain.map((c) => c.subject), ['CN=mcpseal publisher under intermediate', 'CN=mcpseal test intermediate', 'CN=mcpseal test CA']);
      // Anchoring the intermediate alone is enough too.
      assert.equal((await verifyLegacySignature(officialIntermediate, { anchors: [pki.intermediate.certPem] })).status, 'valid');
      assert.equal((await verifyLegacySignature(officialIntermediate, {})).code, 'LEGACY_UNTRUSTED');
    });

    it('a certificate issued by an ECDSA CA is mangled by mcpb sign (node-forge re-encodes it): invalid, and OpenSSL agrees', async () => {
      const file = await officialSign('official-ec-issued.mcpb', ['--cert', pki.ecIssuedLeaf.cert, '--key', pki.ecIssuedLeaf.key]);
      const result = await verifyLegacySignature(file, { anchors: [pki.ecCa.certPem] });
      assert.equal(result.status, 'invalid');
      assert.equal(result.code, 'LEGACY_MALFORMED');
      assert.match(result.reason ?? '', /two different signature algorithms/u);
      // The embedded copy gained NULL parameters in its outer ecdsa-with-SHA256 identifier, so it
      // is no longer the certificate the CA signed.
      const bytes = await readFile(file);
      const parts = blockParts(bytes);
      await writeFile(join(tmp.path, 'mangled.der'), bytes.subarray(parts.derOffset, parts.footerOffset));
      const embedded = tool('openssl', ['pkcs7', '-inform', 'DER', '-in', join(tmp.path, 'mangled.der'), '-print_certs']);
      assert.equal(new X509Certificate(embedded).serialNumber, new X509Certificate(pki.ecIssuedLeaf.certPem).serialNumber);
      assert.ok(!new X509Certificate(embedded).raw.equals(new X509Certificate(pki.ecIssuedLeaf.certPem).raw));
      await writeFile(join(tmp.path, 'mangled.pem'), embedded);
      assert.throws(() => tool('openssl', ['verify', '-CAfile', pki.ecCa.cert, join(tmp.path, 'mangled.pem')]), /certificate signature failure/u);
    });

    it('one changed byte anywhere is refused by the reader or makes the signature invalid', async () => {
      // Every byte of the file, one at a time: zip data, local headers, central directory, end
      // record, block header, length, DER (SignedData fields, signed attributes, signature,
      // certificate), footer. One exception, by design: a changed authorityKeyIdentifier makes
      // the certificate name an issuer key that is not at hand, which is indistinguishable from
      // a certificate of another (unknown) CA: untrusted, never valid.
      const cases: [string, string, string][] = [
        ['CA-issued', officialCa, pki.ca.certPem],
        ['self-signed (pinned)', officialSelf, pki.selfSigned.certPem],
      ];
      for (const [name, file, anchor] of cases) {
        const original = await readFile(file);
        const aki = extensionValueRange(original, AKI_OID_DER);
        const seen = new Map<string, number>();
        for (let i = 0; i < original.length; i++) {
          const bytes = Buffer.from(original);
          bytes[i]! ^= 0x01;
          let outcome: string;
          try {
            const archive = await Archive.open(bufferSource(bytes));
            const result: LegacyVerification = await verifyLegacySignature(archive, { anchors: [anchor] });
            outcome = `${result.status}:${result.code}`;
            if (result.status !== 'invalid') {
              assert.equal(outcome, 'untrusted:LEGACY_UNTRUSTED', `${name}: byte ${i}`);
              assert.ok(i >= aki.start && i < aki.end, `${name}: byte ${i} outside the authorityKeyIdentifier gave ${outcome}`);
            }
          } catch (error) {
            assert.ok(isMCPSealError(error) && error.code.startsWith('ARCHIVE_'), `${name}: byte ${i}: ${String(error)}`);
            outcome = error.code;
          }
          seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
        }
        // The sweep exercised each kind of detection, not just one.
        for (const expected of ['invalid:LEGACY_DIGEST_MISMATCH', 'invalid:LEGACY_BAD_SIGNATURE', 'invalid:LEGACY_MALFORMED', 'invalid:LEGACY_SIGNER_NOT_FOUND', 'ARCHIVE_BAD_SIGNATURE_BLOCK']) {
          assert.ok((seen.get(expected) ?? 0) > 0, `${name}: no ${expected} in ${JSON.stringify([...seen])}`);
        }
      }
    });

    it('reads a comment length patched after signing (0 at signing) as the patched layout; strict readers then accept the file', async () => {
      const bytes = await readFile(officialCa);
      const parts = blockParts(bytes);
      bytes.writeUInt16LE(bytes.length - parts.offset, parts.commentLengthOffset);
      const file = join(tmp.path, 'patched.mcpb');
      await writeFile(file, bytes);
      const result = await verifyLegacySignature(file, { anchors: [pki.ca.certPem] });
      assert.equal(result.status, 'valid', result.reason ?? '');
      assert.equal(result.block?.layout, 'patched-comment-length');
      assert.equal(result.block?.strictReaderCompatible, true);
      assert.equal((await yauzlReadAll(file)).length, 4);
    });

    it('mcpb verify calls them unsigned and mcpb info "Not signed", self-signed or CA-issued alike', async () => {
      // Its verifier relies on node-forge's PKCS#7 verify(), which is an unimplemented stub.
      const runs = await Promise.all([officialSelf, officialCa].flatMap((file) => [mcpb(['verify', file]), mcpb(['info', file])]));
      for (let i = 0; i < runs.length; i += 2) {
        const [verified, info] = [runs[i]!, runs[i + 1]!];
        assert.equal(verified.status, 1);
        assert.match(verified.stderr, /ERROR: Extension is not signed/u);
        assert.equal(info.status, 0);
        assert.match(info.stdout, /WARNING: Not signed/u);
      }
    });
  });

  describe('trust rules', () => {
    it('requires the codeSigning extended key usage of the signer', async () => {
      const file = join(tmp.path, 'server-leaf.mcpb');
      const signed = await signLegacy(unsigned, { certPem: pki.serverLeaf.certPem, keyPem: pki.serverLeaf.keyPem, outputPath: file });
      assert.match(signed.warnings.join('\n'), /codeSigning/u);
      const result = await verifyLegacySignature(file, { anchors: [pki.ecCa.certPem] });
      assert.equal(result.status, 'untrusted');
      assert.equal(result.code, 'LEGACY_NOT_CODE_SIGNING');
    });

    it('checks validity at the signing time, and refuses a signing time in the future', async () => {
      const later = new Date(Date.now() + (pki.leafDays + 2) * DAY);
      const file = join(tmp.path, 'late.mcpb');
      const signed = await signLegacy(unsigned, { certPem: pki.leaf.certPem, keyPem: pki.leaf.keyPem, outputPath: file, now: later });
      assert.match(signed.warnings.join('\n'), /not valid at the signing time/u);
      // Verified after the claimed signing time: the leaf had expired by then (the CA had not).
      const expired = await verifyLegacySignature(file, { anchors: [pki.ca.certPem], now: new Date(later.getTime() + DAY) });
      assert.equal(expired.status, 'untrusted');
      assert.equal(expired.code, 'LEGACY_CERTIFICATE_EXPIRED');
      assert.equal(expired.signingTime, new Date(Math.floor(later.getTime() / 1000) * 1000).toISOString());
      // Verified now: the signer claims a time weeks ahead.
      const future = await verifyLegacySignature(file, { anchors: [pki.ca.certPem] });
      assert.equal(future.code, 'LEGACY_SIGNING_TIME');
      assert.equal(future.status, 'untrusted');
    });

    it('takes anchors as PEM and refuses one that is not a certificate', async () => {
      await rejectsWith(verifyLegacySignature(officialCa, { anchors: ['not a certificate'] }), 'USAGE_INVALID_ARGUMENT');
      // Several certificates in one PEM text each count.
      const both = await verifyLegacySignature(officialCa, { anchors: [pki.selfSigned.certPem + pki.ca.certPem] });
      assert.equal(both.status, 'valid');
    });
  });

  describe('signing', () => {
    it('writes bundles that unzip -t, yauzl (strict), mcpb unpack and mcpb info accept, and that verify', async () => {
      const file = await copyOf(unsigned, 'ours.mcpb');
      const signed = await signLegacy(file, { certPem: pki.leaf.certPem, keyPem: pki.leaf.keyPem });
      assert.deepEqual(signed.warnings, []);
      const bytes = await readFile(file);
      assert.equal(signed.size, bytes.length);
      assert.equal(signed.sha256, tool('sha256sum', [file]).split(' ')[0]);
      // The comment length covers the block, and was set before the digest was taken.
      assert.equal(bytes.readUInt16LE(signed.block.offset - 2), signed.block.length);
      assert.ok(bytes.subarray(0, signed.block.offset - 2).equals((await readFile(unsigned)).subarray(0, -2)));

      assert.match(tool('unzip', ['-t', file]), /No errors detected/u);
      assert.deepEqual((await yauzlReadAll(file)).sort(), ['assets/blob.bin', 'manifest.json', 'server/index.js', 'server/lib/a.js']);
      const out = join(tmp.path, 'official-unpack');
      const [unpacked, info, verified] = await Promise.all([mcpb(['unpack', file, out]), mcpb(['info', file]), mcpb(['verify', file])]);
      assert.equal(unpacked.status, 0, unpacked.stderr + unpacked.stdout);
      assert.deepEqual((await readdir(out, { recursive: true })).sort(), ['assets', 'assets/blob.bin', 'manifest.json', 'server', 'server/index.js', 'server/lib', 'server/lib/a.js']);
      assert.equal(info.status, 0);
      assert.match(info.stdout, /File: ours\.mcpb/u);
      // What the official verifier says about it: the same as about its own signatures.
      assert.equal(verified.status, 1);
      assert.match(verified.stderr, /ERROR: Extension is not signed/u);
      assert.match(info.stdout, /WARNING: Not signed/u);

      const result = await verifyLegacySignature(file, { anchors: [pki.ca.certPem] });
      assert.equal(result.status, 'valid', result.reason ?? '');
      assert.equal(result.block?.layout, 'signed-comment-length');
      assert.equal(result.block?.strictReaderCompatible, true);
      assert.equal(result.signingTime, signed.signingTime);
      assert.equal(result.digest?.signed, signed.signedDigest);

      // An independent CMS implementation accepts the block over the same bytes (RFC 5652 §5.4):
      // OpenSSL 3.0 has no code-signing purpose, so the chain is checked for "any" purpose there.
      const parts = blockParts(bytes);
      await writeFile(join(tmp.path, 'ours.der'), bytes.subarray(parts.derOffset, parts.footerOffset));
      await writeFile(join(tmp.path, 'ours.content'), bytes.subarray(0, parts.offset));
      const cms = tool('openssl', ['cms', '-verify', '-inform', 'DER', '-in', join(tmp.path, 'ours.der'), '-binary', '-content', join(tmp.path, 'ours.content'), '-CAfile', pki.ca.cert, '-purpose', 'any', '-out', '/dev/null']);
      assert.equal(cms, '');
    });

    it('signs with ECDSA P-256 and embeds intermediates', async () => {
      const ec = join(tmp.path, 'ec.mcpb');
      await signLegacy(unsigned, { certPem: pki.ecLeaf.certPem, keyPem: pki.ecLeaf.keyPem, outputPath: ec });
      const ecResult = await verifyLegacySignature(ec, { anchors: [pki.ecCa.certPem] });
      assert.equal(ecResult.status, 'valid', ecResult.reason ?? '');
      assert.equal((await verifyLegacySignature(ec, { anchors: [pki.ca.certPem] })).code, 'LEGACY_UNTRUSTED');
      // An RSA signer certified by the ECDSA root: the certificate travels byte for byte.
      const mixed = join(tmp.path, 'mixed.mcpb');
      await signLegacy(unsigned, { certPem: pki.ecIssuedLeaf.certPem, keyPem: pki.ecIssuedLeaf.keyPem, outputPath: mixed });
      assert.equal((await verifyLegacySignature(mixed, { anchors: [pki.ecCa.certPem] })).status, 'valid');
      assert.equal(ecResult.block?.layout, 'signed-comment-length');
      assert.equal((await yauzlReadAll(ec)).length, 4);

      const chained = join(tmp.path, 'chained.mcpb');
      await signLegacy(unsigned, { certPem: pki.intermediateLeaf.certPem, keyPem: pki.intermediateLeaf.keyPem, intermediatesPem: [pki.intermediate.certPem], outputPath: chained });
      const chainedResult = await verifyLegacySignature(chained, { anchors: [pki.ca.certPem] });
      assert.equal(chainedResult.status, 'valid', chainedResult.reason ?? '');
      assert.equal(chainedResult.chain.length, 3);
      // Without the intermediate in the block the root alone cannot be reached.
      const bare = join(tmp.path, 'bare.mcpb');
      await signLegacy(unsigned, { certPem: pki.intermediateLeaf.certPem, keyPem: pki.intermediateLeaf.keyPem, outputPath: bare });
      assert.equal((await verifyLegacySignature(bare, { anchors: [pki.ca.certPem] })).code, 'LEGACY_UNTRUSTED');
    });

    it('legacy first, Sigstore second: one release flow, both signatures verify over the final bytes', async () => {
      const file = await copyOf(unsigned, 'release.mcpb');
      const legacy = await signLegacy(file, { certPem: pki.leaf.certPem, keyPem: pki.leaf.keyPem });
      const key = await generateKeyPair(join(tmp.path, 'release.key'), join(tmp.path, 'release.pub'));
      const sigstore = await signBundle(file, { method: { kind: 'key', privateKeyPem: await readFile(key.privateKey, 'utf8') } });
      assert.equal(sigstore.sha256, legacy.sha256, 'the attestation names the file with its legacy block');
      const verified = await verifyBundle(file, { publicKey: await readFile(key.publicKey, 'utf8') });
      assert.equal(verified.sha256, legacy.sha256);
      assert.equal((await verifyLegacySignature(file, { anchors: [pki.ca.certPem] })).status, 'valid');
    });

    it('refuses a bundle that already has a block, leaving it unchanged', async () => {
      for (const file of [officialCa, officialSelf]) {
        const before = await readFile(file);
        await rejectsWith(signLegacy(file, { certPem: pki.leaf.certPem, keyPem: pki.leaf.keyPem }), 'LEGACY_ALREADY_SIGNED');
        assert.ok((await readFile(file)).equals(before));
      }
    });

    it('runs the strict archive check first: a bundle whose data fails its CRC is refused and nothing is written', async () => {
      const bytes = await readFile(unsigned);
      const archive = await Archive.open(bufferSource(bytes));
      const entry = archive.entries.find((e) => e.name === 'assets/blob.bin')!;
      await archive.close();
      // The last byte of the entry's (stored or deflated) data.
      const dataEnd = entry.localHeaderOffset + 30 + entry.rawName.length + entry.compressedSize;
      bytes[dataEnd - 1]! ^= 0xff;
      const dir = (await tempDir('mcpseal-legacy-crc-'));
      try {
        const file = join(dir.path, 'corrupt.mcpb');
        await writeFile(file, bytes);
        await assert.rejects(signLegacy(file, { certPem: pki.leaf.certPem, keyPem: pki.leaf.keyPem }), (error: unknown) => {
          assert.ok(isMCPSealError(error) && ['ARCHIVE_CRC_MISMATCH', 'ARCHIVE_CORRUPT_DATA'].includes(error.code), String(error));
          return true;
        });
        assert.ok((await readFile(file)).equals(bytes));
        assert.deepEqual(await readdir(dir.path), ['corrupt.mcpb'], 'no temporary file left behind');
      } finally {
        await dir.cleanup();
      }
    });

    it('refuses an archive with a comment (the block must follow the end record directly)', async () => {
      const bytes = Buffer.concat([await readFile(unsigned), Buffer.from('hi!')]);
      bytes.writeUInt16LE(3, bytes.length - 5);
      const file = join(tmp.path, 'commented.mcpb');
      await writeFile(file, bytes);
      assert.equal(await openCode(file), 'opened');
      await rejectsWith(signLegacy(file, { certPem: pki.leaf.certPem, keyPem: pki.leaf.keyPem }), 'LEGACY_UNSIGNABLE');
    });

    it('refuses credentials that do not fit together, and an existing output path', async () => {
      const file = await copyOf(unsigned, 'creds.mcpb');
      await rejectsWith(signLegacy(file, { certPem: pki.leaf.certPem, keyPem: pki.selfSigned.keyPem }), 'USAGE_INVALID_ARGUMENT');
      await rejectsWith(signLegacy(file, { certPem: 'nothing here', keyPem: pki.leaf.keyPem }), 'USAGE_INVALID_ARGUMENT');
      await rejectsWith(signLegacy(file, { certPem: pki.leaf.certPem, keyPem: 'not a key' }), 'USAGE_INVALID_ARGUMENT');
      await rejectsWith(signLegacy(file, { certPem: pki.leaf.certPem, keyPem: pki.leaf.keyPem, outputPath: officialCa }), 'IO_TARGET_EXISTS');
      assert.ok((await readFile(file)).equals(await readFile(unsigned)));
    });
  });
});
