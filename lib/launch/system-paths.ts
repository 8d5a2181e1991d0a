// The runtime's system directories a sandboxed server sees read-only, per platform, in one place
// (DESIGN.md "Launching under the scopes"): what a node or python interpreter and the dynamic
// loader need to start, TLS roots and name resolution. Nothing of the user's home is here.
// A path missing on a machine is skipped by the backend, never created.
//
// The directories that hold programs (/usr/bin, /bin, /sbin, ...) are apart: a server whose
// `process.spawn` is empty does not see them at all (an empty executable view: `/bin/sh` does not
// exist in its sandbox), and the interpreter that runs it is bound by itself, resolved at launch.

import type { Platform } from '../scopes/variables.ts';

export const SYSTEM_READ_PATHS: Readonly<Record<Platform, readonly string[]>> = Object.freeze({
  linux: [
    // Shared libraries and the loader (usr-merged and split layouts); Python's system stdlib.
    '/usr/lib',
    '/usr/lib32',
    '/usr/lib64',
    '/lib',
    '/lib32',
    '/lib64',
    '/etc/ld.so.cache',
    // TLS roots (Debian, Fedora), time zones and name resolution.
    '/usr/share/ca-certificates',
    '/usr/share/zoneinfo',
    '/etc/ssl',
    '/etc/ca-certificates',
    '/etc/pki',
    '/etc/resolv.conf',
    '/etc/hosts',
    '/etc/nsswitch.conf',
    '/etc/localtime',
  ],
  darwin: ['/usr/lib', '/System', '/Library/Frameworks', '/private/etc/ssl', '/private/etc/resolv.conf', '/private/etc/hosts', '/private/var/db/timezone'],
  // No sandbox backend on Windows: the plan lists no system paths there.
  win32: [],
});

/** The directories of programs, visible only to a server granted `process.spawn`. */
export const SYSTEM_PROGRAM_PATHS: Readonly<Record<Platform, readonly string[]>> = Object.freeze({
  linux: ['/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin', '/usr/libexec', '/etc/alternatives'],
  darwin: ['/usr/bin', '/bin', '/usr/sbin', '/sbin', '/usr/libexec', '/opt/homebrew'],
  win32: [],
});

/** The PATH a server gets: the system directories only, never the user's. */
export const MINIMAL_PATH = '/usr/local/bin:/usr/bin:/bin';
