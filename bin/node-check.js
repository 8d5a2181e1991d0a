// The Node.js versions mcpseal runs on (package.json "engines"; the Sigstore 5 packages need
// them), in plain JavaScript that any Node parses: used by bin/mcpseal.js before anything else
// is loaded, and run directly by the npm scripts' pre-hooks (`node bin/node-check.js`), so an
// older Node stops with one line naming the version needed and how to get it. lib/runtime.ts is
// the library's copy (it cannot import this file); test/runtime.test.ts holds the two equal.
import { pathToFileURL } from 'node:url';

export const SUPPORTED_NODE = '^22.22.2 || >=24.15';

/** Whether `version` (`process.versions.node`) is one mcpseal runs on. */
export function isSupportedNode(version) {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  return major > 24 || (major === 24 && minor >= 15) || (major === 22 && (minor > 22 || (minor === 22 && patch >= 2)));
}

/** The one line an older Node gets. */
export function unsupportedNodeMessage(version) {
  return `Node ${version} is not supported; mcpseal needs Node ^22.22.2 or >=24.15: install Node 24 (https://nodejs.org), or run with npx -y -p node@24 -c 'mcpseal ...'`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href && !isSupportedNode(process.versions.node)) {
  process.stderr.write(`mcpseal: USAGE_UNSUPPORTED_RUNTIME: ${unsupportedNodeMessage(process.versions.node)}\n`);
  process.exit(2);
}
