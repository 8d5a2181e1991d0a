// The Node.js versions mcpseal runs on, and the one-line refusal for older ones (issue 14 item
// 7). The Sigstore 5 packages need Node ^22.22.2 or >=24.15 (package.json "engines"); Debian and
// Ubuntu ship Node 20. lib/index.ts imports this file first, and it checks the running Node when
// it loads: on an older Node, importing mcpseal fails here with one coded error before any module
// that needs a newer Node runs (its only import, errors.ts, links on old Nodes too).
// bin/node-check.js is the launcher's copy of the rule (the launcher runs before dist/ exists);
// test/runtime.test.ts holds the two equal.

import { MCPSealError } from './errors.ts';

/** package.json `engines.node`, as printed. */
export const SUPPORTED_NODE = '^22.22.2 || >=24.15';

/** Whether `version` (`process.versions.node`, e.g. `24.15.0`) is one mcpseal runs on. */
export function isSupportedNode(version: string): boolean {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  return major > 24 || (major === 24 && minor >= 15) || (major === 22 && (minor > 22 || (minor === 22 && patch >= 2)));
}

/** The one line an older Node gets: the version needed and how to get it. */
export function unsupportedNodeMessage(version: string): string {
  return `Node ${version} is not supported; mcpseal needs Node ^22.22.2 or >=24.15: install Node 24 (https://nodejs.org), or run with npx -y -p node@24 -c 'mcpseal ...'`;
}

/** Throws USAGE_UNSUPPORTED_RUNTIME on an older Node. */
export function assertSupportedNode(version: string = process.versions.node): void {
  if (!isSupportedNode(version)) {
    throw new MCPSealError('USAGE_UNSUPPORTED_RUNTIME', unsupportedNodeMessage(version), { details: { expected: SUPPORTED_NODE, found: version } });
  }
}

assertSupportedNode();
