// Whether deflate is worth running on a file, judged from its first bytes alone (so the decision,
// and pack's output, depend on the content only). Deflate runs at ~30 MB/s of CPU on random or
// already-compressed data (images, archives, fonts, packed wasm) and ends up storing it anyway;
// Info-ZIP deflates it all. The byte histogram of a 4 KiB sample costs microseconds on the main
// thread and tells those apart from text and code: deflate's Huffman stage alone brings data of
// order-0 entropy H to about H bits per byte, so H well below 8 always compresses, and data as
// even as random bytes almost never does.

/** Bytes of the start of the file whose histogram is taken. */
const SAMPLE_BYTES = 4096;
/** Below this, the sample is too small to tell random from merely varied: such files are deflated. */
const MIN_SAMPLE_BYTES = 1024;
/** How far under the entropy random bytes give a sample may still count as random (bits per byte). */
const RANDOM_MARGIN = 0.05;
/** Under this entropy (bits per byte), deflate always shrinks the data by far more than 2%. */
const COMPRESSIBLE_BELOW = 7;

/**
 * `random`: as even as random bytes, stored without trying; `compressible`: deflated without a
 * probe; `unclear`: worth a deflate probe on a larger file.
 */
export type Compressibility = 'random' | 'unclear' | 'compressible';

const counts = new Uint32Array(256);

export function sampleCompressibility(data: Uint8Array): Compressibility {
  const n = Math.min(data.length, SAMPLE_BYTES);
  if (n < MIN_SAMPLE_BYTES) return 'unclear';
  counts.fill(0);
  for (let i = 0; i < n; i++) counts[data[i]!]!++;
  // H = log2(n) - (1/n) * sum(c * log2(c))
  let sum = 0;
  for (let b = 0; b < 256; b++) {
    const c = counts[b]!;
    if (c > 1) sum += c * Math.log2(c);
  }
  const entropy = Math.log2(n) - sum / n;
  // Random bytes give a sample about 255 / (2 n ln 2) bits under 8 (the plug-in estimator's bias).
  if (entropy >= 8 - 255 / (2 * n * Math.LN2) - RANDOM_MARGIN) return 'random';
  return entropy < COMPRESSIBLE_BELOW ? 'compressible' : 'unclear';
}
