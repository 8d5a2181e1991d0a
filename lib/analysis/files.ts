// Which files the analyzer reads and how it labels them: the language by extension, the server's
// own code versus a bundled dependency (node_modules, site-packages, a virtualenv, vendor/), and
// test files that ship but never run.

export type Language = 'javascript' | 'typescript' | 'python';

export interface FileRole {
  origin: 'own' | 'dependency';
  /** The dependency's package name. */
  package?: string;
  test: boolean;
}

/** The language of a source file, or undefined for anything else (declarations, data, binaries). */
export function languageOf(path: string): Language | undefined {
  if (/\.d\.[cm]?ts$/u.test(path)) return undefined;
  if (/\.(?:[cm]?js|jsx)$/u.test(path)) return 'javascript';
  if (/\.(?:[cm]?ts|tsx)$/u.test(path)) return 'typescript';
  if (/\.py$/u.test(path)) return 'python';
  return undefined;
}

const TEST = /(?:^|\/)(?:__tests__|__mocks__|tests?|spec)\/|\.(?:test|spec)\.[cm]?[jt]sx?$|(?:^|\/)test_[^/]*\.py$|_test\.py$/u;
/** A dependency's examples and demos ship in its package but are not what the server imports. */
const EXAMPLES = /(?:^|\/)(?:examples?|demos?)\//u;

/**
 * Own code or a dependency. `ownPackages` are package directories under node_modules that hold the
 * server itself (a bundle shipped as an installed npm package: its entry point is inside one).
 */
export function roleOf(path: string, ownPackages: readonly string[] = []): FileRole {
  const test = TEST.test(path);
  if (ownPackages.some((directory) => path.startsWith(`${directory}/`) && !path.slice(directory.length + 1).includes('node_modules/'))) {
    return { origin: 'own', test };
  }
  const node = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*\/node_modules\/)/u.exec(path);
  if (node) return { origin: 'dependency', package: node[1]!, test: test || EXAMPLES.test(path.slice(node.index)) };
  const python = /(?:^|\/)(?:site-packages|dist-packages)\/([^/]+)\//u.exec(path);
  if (python) return { origin: 'dependency', package: python[1]!.replace(/\.py$/u, ''), test };
  const vendored = /(?:^|\/)(?:\.venv|venv|vendor|third_party)\/([^/]+)/u.exec(path);
  if (vendored) return { origin: 'dependency', package: vendored[1]!, test };
  return { origin: 'own', test };
}

/** The package directory under node_modules that holds `entryPoint`, if it lies in one. */
export function ownPackageOf(entryPoint: string): string | undefined {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//u.exec(entryPoint);
  return match?.[1];
}
