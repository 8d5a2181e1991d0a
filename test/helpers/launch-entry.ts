// A lock entry for launch-plan tests: the bundle `notes` granted nothing but what a test adds.

import type { LaunchEntry } from '../../lib/launch/plan.ts';

export function launchEntry(over: { sha256: string; grants?: Partial<LaunchEntry['grants']>; userConfig?: LaunchEntry['userConfig'] }): LaunchEntry {
  return {
    name: 'notes',
    version: '1.0.0',
    sha256: over.sha256,
    grants: {
      read: [],
      write: [],
      egress: [],
      listen: false,
      spawn: [],
      workers: false,
      nativeAddons: false,
      env: { read: [], secrets: [] },
      runtime: { roots: 'none', cwd: 'none', userDriven: null },
      ...over.grants,
    },
    userConfig: over.userConfig ?? {},
  };
}
