// The runtime's system directories a sandboxed server sees read-only, per platform, in one place
// (DESIGN.md "Launching under the scopes"): what a node or python interpreter and the dynamic
// loader need to start, TLS roots and name resolution. Nothing of the user's home is here.
// A path missing on a machine is skipped by the backend, never created.

import type { Platform } from '../scopes/variables.ts';

export const SYSTEM_READ_PATHS: Readonly<Record<Platform, readonly string[]>> = Object.freeze({
  linux: [
    // Interpreters, shared libraries and the loader (usr-merged and split layouts).
    '/usr',
    '/bin',
    '/sbin',
    '/lib',
    '/lib32',
    '/lib64',
    '/etc/ld.so.cache',
    '/etc/alternatives',
    // TLS roots (Debian, Fedora) and name resolution.
    '/etc/ssl',
    '/etc/ca-certificates',
    '/etc/pki',
    '/etc/resolv.conf',
    '/etc/hosts',
    '/etc/nsswitch.conf',
    '/etc/localtime',
  ],
  darwin: ['/usr', '/bin', '/System', '/Library/Frameworks', '/opt/homebrew', '/private/etc/ssl', '/private/etc/resolv.conf', '/private/etc/hosts', '/private/var/db/timezone'],
  // No sandbox backend on Windows: the plan lists no system paths there.
  win32: [],
});

/** The PATH a server gets: the system directories only, never the user's. */
export const MINIMAL_PATH = '/usr/local/bin:/usr/bin:/bin';
