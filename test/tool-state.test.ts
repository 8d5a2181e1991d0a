// Tool pins in the lockfile (issue 12 item 6): old locks stay readable, malformed pins are
// LOCK_INVALID, the relay's hooks write only the version they started from, an update keeps the
// pins, accept re-pins what run saw.

import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { recordEntry } from '../lib/install/installed.ts';
import { readLock, type LockEntry } from '../lib/install/lockfile.ts';
import { acceptPendingTools, pinnedTools, toolLockHooks } from '../lib/install/tool-state.ts';
import { tempDir } from './helpers/cli.ts';
import { pinningFixture, type PinningFixture } from './helpers/pinning.ts';

const H1 = '1'.repeat(64);
const H2 = '2'.repeat(64);

async function entryOf(fixture: PinningFixture, name = 'notes'): Promise<LockEntry> {
  return (await readLock(fixture.lock)).bundles[name]!;
}

async function editEntry(fixture: PinningFixture, change: (entry: Record<string, unknown>) => void): Promise<void> {
  const lock = JSON.parse(await readFile(fixture.lock, 'utf8')) as { bundles: Record<string, Record<string, unknown>> };
  change(lock.bundles['notes']!);
  await writeFile(fixture.lock, JSON.stringify(lock));
}

describe('tool pins in the lockfile', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let count = 0;
  const fresh = async (): Promise<PinningFixture> => pinningFixture(join(tmp.path, String(count++)), 'notes');
  before(async () => {
    tmp = await tempDir('mcpseal-tool-state-');
  });
  after(async () => tmp.cleanup());

  it('a lock written before pinning existed (tools: [], no toolsPinnedAt) is read as "not pinned yet"', async () => {
    const fixture = await fresh();
    assert.equal(pinnedTools(await entryOf(fixture)), undefined);
  });

  const MALFORMED: [string, (entry: Record<string, unknown>) => void][] = [
    ['a pin whose sha256 is not hex', (entry) => (entry['tools'] = [{ name: 'a', sha256: 'zz' }])],
    ['tools that is not a list', (entry) => (entry['tools'] = { a: H1 })],
    ['a pending change of an unknown kind', (entry) => (entry['toolsPending'] = [{ name: 'a', change: 'renamed', sha256: H1, pinned: null, seenAt: 'x' }])],
    ['toolsPinnedAt that is not a string', (entry) => (entry['toolsPinnedAt'] = 1)],
  ];
  for (const [title, change] of MALFORMED) {
    it(`malformed pins (${title}) are LOCK_INVALID, never read as "nothing pinned"`, async () => {
      const fixture = await fresh();
      await editEntry(fixture, change);
      await assert.rejects(readLock(fixture.lock), { code: 'LOCK_INVALID' });
    });
  }

  it('savePins writes sorted pins and toolsPinnedAt; savePending records and clears; neither touches a reinstalled version', async () => {
    const fixture = await fresh();
    const entry = await entryOf(fixture);
    const hooks = toolLockHooks({ store: fixture.store }, entry, () => new Date('2026-02-03T04:05:06.000Z'));
    assert.equal(hooks.pins, undefined);
    await hooks.savePins([{ name: 'b', sha256: H2 }, { name: 'a', sha256: H1 }]);
    let saved = await entryOf(fixture);
    assert.deepEqual(saved.tools, [{ name: 'a', sha256: H1 }, { name: 'b', sha256: H2 }]);
    assert.equal(saved.toolsPinnedAt, '2026-02-03T04:05:06.000Z');
    await hooks.savePending([{ name: 'b', change: 'changed', sha256: H1, pinned: H2 }]);
    saved = await entryOf(fixture);
    assert.deepEqual(saved.toolsPending, [{ name: 'b', change: 'changed', sha256: H1, pinned: H2, seenAt: '2026-02-03T04:05:06.000Z' }]);
    await hooks.savePending([]);
    assert.equal((await entryOf(fixture)).toolsPending, undefined);
    // A reinstall (another sha256) since the run started: the run's hooks write nothing.
    await editEntry(fixture, (current) => (current['sha256'] = 'c'.repeat(64)));
    const before = await readFile(fixture.lock, 'utf8');
    await hooks.savePins([{ name: 'z', sha256: H1 }]);
    assert.equal(await readFile(fixture.lock, 'utf8'), before);
  });

  it('savePending with nothing pending before or now does not write the lock (it runs at every start)', async () => {
    const fixture = await fresh();
    const hooks = toolLockHooks({ store: fixture.store }, await entryOf(fixture));
    const mtime = (await stat(fixture.lock)).mtimeMs;
    await hooks.savePending([]);
    assert.equal((await stat(fixture.lock)).mtimeMs, mtime);
  });

  it('accept re-pins pending changes (a removed tool loses its pin), or only the named ones', async () => {
    const fixture = await fresh();
    await editEntry(fixture, (entry) => {
      entry['tools'] = [{ name: 'a', sha256: H1 }, { name: 'gone', sha256: H1 }];
      entry['toolsPinnedAt'] = '2026-01-01T00:00:00.000Z';
      entry['toolsPending'] = [
        { name: 'a', change: 'changed', sha256: H2, pinned: H1, seenAt: 's' },
        { name: 'gone', change: 'removed', sha256: null, pinned: H1, seenAt: 's' },
        { name: 'new', change: 'new', sha256: H2, pinned: null, seenAt: 's' },
      ];
    });
    const partial = await acceptPendingTools({ store: fixture.store }, 'notes', ['new']);
    assert.deepEqual(partial.entry.tools.map((t) => t.name), ['a', 'gone', 'new']);
    assert.deepEqual(partial.remaining.map((c) => c.name), ['a', 'gone']);
    await assert.rejects(acceptPendingTools({ store: fixture.store }, 'notes', ['new']), { code: 'TOOLS_NOT_PENDING' });
    const all = await acceptPendingTools({ store: fixture.store }, 'notes');
    assert.deepEqual(all.entry.tools, [{ name: 'a', sha256: H2 }, { name: 'new', sha256: H2 }]);
    assert.equal((await entryOf(fixture)).toolsPending, undefined);
  });

  it('an update to a new version keeps the pins (its tool changes are withheld like a changed server\'s), drops pending changes', async () => {
    const fixture = await fresh();
    await mkdir(join(fixture.store, 'refs'), { recursive: true });
    await editEntry(fixture, (entry) => {
      entry['tools'] = [{ name: 'a', sha256: H1 }];
      entry['toolsPinnedAt'] = '2026-01-01T00:00:00.000Z';
      entry['toolsPending'] = [{ name: 'a', change: 'changed', sha256: H2, pinned: H1, seenAt: 's' }];
    });
    const previous = await entryOf(fixture);
    const { toolsPinnedAt: _at, toolsPending: _pending, ...rest } = previous;
    const update: LockEntry = { ...rest, version: '1.1.0', sha256: 'd'.repeat(64), tools: [] };
    const decision = await recordEntry({ store: fixture.store }, update, {});
    assert.equal(decision.outcome, 'updated');
    const recorded = await entryOf(fixture);
    assert.equal(recorded.version, '1.1.0');
    assert.deepEqual(recorded.tools, [{ name: 'a', sha256: H1 }]);
    assert.equal(recorded.toolsPinnedAt, '2026-01-01T00:00:00.000Z');
    assert.equal(recorded.toolsPending, undefined);
  });
});
