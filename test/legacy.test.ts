// Legacy MCPB_SIG_V1 signatures (issue 5): bundles signed by the official `mcpb sign` verify with
// distinct statuses; any changed byte is caught; hostile framings are refused by the archive
// reader; our own signatures open in strict readers (unzip -t, yauzl, mcpb unpack and info) and
// verify, including in an independent CMS implementation (openssl cms).

import assert from 'node:assert/strict';
import { X509Certificate, createHash } from 'node:crypto';
import { copyFile, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import forge from 'node-forge';
import { Archive, bufferSource, generateKeyPair, isMCPSealError, packBundle, readLegacyBlock, signBundle, signLegacy, verifyBundle, verifyLegacySignature } from '../lib/index.ts';
import type { LegacyVerification } from '../lib/index.ts';
import { parseSignedData } from '../lib/legacy/cms.ts';
import { holdsZipRecordSignature } from '../lib/legacy/read.ts';
import { buildBlock, loadCredentials } from '../lib/legacy/sign.ts';
import { tempDir } from './helpers/cli.ts';
import {
  AKI_OID_DER,
  TIMESTAMP_TOKEN_OID,
  asDxtBlock,
  blockParts,
  editSignedData,
  extensionValueRange,
  makeTestPki,
  mcpb,
  otherReadersNames,
  signedDataFields,
  signerInfoFields,
  withBlockDer,
  withUnsignedAttribute,
  yauzlReadAll,
  zipCoveringTrailer,
  type TestPki,
} from './helpers/legacy.ts';
import { buildZip } from './helpers/zip-builder.ts';
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

/** What mcpseal makes of a bundle: "valid", "<status>:<code>", or the ARCHIVE_* code the reader refused it with. */
async function outcomeOf(bytes: Buffer, anchor: string): Promise<string> {
  let archive: Archive;
  try {
    archive = await Archive.open(bufferSource(bytes));
  } catch (error) {
    if (isMCPSealError(error) && error.code.startsWith('ARCHIVE_')) return error.code;
    throw error;
  }
  const result = await verifyLegacySignature(archive, { anchors: [anchor] });
  return result.status === 'valid' ? 'valid' : `${result.status}:${result.code}`;
}

/** What the SignedData parser alone makes of some DER: "parsed" or the code it refuses it with. */
function derOutcome(der: Buffer): string {
  try {
    parseSignedData(der);
    return 'parsed';
  } catch (error) {
    if (isMCPSealError(error)) return error.code;
    throw error;
  }
}

function blockDer(file: Buffer): Buffer {
  const parts = blockParts(file);
  return file.subarray(parts.derOffset, parts.footerOffset);
}

/** Tag and length octets of a DER value (definite length, one tag byte). */
function derHeaderLength(der: Buffer): number {
  return der[1]! < 0x80 ? 2 : 2 + (der[1]! & 0x7f);
}

type Mutation =
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'append'; bytes: Uint8Array }
  | { kind: 'truncate'; at: number };

function applyMutation(der: Buffer, mutation: Mutation): Buffer {
  switch (mutation.kind) {
    case 'set': {
      const out = Buffer.from(der);
      if (out.length > 0) out[mutation.at % out.length] = mutation.byte;
      return out;
    }
    case 'insert':
      return Buffer.concat([der.subarray(0, mutation.at), mutation.bytes, der.subarray(mutation.at)]);
    case 'delete':
      return Buffer.concat([der.subarray(0, mutation.at), der.subarray(mutation.at + mutation.count)]);
    case 'append':
      return Buffer.concat([der, mutation.bytes]);
    case 'truncate':
      return der.subarray(0, mutation.at);
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
      const signed = await signLegacy(unsigned, { certPem: pki.serverLeaf.certPem, keyPem: pki.serverLeaf.keyPem, outputPath: file, allowEcdsa: true });
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

  describe('issue 9: the block is exactly one SignedData, and a valid signature leaves no byte of it unbound', () => {
    /** A bundle signed by mcpseal (the signed-comment-length layout), made once. */
    let ours: string;
    before(async () => {
      ours = join(tmp.path, 'ours-issue9.mcpb');
      await signLegacy(unsigned, { certPem: pki.leaf.certPem, keyPem: pki.leaf.keyPem, outputPath: ours });
    });

    /** The three layouts, each signed by the leaf and valid with the CA as anchor. */
    const layouts = async (): Promise<[string, Buffer][]> => {
      const official = await readFile(officialCa);
      const patched = Buffer.from(official);
      patched.writeUInt16LE(official.length - blockParts(official).offset, blockParts(official).commentLengthOffset);
      return [
        ['zero-comment-length (mcpb sign)', official],
        ['patched-comment-length', patched],
        ['signed-comment-length (mcpseal)', await readFile(ours)],
      ];
    };

    it('finding 2: an unsigned attribute holding another zip, added without the key to an mcpb-signed bundle, is not "valid" (while other readers extract that zip)', async () => {
      const attackers = zipCoveringTrailer(buildZip([{ name: 'evil.txt', data: 'the attacker\'s payload\n' }]), 'MCPB_SIG_END'.length);
      const hostile = withUnsignedAttribute(await readFile(officialCa), '1.3.6.1.4.1.99999.1', attackers);
      const file = join(tmp.path, 'finding-2.mcpb');
      await writeFile(file, hostile);
      // What other readers see: the attacker's archive, found by the last end record in the file.
      assert.deepEqual(otherReadersNames(file), { unzip: ['evil.txt'], python: ['evil.txt'] });
      // What mcpseal says: never "valid by <publisher>". (The archive reader may refuse the
      // framing first, for the zip records inside the block; the legacy parse refuses it anyway.)
      const outcome = await outcomeOf(hostile, pki.ca.certPem);
      assert.ok(outcome === 'invalid:LEGACY_UNSIGNED_ATTRIBUTE' || outcome.startsWith('ARCHIVE_'), outcome);
      assert.equal(derOutcome(blockDer(hostile)), 'LEGACY_UNSIGNED_ATTRIBUTE');
    });

    it('finding 2: any unsigned attribute is refused, an RFC 3161 timestamp token as much as an unknown one, in every layout', async () => {
      const innocuous = Buffer.alloc(200, 0x41);
      for (const [name, base] of await layouts()) {
        for (const oid of [TIMESTAMP_TOKEN_OID, '1.3.6.1.4.1.99999.1']) {
          const outcome = await outcomeOf(withUnsignedAttribute(base, oid, innocuous), pki.ca.certPem);
          assert.equal(outcome, 'invalid:LEGACY_UNSIGNED_ATTRIBUTE', `${name}, ${oid}`);
        }
      }
    });

    it('finding 2: a huge unsigned attribute is refused by the block size cap before the DER is parsed', async () => {
      const official = await readFile(officialCa);
      const huge = withUnsignedAttribute(official, TIMESTAMP_TOKEN_OID, Buffer.alloc(70_000, 0x41));
      assert.ok(huge.length - blockParts(huge).offset > 65_535);
      // (An archive reader with a smaller framing cap may refuse it first: never valid either way.)
      const outcome = await outcomeOf(huge, pki.ca.certPem);
      assert.ok(outcome === 'invalid:LEGACY_BLOCK_TOO_LARGE' || outcome.startsWith('ARCHIVE_'), outcome);
      // Just under the cap, the size is not what is refused: the attribute is.
      const parts = blockParts(official);
      const room = 65_535 - (official.length - parts.offset) - 64;
      const large = withUnsignedAttribute(official, TIMESTAMP_TOKEN_OID, Buffer.alloc(room, 0x41));
      assert.ok(large.length - blockParts(large).offset <= 65_535);
      assert.equal(await outcomeOf(large, pki.ca.certPem), 'invalid:LEGACY_UNSIGNED_ATTRIBUTE');
    });

    it('finding 2: a certificate the verified path does not use is refused (no signature binds it); the anchor itself may travel along', async () => {
      const ecCa = new X509Certificate(pki.ecCa.certPem).raw;
      const ca = new X509Certificate(pki.ca.certPem).raw;
      const leaf = new X509Certificate(pki.leaf.certPem).raw;
      for (const [name, base] of await layouts()) {
        const withCertificate = (der: Buffer): Buffer => editSignedData(base, (contentInfo) => {
          (signedDataFields(contentInfo)[3]!.value as forge.asn1.Asn1[]).push(forge.asn1.fromDer(der.toString('latin1')));
        });
        // Only the signed layout's digest notices that the block grew; in the others the
        // certificates themselves must all be bound.
        const bound = name.startsWith('signed');
        // An unrelated certificate (it could carry anything in an extension, a zip included).
        assert.equal(await outcomeOf(withCertificate(ecCa), pki.ca.certPem), bound ? 'invalid:LEGACY_DIGEST_MISMATCH' : 'invalid:LEGACY_UNUSED_CERTIFICATE', name);
        // The signer's certificate twice: the second copy binds nothing new.
        assert.equal(derOutcome(blockDer(withCertificate(leaf))), 'LEGACY_MALFORMED', name);
        // The root the caller anchors on is used (the path ends at it).
        assert.equal(await outcomeOf(withCertificate(ca), pki.ca.certPem), bound ? 'invalid:LEGACY_DIGEST_MISMATCH' : 'valid', name);
      }
      // Signed so by its key holder, an unused certificate is still refused: the signer will not
      // embed one, and a verifier anchored below an embedded root does not use the root.
      await rejectsWith(signLegacy(unsigned, { certPem: pki.leaf.certPem, keyPem: pki.leaf.keyPem, intermediatesPem: [pki.ecCa.certPem], outputPath: join(tmp.path, 'unused.mcpb') }), 'USAGE_INVALID_ARGUMENT');
      const withRoot = join(tmp.path, 'with-root.mcpb');
      await signLegacy(unsigned, { certPem: pki.intermediateLeaf.certPem, keyPem: pki.intermediateLeaf.keyPem, intermediatesPem: [pki.intermediate.certPem, pki.ca.certPem], outputPath: withRoot });
      assert.equal((await verifyLegacySignature(withRoot, { anchors: [pki.ca.certPem] })).status, 'valid');
      // Anchored at the intermediate, the embedded root is bound by its own key (self-signed,
      // and the key that signed the anchor), or by being an anchor too.
      for (const anchors of [[pki.intermediate.certPem], [pki.intermediate.certPem, pki.ca.certPem]]) {
        const result = await verifyLegacySignature(withRoot, { anchors });
        assert.equal(result.status, 'valid', result.reason ?? '');
      }
      // A self-signed certificate that signed nothing of the path is not bound: refused even when
      // its issuer's name matches.
      const withSelf = editSignedData(await readFile(officialCa), (contentInfo) => {
        (signedDataFields(contentInfo)[3]!.value as forge.asn1.Asn1[]).push(forge.asn1.fromDer(new X509Certificate(pki.selfSigned.certPem).raw.toString('latin1')));
      });
      assert.equal(await outcomeOf(withSelf, pki.ca.certPem), 'invalid:LEGACY_UNUSED_CERTIFICATE');
      {
      }
    });

    it('finding 1: a pinned publisher certificate holding a zip record signature does not make a valid block (mcpb sign writes one)', async () => {
      const key = join(tmp.path, 'pk-publisher.key');
      const cert = join(tmp.path, 'pk-publisher.pem');
      // The publisher fills its own self-signed certificate: here with an end record's signature.
      tool('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', '/CN=mcpseal PK publisher', '-addext', 'keyUsage=critical,digitalSignature', '-addext', 'extendedKeyUsage=codeSigning', '-addext', '1.3.6.1.4.1.99999.2=DER:504B0506']);
      const file = await officialSign('official-pk.mcpb', ['--cert', cert, '--key', key]);
      const outcome = await outcomeOf(await readFile(file), await readFile(cert, 'utf8'));
      assert.ok(outcome === 'invalid:LEGACY_MALFORMED' || outcome.startsWith('ARCHIVE_'), outcome);
    });

    it('finding 1 (DER side): a block whose DER is not exactly one SignedData is invalid: trailing bytes, a second block, other DER, BER', async () => {
      for (const [name, base] of await layouts()) {
        const der = blockDer(base);
        const cases: [string, Buffer][] = [
          ['two zero bytes after the SignedData', Buffer.concat([der, Buffer.alloc(2)])],
          ['a second SignedData after the first', Buffer.concat([der, der])],
          ['a second block header inside the block', Buffer.concat([der, Buffer.from('MCPB_SIG_V1', 'latin1'), Buffer.from([0, 0, 0, 0])])],
          ['a bare empty SEQUENCE', Buffer.from('3000', 'hex')],
          ['an OCTET STRING', Buffer.from('0403616263', 'hex')],
          ['nothing at all', Buffer.alloc(0)],
          ['a ContentInfo of id-data, not SignedData', Buffer.from('300f06092a864886f70d010701a0020400', 'hex')],
          ['the SignedData with an indefinite outer length (BER)', Buffer.concat([Buffer.from('3080', 'hex'), der.subarray(derHeaderLength(der)), Buffer.alloc(2)])],
          ['the SignedData with a non-minimal outer length', Buffer.concat([Buffer.from([0x30, 0x83, 0x00]), der.subarray(2)])],
        ];
        for (const [what, hostile] of cases) {
          const outcome = await outcomeOf(withBlockDer(base, hostile), pki.ca.certPem);
          assert.ok(outcome === 'invalid:LEGACY_MALFORMED' || outcome.startsWith('ARCHIVE_'), `${name}, ${what}: ${outcome}`);
          assert.equal(derOutcome(hostile), 'LEGACY_MALFORMED', `${name}, ${what}`);
        }
      }
    });

    it('finding 1 (DER side): nothing may follow or be added at any level of the SignedData', async () => {
      const base = await readFile(officialCa);
      const extra = (): forge.asn1.Asn1 => forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.NULL, false, '');
      const edits: [string, (contentInfo: forge.asn1.Asn1) => void][] = [
        ['a third field in ContentInfo', (ci) => (ci.value as forge.asn1.Asn1[]).push(extra())],
        ['a second value in the [0] content wrapper', (ci) => ((ci.value as forge.asn1.Asn1[])[1]!.value as forge.asn1.Asn1[]).push(extra())],
        ['a field after signerInfos', (ci) => signedDataFields(ci).push(extra())],
        ['a second SignerInfo', (ci) => {
          const fields = signedDataFields(ci);
          const set = fields[fields.length - 1]!.value as forge.asn1.Asn1[];
          set.push(forge.asn1.fromDer(forge.asn1.toDer(set[0]!).getBytes()));
        }],
        ['revocation lists [1]', (ci) => signedDataFields(ci).splice(4, 0, forge.asn1.create(forge.asn1.Class.CONTEXT_SPECIFIC, 1, true, []))],
        ['an eContent in the EncapsulatedContentInfo', (ci) => (signedDataFields(ci)[2]!.value as forge.asn1.Asn1[]).push(forge.asn1.create(forge.asn1.Class.CONTEXT_SPECIFIC, 0, true, [extra()]))],
        ['an attribute certificate [2] among the certificates', (ci) => (signedDataFields(ci)[3]!.value as forge.asn1.Asn1[]).push(forge.asn1.create(forge.asn1.Class.CONTEXT_SPECIFIC, 2, true, []))],
        ['a fourth element in a certificate', (ci) => ((signedDataFields(ci)[3]!.value as forge.asn1.Asn1[])[0]!.value as forge.asn1.Asn1[]).push(extra())],
        ['a field after the SignerInfo signature', (ci) => signerInfoFields(ci).push(extra())],
        // One encoding per value (X.690 §8.19.2): a padded OID decodes alike and would let the block grow.
        ['an eContentType OID padded with a 0x80 octet', (ci) => void ((signedDataFields(ci)[2]!.value as forge.asn1.Asn1[])[0]!.value = Buffer.from('2a864886f70d80010701', 'hex').toString('latin1'))],
      ];
      for (const [what, edit] of edits) {
        const hostile = editSignedData(base, edit);
        assert.equal(await outcomeOf(hostile, pki.ca.certPem), 'invalid:LEGACY_MALFORMED', what);
      }
      // A padded INTEGER (X.690 §8.3.2), by hand: forge's encoder would strip the padding. The
      // SignedData version `02 01 01` becomes `02 02 00 01`; the three enclosing lengths
      // (ContentInfo, [0], SignedData, each in two-octet form) grow by one.
      const der = Buffer.from(blockDer(base));
      assert.deepEqual([der[0], der[1], der[15], der[16], der[19], der[20], der[23], der[24], der[25]], [0x30, 0x82, 0xa0, 0x82, 0x30, 0x82, 0x02, 0x01, 0x01]);
      for (const at of [2, 17, 21]) der.writeUInt16BE(der.readUInt16BE(at) + 1, at);
      const padded = Buffer.concat([der.subarray(0, 23), Buffer.from('02020001', 'hex'), der.subarray(26)]);
      assert.equal(await outcomeOf(withBlockDer(base, padded), pki.ca.certPem), 'invalid:LEGACY_MALFORMED');
    });

    it('finding 1 and 2 (property): no mutation of a valid block\'s DER verifies as valid, in any layout', async function () {
      this.timeout(120_000);
      for (const [name, base] of await layouts()) {
        const der = blockDer(base);
        const mutation = fc.oneof(
          fc.record({ kind: fc.constant('set' as const), at: fc.nat(der.length - 1), byte: fc.integer({ min: 0, max: 255 }) }),
          fc.record({ kind: fc.constant('insert' as const), at: fc.nat(der.length), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
          fc.record({ kind: fc.constant('delete' as const), at: fc.nat(der.length - 1), count: fc.integer({ min: 1, max: 40 }) }),
          fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
          fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(der.length - 1) }),
        );
        assert.equal(await outcomeOf(withBlockDer(base, der), pki.ca.certPem), 'valid', `${name}: the unmutated block`);
        const seen = new Set<string>();
        await fc.assert(
          fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
            const mutated = mutations.reduce(applyMutation, der);
            const outcome = await outcomeOf(withBlockDer(base, mutated), pki.ca.certPem);
            seen.add(outcome);
            return outcome !== 'valid' || mutated.equals(der);
          }),
          { numRuns: 300 },
        );
        // Mutations got past the parser to the signature checks, not only into malformed DER.
        assert.ok(seen.has('invalid:LEGACY_MALFORMED') && seen.has('invalid:LEGACY_BAD_SIGNATURE'), `${name}: ${[...seen].join(', ')}`);
      }
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
      await signLegacy(unsigned, { certPem: pki.ecLeaf.certPem, keyPem: pki.ecLeaf.keyPem, outputPath: ec, allowEcdsa: true });
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

    it('finding 1: a block that would hold a zip record signature is signed again a second later', async () => {
      const credentials = loadCredentials({ certPem: pki.leaf.certPem, keyPem: pki.leaf.keyPem });
      const prefix = createHash('sha256').update('the bytes before the comment length field');
      const requested = new Date('2026-01-02T03:04:05.000Z');
      // A predicate standing in for the one-in-a-million case: the first two blocks "hold" one.
      let refused = 0;
      const built = buildBlock(prefix, credentials, requested, () => refused++ >= 2);
      assert.equal(refused, 3);
      assert.equal(built.signingTime.toISOString(), '2026-01-02T03:04:07.000Z');
      const parsed = parseSignedData(built.block.subarray(15, -12));
      assert.equal(parsed.signer.signingTime?.toISOString(), '2026-01-02T03:04:07.000Z');
      assert.equal(parsed.signer.messageDigest.toString('hex'), built.signedDigest);
      assert.equal(built.field.readUInt16LE(0), built.block.length);
      assert.equal(holdsZipRecordSignature(built.block), false);
      // Refused every time: unsignable, nothing returned.
      assert.throws(() => buildBlock(prefix, credentials, requested, () => false), (error: unknown) => isMCPSealError(error) && error.code === 'LEGACY_UNSIGNABLE');
      // The default predicate knows the five record signatures strict framing refuses.
      for (const signature of ['504b0102', '504b0304', '504b0506', '504b0606', '504b0607']) {
        assert.equal(holdsZipRecordSignature(Buffer.from(`00${signature}00`, 'hex')), true, signature);
      }
      assert.equal(holdsZipRecordSignature(Buffer.from('504b0708504b05', 'hex')), false);
    });

    it('finding 1: a certificate holding a zip record signature is refused before signing (re-signing cannot change it), and nothing is written', async () => {
      const dir = await tempDir('mcpseal-legacy-pk-');
      try {
        const key = join(dir.path, 'pk.key');
        const cert = join(dir.path, 'pk.pem');
        // An extension whose value is the bytes of an end of central directory record's signature.
        tool('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', '/CN=mcpseal PK publisher', '-addext', 'extendedKeyUsage=codeSigning', '-addext', '1.3.6.1.4.1.99999.2=DER:504B0506']);
        const file = join(dir.path, 'pk.mcpb');
        await copyFile(unsigned, file);
        await rejectsWith(signLegacy(file, { certPem: await readFile(cert, 'utf8'), keyPem: await readFile(key, 'utf8') }), 'USAGE_INVALID_ARGUMENT');
        assert.ok((await readFile(file)).equals(await readFile(unsigned)));
        assert.deepEqual((await readdir(dir.path)).sort(), ['pk.key', 'pk.mcpb', 'pk.pem']);
      } finally {
        await dir.cleanup();
      }
    });
  });
});
