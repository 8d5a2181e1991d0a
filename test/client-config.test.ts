// `mcpseal client-config` (issue 12 item 7): each client's format with absolute paths, --write
// merging into an existing file (every other entry kept, a backup first), a malformed file
// refused and left untouched. Real CLI processes.

import assert from 'node:assert/strict';
import { chmod, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { clientConfig, writeClientConfig } from '../lib/client-config.ts';
import { BIN, jsonOf, runCli, runMain, tempDir } from './helpers/cli.ts';
import { pinningFixture, type PinningFixture } from './helpers/pinning.ts';

describe('client-config', function () {
  this.timeout(60_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let fixture: PinningFixture;
  before(async () => {
    tmp = await tempDir('mcpseal-client-config-');
    fixture = await pinningFixture(tmp.path, 'notes');
  });
  after(async () => tmp.cleanup());

  const expectedArgs = (): string[] => [BIN, 'run', 'notes', '--store', fixture.store];

  const FORMATS: { client: string; container: string; entry: (args: string[]) => Record<string, unknown> }[] = [
    { client: 'claude-desktop', container: 'mcpServers', entry: (args) => ({ command: process.execPath, args }) },
    { client: 'claude-code', container: 'mcpServers', entry: (args) => ({ type: 'stdio', command: process.execPath, args, env: {} }) },
    { client: 'vscode', container: 'servers', entry: (args) => ({ type: 'stdio', command: process.execPath, args }) },
    { client: 'cursor', container: 'mcpServers', entry: (args) => ({ command: process.execPath, args }) },
  ];

  for (const format of FORMATS) {
    it(`--client ${format.client}: ${format.container}.notes launches "mcpseal run notes" with absolute node, bin and --store`, async () => {
      const result = await runCli(['client-config', 'notes', '--client', format.client, '--store', fixture.store]);
      assert.equal(result.status, 0, result.stderr);
      const document = JSON.parse(result.stdout) as Record<string, Record<string, Record<string, unknown>>>;
      assert.deepEqual(document, { [format.container]: { notes: format.entry(expectedArgs()) } });
      const entry = document[format.container]!['notes'];
      assert.ok([entry['command'], ...(entry['args'] as string[]).filter((arg) => arg.startsWith('/'))].every((path) => isAbsolute(path as string)));
    });
  }

  it('the default store is not named; --lock is passed on, absolute', async () => {
    const home = join(tmp.path, 'home');
    const store = join(home, '.local', 'share', 'mcpseal');
    await mkdir(store, { recursive: true });
    await writeFile(join(store, 'mcpseal.lock.json'), await readFile(fixture.lock));
    const plain = await runCli(['client-config', 'notes', '--client', 'cursor', '--json'], { env: { HOME: home, XDG_DATA_HOME: '' } });
    assert.equal(plain.status, 0, plain.stderr);
    assert.deepEqual((jsonOf(plain)['document'] as any).mcpServers.notes.args, [BIN, 'run', 'notes']);
    const withLock = await runCli(['client-config', 'notes', '--client', 'cursor', '--lock', fixture.lock, '--json'], { env: { HOME: home, XDG_DATA_HOME: '' }, cwd: tmp.path });
    assert.deepEqual((jsonOf(withLock)['document'] as any).mcpServers.notes.args, [BIN, 'run', 'notes', '--lock', fixture.lock]);
  });

  it('--root DIR (repeatable) is passed on to run as --root with an absolute path', async () => {
    const result = await runCli(['client-config', 'notes', '--client', 'cursor', '--store', fixture.store, '--root', 'projects', '--root', '/srv/data', '--json'], { cwd: tmp.path });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual((jsonOf(result)['document'] as any).mcpServers.notes.args.slice(-4), ['--root', join(tmp.path, 'projects'), '--root', '/srv/data']);
  });

  it('--write merges into an existing file: every other key and server kept, a same-name entry replaced, a backup of the old bytes first, mode kept', async () => {
    const file = join(tmp.path, 'claude_desktop_config.json');
    const original = `${JSON.stringify({ globalShortcut: 'Ctrl+Space', mcpServers: { other: { command: 'npx', args: ['-y', 'other-server'], env: { K: 'v' } }, notes: { command: 'old' } } }, null, 4)}\n`;
    await writeFile(file, original);
    await chmod(file, 0o600);
    const result = await runCli(['client-config', 'notes', '--client', 'claude-desktop', '--store', fixture.store, '--write', file, '--json']);
    assert.equal(result.status, 0, result.stderr);
    const report = jsonOf(result);
    assert.equal(report['replaced'], true);
    const written = JSON.parse(await readFile(file, 'utf8'));
    assert.equal(written.globalShortcut, 'Ctrl+Space');
    assert.deepEqual(written.mcpServers.other, { command: 'npx', args: ['-y', 'other-server'], env: { K: 'v' } });
    assert.deepEqual(written.mcpServers.notes, { command: process.execPath, args: expectedArgs() });
    assert.deepEqual(Object.keys(written.mcpServers), ['other', 'notes']);
    assert.equal(await readFile(report['backup'] as string, 'utf8'), original);
    assert.match(report['backup'] as string, /claude_desktop_config\.json\.\d{4}-\d\d-\d\dT[\d-]+Z\.bak$/u);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    // No temporary file left beside it.
    assert.deepEqual((await readdir(tmp.path)).filter((name) => name.includes('.tmp')), []);
  });

  it('--write creates a missing file (and its directory) with only this entry, and no backup', async () => {
    const file = join(tmp.path, 'project', '.vscode', 'mcp.json');
    const result = await runCli(['client-config', 'notes', '--client', 'vscode', '--store', fixture.store, '--write', file]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /added servers\.notes in .*mcp\.json\nno previous file \(created\)/u);
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { servers: { notes: { type: 'stdio', command: process.execPath, args: expectedArgs() } } });
  });

  const MALFORMED: [string, string][] = [
    ['JSON with comments (VS Code style)', '{\n  // my servers\n  "servers": {}\n}\n'],
    ['not JSON', '{"mcpServers": {'],
    ['an array at the top', '[]'],
    ['a container that is not an object', '{"mcpServers": ["x"]}'],
  ];
  for (const [title, content] of MALFORMED) {
    it(`--write into a malformed file (${title}): CLIENT_CONFIG_INVALID, exit 2, the file untouched and no backup`, async () => {
      const dir = join(tmp.path, `bad-${MALFORMED.findIndex(([t]) => t === title)}`);
      await mkdir(dir);
      const file = join(dir, 'mcp.json');
      await writeFile(file, content);
      const result = await runCli(['client-config', 'notes', '--client', title.includes('VS Code') ? 'vscode' : 'cursor', '--store', fixture.store, '--write', file, '--json']);
      assert.equal(result.status, 2, result.stderr);
      assert.equal((jsonOf(result)['error'] as { code: string }).code, 'CLIENT_CONFIG_INVALID');
      assert.equal(await readFile(file, 'utf8'), content);
      assert.deepEqual(await readdir(dir), ['mcp.json']);
    });
  }

  it('--write through a symlink writes the file it names and keeps the link', async () => {
    const dir = join(tmp.path, 'linked');
    await mkdir(dir);
    const real = join(dir, 'real.json');
    const link = join(dir, 'link.json');
    await writeFile(real, '{"mcpServers":{}}');
    await symlink(real, link);
    const config = await clientConfig('notes', { store: fixture.store, client: 'cursor', launcher: [process.execPath, BIN], storeFlag: false });
    const written = await writeClientConfig(link, config, () => new Date('2026-01-02T03:04:05.678Z'));
    assert.equal(written.file, real);
    assert.equal(written.backup, `${real}.2026-01-02T03-04-05-678Z.bak`);
    assert.ok((await import('node:fs')).lstatSync(link).isSymbolicLink());
    assert.deepEqual(Object.keys((JSON.parse(await readFile(real, 'utf8'))).mcpServers), ['notes']);
  });

  it('tools and client-config have --help and are listed by mcpseal --help', async () => {
    for (const command of ['tools', 'client-config']) {
      const help = await runMain([command, '--help']);
      assert.equal(help.status, 0);
      assert.match(help.stdout, new RegExp(`^Usage: mcpseal ${command} `, 'u'));
      assert.match(help.stdout, /Exit status: 0/u);
    }
    const usage = await runMain(['--help']);
    assert.match(usage.stdout, /^ {2}tools {2,}show or accept the tool pins/mu);
    assert.match(usage.stdout, /^ {2}client-config {2}print \(or merge into a file\) the MCP client entry/mu);
  });

  it('a name that is not installed: INSTALL_NOT_INSTALLED (exit 2); an unknown client: USAGE_INVALID_ARGUMENT', async () => {
    const missing = await runCli(['client-config', 'absent', '--client', 'cursor', '--store', fixture.store]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /INSTALL_NOT_INSTALLED/u);
    const unknown = await runCli(['client-config', 'notes', '--client', 'emacs', '--store', fixture.store]);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /USAGE_INVALID_ARGUMENT: --client must be one of claude-desktop, claude-code, vscode, cursor/u);
  });
});
