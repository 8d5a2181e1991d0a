// The pure rules of install (issue 11 item 3): semver precedence for INSTALL_DOWNGRADE, and what
// counts as a wider grant for SCOPE_ESCALATION, as tables.

import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { grantEscalations } from '../lib/install/grants.ts';
import type { LockGrants } from '../lib/install/lockfile.ts';
import { compareVersions } from '../lib/install/version.ts';

const BASE: LockGrants = {
  read: ['/store/sha256/aaa', '/home/u/notes'],
  write: [],
  egress: ['api.example.com:443'],
  listen: false,
  spawn: [],
  workers: false,
  nativeAddons: false,
  env: { read: ['A'], secrets: [] },
  runtime: { roots: 'read', cwd: 'none', userDriven: null },
};

describe('install rules', () => {
  it('versions compare by Semantic Versioning precedence; non-semver is never ordered', () => {
    const cases: [string, string, number | null][] = [
      ['1.0.0', '1.0.0', 0],
      ['1.0.0', '1.0.1', -1],
      ['1.10.0', '1.9.0', 1],
      ['2.0.0', '10.0.0', -1],
      ['1.0.0-alpha', '1.0.0', -1],
      ['1.0.0-alpha.2', '1.0.0-alpha.10', -1],
      ['1.0.0-alpha', '1.0.0-alpha.1', -1],
      ['1.0.0-1', '1.0.0-alpha', -1],
      ['1.0.0+build.1', '1.0.0+build.2', 0],
      ['v1.2.3', '1.2.3', 0],
      ['2024.1', '2023.9', null],
      ['latest', '1.0.0', null],
    ];
    for (const [a, b, expected] of cases) assert.equal(compareVersions(a, b), expected, `${a} vs ${b}`);
  });

  it('a grant is wider only when it reaches further: paths segment-wise, new host:port, switches on, runtime raised', () => {
    const cases: [string, Partial<LockGrants>, string[]][] = [
      ['the same', {}, []],
      ['a narrower path', { read: ['/store/sha256/aaa', '/home/u/notes/2026'] }, []],
      ['a sibling with a shared prefix is not inside', { read: ['/store/sha256/aaa', '/home/u/notes-old'] }, ['filesystem.read']],
      ['the parent', { read: ['/home/u'] }, ['filesystem.read']],
      ['a write path', { write: ['/home/u/notes'] }, ['filesystem.write']],
      ['another port', { egress: ['api.example.com:443', 'api.example.com:8443'] }, ['network.egress']],
      ['fewer hosts', { egress: [] }, []],
      ['listen on', { listen: true }, ['network.listen']],
      ['a spawned program', { spawn: ['git'] }, ['process.spawn']],
      ['workers on', { workers: true }, ['process.workers']],
      ['a secret', { env: { read: ['A'], secrets: ['A'] } }, ['env.secrets']],
      ['roots read -> write', { runtime: { roots: 'write', cwd: 'none', userDriven: null } }, ['filesystem.roots']],
      ['roots read -> none', { runtime: { roots: 'none', cwd: 'none', userDriven: null } }, []],
      ['user-driven egress added', { runtime: { roots: 'read', cwd: 'none', userDriven: { reason: 'fetch', ports: [443] } } }, ['network.userDriven']],
    ];
    for (const [title, change, expected] of cases) {
      const found = grantEscalations(BASE, { ...BASE, ...change });
      assert.deepEqual(found.map((item) => item.scope), expected, title);
    }
  });

  it("the new version's own tree stands in for the old one's", () => {
    const next = { ...BASE, read: ['/store/sha256/bbb', '/home/u/notes'] };
    assert.deepEqual(grantEscalations(BASE, next, { previous: '/store/sha256/aaa', next: '/store/sha256/bbb' }), []);
    assert.deepEqual(grantEscalations(BASE, next).map((item) => item.scope), ['filesystem.read'], 'without the trees, another directory is another path');
  });
});
