// The one rule for "this file is native code" (issue 8, bug 2: `scopes suggest` and the scope
// check carried different patterns, so a bundle shipping lib/libfoo.so.1 got a draft that
// validation refused). The scope check, `scopes suggest` and the analyzer all use this; it lives
// in the analysis layer, below scopes, so both can import it.

/**
 * Node addons (`.node`), shared libraries (`.so`, versioned `.so.1` / `.so.1.2.3` and anything
 * after `.so.N`, `.dylib`, `.dll`) and CPython extension modules on Windows (`.pyd`), in any
 * letter case (Windows and macOS file systems ignore it).
 */
const NATIVE_CODE = /\.(?:node|so|dylib|dll|pyd)$|\.so\.\d/iu;

export function isNativeCode(name: string): boolean {
  return NATIVE_CODE.test(name);
}

/** The native-code files among `files`, in their order. */
export function nativeCodeFiles(files: Iterable<string>): string[] {
  return [...files].filter(isNativeCode);
}
