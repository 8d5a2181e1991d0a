// The Sigstore bundle's DSSE payload decoded straight from the sidecar's bytes (issue 14: memory
// flat in the number of entries). The payload is the in-toto statement, which lists every archive
// entry: 5.7 MB for 40,000 entries, 7.7 MB of base64 in the sidecar. Parsed as JSON, the sidecar
// becomes a 7.7 MB text, a 7.7 MB base64 string, and (@sigstore/protobuf-specs' Envelope.fromJSON:
// Buffer.from, Uint8Array.from, Buffer.from) three 5.7 MB copies of the payload, all alive or not
// yet collected when the pass over the archive starts. Here the base64 is decoded in 64 KiB
// pieces into one Buffer, and the rest of the sidecar is parsed as before with a stand-in value.
//
// The result is the bundle bundleFromJSON gives, or null (then the caller parses the whole text):
// - the stand-in is 24 random bytes, which must come out as `dsseEnvelope.payload` (a later
//   duplicate key, or a cut at another place, leaves something else there);
// - the cut text is canonical base64 only (what `toString('base64')` writes back, `=` only at the
//   end): inside a JSON string such a text means itself, so replacing it by other base64 keeps the
//   document's structure, and decoding it in pieces of a multiple of 4 characters gives the bytes
//   Buffer.from(text, 'base64') gives for the whole;
// - anything that does not parse this way goes to the whole parse, which decides.

import { randomBytes } from 'node:crypto';
import type { Bundle } from '@sigstore/bundle';
import { parseSigstoreBundle } from './verify.ts';

const KEY = Buffer.from('"payload":', 'utf8');
const PIECE = 64 * 1024;
const QUOTE = 0x22;
const PAD = 0x3d;

/** The bundle in `bytes` with its DSSE payload decoded in pieces, or null when this way does not apply. */
export function parseBundleWithPayload(bytes: Buffer): Bundle | null {
  const key = bytes.indexOf(KEY);
  if (key < 0) return null;
  let quote = key + KEY.length;
  while (quote < bytes.length && (bytes[quote] === 0x20 || bytes[quote] === 0x0a || bytes[quote] === 0x0d || bytes[quote] === 0x09)) quote++;
  if (bytes[quote] !== QUOTE) return null;
  const from = quote + 1;
  const to = bytes.indexOf(QUOTE, from);
  if (to < 0) return null;
  const payload = decodeCanonicalBase64(bytes, from, to);
  if (payload === null || payload.length === 0) return null;
  const standIn = randomBytes(24);
  let bundle: Bundle;
  try {
    bundle = parseSigstoreBundle(`${bytes.toString('utf8', 0, from)}${standIn.toString('base64')}${bytes.toString('utf8', to)}`, Number.POSITIVE_INFINITY);
  } catch {
    return null;
  }
  if (bundle.content.$case !== 'dsseEnvelope' || !bundle.content.dsseEnvelope.payload.equals(standIn)) return null;
  bundle.content.dsseEnvelope.payload = payload;
  return bundle;
}

/** The bytes of canonical base64 text `bytes[from, to)`, decoded piece by piece; null for any other text. */
function decodeCanonicalBase64(bytes: Buffer, from: number, to: number): Buffer | null {
  const length = to - from;
  if (length % 4 !== 0 || length === 0) return null;
  const padding = (bytes[to - 1] === PAD ? 1 : 0) + (bytes[to - 2] === PAD ? 1 : 0);
  const decoded = Buffer.alloc((length / 4) * 3 - padding);
  let written = 0;
  for (let at = from; at < to; at += PIECE) {
    const end = Math.min(at + PIECE, to);
    const text = bytes.toString('latin1', at, end);
    // Only the last piece may end in padding: `=` inside the text would stop a whole decode.
    if (end < to && text.charCodeAt(text.length - 1) === PAD) return null;
    const count = decoded.write(text, written, 'base64');
    if (decoded.toString('base64', written, written + count) !== text) return null;
    written += count;
  }
  return written === decoded.length ? decoded : null;
}
