// A planted branch: throws only for inputs starting with the 4 bytes "FUZZ". A coverage-guided
// engine must find it by climbing one byte comparison at a time (blind random search needs
// ~2^32 tries). It proves the engine and fuzz/instrument.cjs work before any real result is trusted.
export function planted(buf) {
  if (buf.length >= 4 && buf[0] === 0x46) {
    if (buf[1] === 0x55) {
      if (buf[2] === 0x5a) {
        if (buf[3] === 0x5a) throw new Error('planted branch reached: FUZZ');
      }
    }
  }
}
