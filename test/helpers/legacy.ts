// Helpers for the legacy MCPB_SIG_V1 tests: a small PKI made with the real `openssl` binary, the
// official `mcpb` CLI as a child process, yauzl in its strictest mode, and readable byte-level
// edits of a signed bundle (the hostile variants are built here, not committed as binaries).

import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import yauzl from 'yauzl';
import { ROOT } from './cli.ts';
import { tool } from './tree.ts';

export const MCPB = join(ROOT, 'node_modules', '.bin', 'mcpb');

export interface Credential {
  cert: string;
  key: string;
  certPem: string;
  keyPem: string;
}

export interface TestPki {
  /** Root CA (RSA; CA:TRUE, keyCertSign), the anchor for the CA-issued credentials. */
  ca: Credential;
  /** Self-signed (RSA), with the codeSigning EKU. */
  selfSigned: Credential;
  /** Issued by `ca`, codeSigning EKU, digitalSignature. */
  leaf: Credential;
  /** Intermediate CA (pathlen 0) issued by `ca`, and a codeSigning leaf issued by it. */
  intermediate: Credential;
  intermediateLeaf: Credential;
  /** A second root, ECDSA P-256. */
  ecCa: Credential;
  /** ECDSA P-256 codeSigning leaf issued by `ecCa`. */
  ecLeaf: Credential;
  /** `leaf`'s RSA key certified by `ecCa` (an ECDSA-signed certificate, which `mcpb sign` can still read). */
  ecIssuedLeaf: Credential;
  /** Issued by `ecCa` for serverAuth only: no codeSigning. */
  serverLeaf: Credential;
  /** Validity of the leaves, in days from now. */
  leafDays: number;
}

const LEAF_EXTENSIONS = 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n';
const RSA = ['-newkey', 'rsa:2048'];
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];

/**
 * Makes the test PKI under `dir` with openssl. The keys `mcpb sign` reads (its --cert, --key and
 * --intermediate) are RSA: node-forge handles nothing else.
 */
export function makeTestPki(dir: string): TestPki {
  const leafDays = 20;
  const path = (name: string): string => join(dir, name);
  const credential = (name: string, keyName = name): Credential => ({
    cert: path(`${name}.pem`),
    key: path(`${keyName}.key`),
    certPem: readFileSync(path(`${name}.pem`), 'utf8'),
    keyPem: readFileSync(path(`${keyName}.key`), 'utf8'),
  });
  const selfSignedCert = (name: string, subject: string, extensions: string[], key: string[]): Credential => {
    tool('openssl', ['req', '-x509', ...key, '-nodes', '-keyout', path(`${name}.key`), '-out', path(`${name}.pem`), '-days', '30', '-subj', subject, ...extensions.flatMap((e) => ['-addext', e])]);
    return credential(name);
  };
  let serial = 0x1000;
  /** Certifies the key of request `csr` (made here when `key` is given) with `issuer`'s key. */
  const issue = (name: string, subject: string, issuer: string, extensions: string, key: string[] | { csr: string }): Credential => {
    const csr = 'csr' in key ? key.csr : name;
    if (!('csr' in key)) tool('openssl', ['req', ...key, '-nodes', '-keyout', path(`${name}.key`), '-out', path(`${name}.csr`), '-subj', subject]);
    writeFileSync(path(`${name}.ext`), extensions);
    tool('openssl', [
      'x509', '-req', '-in', path(`${csr}.csr`), '-CA', path(`${issuer}.pem`), '-CAkey', path(`${issuer}.key`),
      '-set_serial', String(++serial), '-days', String(leafDays), '-out', path(`${name}.pem`), '-extfile', path(`${name}.ext`),
    ]);
    return credential(name, csr);
  };

  const ca = selfSignedCert('ca', '/CN=mcpseal test CA', ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'], RSA);
  const selfSigned = selfSignedCert('self', '/CN=mcpseal self-signed publisher', ['keyUsage=critical,digitalSignature', 'extendedKeyUsage=codeSigning'], RSA);
  const leaf = issue('leaf', '/CN=mcpseal test publisher', 'ca', LEAF_EXTENSIONS, RSA);
  const intermediate = issue(
    'intermediate',
    '/CN=mcpseal test intermediate',
    'ca',
    'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
    RSA,
  );
  const intermediateLeaf = issue('intermediate-leaf', '/CN=mcpseal publisher under intermediate', 'intermediate', LEAF_EXTENSIONS, RSA);
  const ecCa = selfSignedCert('ec-ca', '/CN=mcpseal test ECDSA CA', ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'], EC);
  const ecLeaf = issue('ec-leaf', '/CN=mcpseal ECDSA publisher', 'ec-ca', LEAF_EXTENSIONS, EC);
  const ecIssuedLeaf = issue('ec-issued-leaf', '/CN=mcpseal test publisher', 'ec-ca', LEAF_EXTENSIONS, { csr: 'leaf' });
  const serverLeaf = issue('server-leaf', '/CN=mcpseal TLS server', 'ec-ca', LEAF_EXTENSIONS.replace('codeSigning', 'serverAuth'), EC);
  return { ca, selfSigned, leaf, intermediate, intermediateLeaf, ecCa, ecLeaf, ecIssuedLeaf, serverLeaf, leafDays };
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the official `mcpb` CLI (asynchronously, so independent runs can overlap). */
export function mcpb(args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(MCPB, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/** Opens with yauzl's strictest options and reads every entry; resolves the entry names or rejects with yauzl's error. */
export function yauzlReadAll(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true, decodeStrings: true }, (error, zip) => {
      if (error || !zip) return reject(error ?? new Error('no zip'));
      const names: string[] = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(names));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError ?? new Error('no stream'));
          stream.on('data', () => {});
          stream.on('error', reject);
          stream.on('end', () => {
            names.push(entry.fileName);
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** Where the parts of an appended block lie in `file` (which must end with one). */
export function blockParts(file: Buffer, header = 'MCPB_SIG_V1', footer = 'MCPB_SIG_END'): { offset: number; derOffset: number; derLength: number; footerOffset: number; commentLengthOffset: number } {
  const offset = file.lastIndexOf(Buffer.from(header, 'latin1'));
  if (offset < 0) throw new Error(`no ${header} in the file`);
  const derLength = file.readUInt32LE(offset + header.length);
  const derOffset = offset + header.length + 4;
  const footerOffset = derOffset + derLength;
  if (!file.subarray(footerOffset).equals(Buffer.from(footer, 'latin1'))) throw new Error('the block does not end the file');
  return { offset, derOffset, derLength, footerOffset, commentLengthOffset: offset - 2 };
}

/** Rewrites an MCPB_SIG_V1 block as the DXT-era DXT_SIG_V1 ... DXT_SIG_END (same DER, same signed bytes). */
export function asDxtBlock(file: Buffer): Buffer {
  const parts = blockParts(file);
  if (file.readUInt16LE(parts.commentLengthOffset) !== 0) throw new Error('only for the comment-length-0 layout');
  return Buffer.concat([
    file.subarray(0, parts.offset),
    Buffer.from('DXT_SIG_V1', 'latin1'),
    file.subarray(parts.offset + 11, parts.footerOffset),
    Buffer.from('DXT_SIG_END', 'latin1'),
  ]);
}

/** The value octets of the one extension `oid` (dotted, as DER bytes below) in `der`, as a file range. */
export function extensionValueRange(file: Buffer, oidDer: Buffer): { start: number; end: number } {
  const at = file.indexOf(oidDer);
  if (at < 0 || file.indexOf(oidDer, at + 1) >= 0) throw new Error('expected exactly one occurrence of the extension');
  let p = at + oidDer.length;
  if (file[p] === 0x01) p += 3; // critical BOOLEAN
  if (file[p] !== 0x04 || file[p + 1]! >= 0x80) throw new Error('unexpected extension layout');
  return { start: p + 2, end: p + 2 + file[p + 1]! };
}

/** 06 03 55 1D 23: the DER of OID 2.5.29.35 (authorityKeyIdentifier). */
export const AKI_OID_DER = Buffer.from('0603551d23', 'hex');

// Rewriting the SignedData of a signed bundle, as an attacker without the key would: parse the
// block's DER with node-forge, change the tree, re-encode, and put the block back with its length
// field fixed (and the end record's comment length too when it covered the old block).

type Asn1 = forge.asn1.Asn1;
const asn1 = forge.asn1;

/** The fields of ContentInfo { id-signedData, [0] SignedData } of `der`: the SignedData SEQUENCE's children. */
export function signedDataFields(contentInfo: Asn1): Asn1[] {
  return ((((contentInfo.value as Asn1[])[1]!.value as Asn1[])[0]!)).value as Asn1[];
}

/** The fields of the one SignerInfo (the last field of SignedData is the SignerInfos SET). */
export function signerInfoFields(contentInfo: Asn1): Asn1[] {
  const fields = signedDataFields(contentInfo);
  return ((fields[fields.length - 1]!.value as Asn1[])[0]!).value as Asn1[];
}

/** Replaces the block's DER by `der` (any bytes), fixing the length field and a covering comment length. */
export function withBlockDer(file: Buffer, der: Buffer): Buffer {
  const parts = blockParts(file);
  const header = file.subarray(parts.offset, parts.derOffset - 4);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(der.length);
  const block = Buffer.concat([header, length, der, file.subarray(parts.footerOffset)]);
  const prefix = Buffer.from(file.subarray(0, parts.offset));
  // A comment length that covered the old block covers the new one (else the reader refuses the framing).
  if (prefix.readUInt16LE(parts.commentLengthOffset) !== 0) prefix.writeUInt16LE(block.length, parts.commentLengthOffset);
  return Buffer.concat([prefix, block]);
}

/** Parses the block's DER, lets `edit` change the tree, and writes it back re-encoded. */
export function editSignedData(file: Buffer, edit: (contentInfo: Asn1) => void): Buffer {
  const parts = blockParts(file);
  const contentInfo = asn1.fromDer(file.subarray(parts.derOffset, parts.footerOffset).toString('latin1'));
  edit(contentInfo);
  return withBlockDer(file, Buffer.from(asn1.toDer(contentInfo).getBytes(), 'latin1'));
}

/**
 * Adds unsignedAttrs [1] IMPLICIT SET OF Attribute (RFC 5652 §5.3) to the SignerInfo: one
 * attribute of type `oid` whose one value is an OCTET STRING holding `value`. The attribute is
 * the last thing in the DER, so `value` ends right where the block's footer starts.
 */
export function withUnsignedAttribute(file: Buffer, oid: string, value: Buffer): Buffer {
  return editSignedData(file, (contentInfo) => {
    const attribute = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, value.toString('latin1'))]),
    ]);
    signerInfoFields(contentInfo).push(asn1.create(asn1.Class.CONTEXT_SPECIFIC, 1, true, [attribute]));
  });
}

/**
 * A zip whose end record's comment length also covers the `trailing` bytes that will follow it
 * in the file (the block's footer): readers that search the file's tail for an end record then
 * take this one, and find a complete archive.
 */
export function zipCoveringTrailer(zip: Buffer, trailing: number): Buffer {
  const out = Buffer.from(zip);
  if (out.readUInt32LE(out.length - 22) !== 0x06054b50 || out.readUInt16LE(out.length - 2) !== 0) throw new Error('expected a zip without a comment');
  out.writeUInt16LE(trailing, out.length - 2);
  return out;
}

/** RFC 3161 timestamp token attribute (id-aa-signatureTimeStampToken, RFC 3161 Appendix A). */
export const TIMESTAMP_TOKEN_OID = '1.2.840.113549.1.9.16.2.14';

/**
 * The entry names two other readers list for `file`: Info-ZIP `unzip -Z1` (which warns about, and
 * then reads past, bytes before an archive) and Python's `zipfile`; null when one refuses it.
 */
export function otherReadersNames(file: string): { unzip: string[] | null; python: string[] | null } {
  const unzip = spawnSync('unzip', ['-Z1', file], { encoding: 'utf8' });
  const python = spawnSync('python3', ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', file], { encoding: 'utf8' });
  const names = (run: { status: number | null; stdout: string }, ok: number[]): string[] | null =>
    ok.includes(run.status ?? -1) ? run.stdout.split('\n').filter((line) => line !== '') : null;
  return { unzip: names(unzip, [0, 1]), python: names(python, [0]) };
}
