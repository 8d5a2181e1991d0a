// Issue 12 "Tests (real sandbox, real MCP client)": a hostile server, built here, installed with a
// key and a directory grant, then started through `mcpseal run` under the official MCP SDK client.
// Its `probe` tool tries each escape of the list, one call each; every forbidden attempt
// must fail and every declared one must work. The same probes run from a Node server and from a
// Python server (standard library only), so the OS layer, not Node's permission flags, is shown to
// hold. Needs bubblewrap, socat, perl and python3 (.ci/run installs them).

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { tempDir } from './helpers/cli.ts';
import { makeSigner } from './helpers/install.ts';
import type { Probe, ProbeResult } from './helpers/probe-servers.ts';
import { connectRun, install, probe, probeBundle, type RunningClient } from './helpers/sandbox.ts';

/** A loopback listener that greets each connection. */
async function greeter(greeting: string): Promise<Server> {
  const server = createServer((socket) => socket.end(greeting));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const portOf = (server: Server): number => (server.address() as AddressInfo).port;

interface World {
  home: string;
  data: string;
  store: string;
  tree: string;
  declaredPort: number;
  undeclaredPort: number;
}

interface Escape {
  title: string;
  attempt: (world: World) => Probe;
  /** true: must work (declared); false: must fail; 'python only': works for Python, Node's permission flags refuse it. */
  allowed: boolean | 'python only';
  /** Extra checks on the host afterwards. */
  check?: (world: World, result: ProbeResult, stderr: string) => Promise<void> | void;
}

const SECRET = '-----BEGIN OPENSSH PRIVATE KEY----- planted';
const LIBC = ['/usr/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/aarch64-linux-gnu/libc.so.6', '/usr/lib64/libc.so.6', '/lib64/libc.so.6'].find((path) => existsSync(path)) ?? '/usr/lib/libc.so.6';
const LOADER = process.arch === 'arm64' ? '/lib/ld-linux-aarch64.so.1' : '/lib64/ld-linux-x86-64.so.2';

const ESCAPES: Escape[] = [
  { title: 'read the planted ~/.ssh/id_rsa', attempt: (w) => ({ action: 'read', path: join(w.home, '.ssh', 'id_rsa') }), allowed: false },
  { title: 'list the home directory', attempt: (w) => ({ action: 'list', path: w.home }), allowed: false },
  {
    title: 'write outside the declared directory',
    attempt: (w) => ({ action: 'write', path: join(w.home, 'outside.txt') }),
    allowed: false,
    check: (w) => assert.ok(!existsSync(join(w.home, 'outside.txt')), 'nothing reached the host'),
  },
  {
    title: 'write into its own bundle tree',
    attempt: (w) => ({ action: 'write', path: join(w.tree, 'server', 'planted.js') }),
    allowed: false,
    check: (w) => assert.ok(!existsSync(join(w.tree, 'server', 'planted.js'))),
  },
  {
    title: 'write inside the declared directory (must work)',
    attempt: (w) => ({ action: 'write', path: join(w.data, 'inside.txt') }),
    allowed: true,
    check: async (w) => assert.equal(await readFile(join(w.data, 'inside.txt'), 'utf8'), 'written by the probe'),
  },
  { title: 'connect to a loopback listener on an undeclared port', attempt: (w) => ({ action: 'connect', host: '127.0.0.1', port: w.undeclaredPort }), allowed: false },
  {
    title: 'connect to the declared 127.0.0.1:PORT (must work)',
    attempt: (w) => ({ action: 'connect', host: '127.0.0.1', port: w.declaredPort }),
    allowed: true,
    check: (_w, result) => assert.equal(result.detail, 'connected: hello from the declared service'),
  },
  {
    title: 'connect to the declared port as "localhost" (must work: the forward listens on 127.0.0.1 and ::1)',
    attempt: (w) => ({ action: 'connect', host: 'localhost', port: w.declaredPort }),
    allowed: true,
    check: (_w, result) => assert.equal(result.detail, 'connected: hello from the declared service'),
  },
  {
    title: 'fetch an undeclared host name through the proxy',
    attempt: () => ({ action: 'fetch', url: 'https://undeclared.example.com/' }),
    allowed: false,
    check: (_w, _r, stderr) => assert.match(stderr, /egress to undeclared\.example\.com:443 denied \(not declared in network\.egress\)/u),
  },
  { title: 'spawn /bin/sh with process.spawn empty', attempt: () => ({ action: 'spawn', path: '/bin/sh' }), allowed: false },
  { title: 'spawn /usr/bin/env', attempt: () => ({ action: 'spawn', path: '/usr/bin/env' }), allowed: false },
  {
    // libc.so.6 is an executable ELF file (it prints its version) and must be in the view. Node's
    // flags refuse it first (ERR_ACCESS_DENIED); for Python only Landlock stands (EACCES).
    title: 'execute libc.so.6, an executable file in its view (Landlock refuses the execution itself)',
    attempt: () => ({ action: 'spawn', path: LIBC, args: [] }),
    allowed: false,
    check: (_w, result) => assert.match(result.detail, /ERR_ACCESS_DENIED|PermissionError: \[Errno 13\]/u),
  },
  // The ELF loader must stay executable (the interpreter needs it), so `ld.so PROGRAM` would run any
  // program in the view: none is left (no /usr/bin; the launcher's perl and socat copies are
  // deleted before the server starts).
  { title: 'run /usr/bin/socat through the ELF loader', attempt: () => ({ action: 'spawn', path: LOADER, args: ['/usr/bin/socat', '-V'] }), allowed: false },
  { title: 'run the system python3 through the ELF loader', attempt: () => ({ action: 'spawn', path: LOADER, args: ['/usr/bin/python3', '-c', 'print(1)'] }), allowed: false },
  { title: 'run the system perl through the ELF loader', attempt: () => ({ action: 'spawn', path: LOADER, args: ['/usr/bin/perl', '-e', 'print 1'] }), allowed: false },
  { title: 'run the launcher\'s own perl copy through the ELF loader', attempt: () => ({ action: 'spawn', path: LOADER, args: ['/tmp/.mcpseal-launcher/perl', '-e', 'print 1'] }), allowed: false },
  {
    // Node's flags do not let it read /proc; the Python server finds the directory.
    title: 'find the launcher\'s runtime directory in /proc/self/mountinfo: its bin/ is empty by the time the server runs',
    attempt: () => ({ action: 'read', path: '/proc/self/mountinfo' }),
    allowed: 'python only',
    check: (_w, result) => {
      if (!result.ok) return;
      const runtime = /\S*mcpseal-run-[^\s/]+/u.exec(result.detail)?.[0];
      assert.ok(runtime, 'the runtime directory is mounted');
      assert.ok(['python3', 'perl', 'socat'].every((name) => !existsSync(join(runtime, 'bin', name))), 'no copy on the host side either');
    },
  },
  {
    // bwrap reads its options (the --setenv values) from a pipe: pid 1 of the sandbox (bwrap) shows none.
    title: 'read the sandbox\'s pid 1 command line for the environment values given to bwrap',
    attempt: () => ({ action: 'read', path: '/proc/1/cmdline' }),
    allowed: 'python only',
    check: (_w, result) => {
      if (result.ok) assert.ok(!result.detail.includes('--setenv'), result.detail);
      // On the host, `ps` shows the running bwrap (ours: `--args 3`) with its command only.
      const ours = readdirSync('/proc')
        .filter((pid) => /^\d+$/u.test(pid))
        .map((pid) => {
          try {
            return readFileSync(`/proc/${pid}/cmdline`, 'latin1');
          } catch {
            return '';
          }
        })
        .filter((cmdline) => cmdline.includes('\0--args\x003\0'));
      assert.ok(ours.length > 0, 'the running bwrap is found');
      for (const cmdline of ours) assert.ok(!cmdline.includes('--setenv') && !cmdline.includes('--bind'), cmdline);
    },
  },
  { title: 'read an environment variable the parent has and the manifest does not declare', attempt: () => ({ action: 'env', name: 'MCPSEAL_PROBE_SECRET' }), allowed: false },
  {
    title: 'follow a symlink it creates in its writable directory to a file outside',
    attempt: (w) => ({ action: 'symlink', target: join(w.home, '.ssh', 'id_rsa'), link: join(w.data, 'link-to-key') }),
    allowed: false,
  },
];

for (const runtime of ['node', 'python'] as const) {
  describe(`run: a hostile ${runtime} server under bubblewrap, through the MCP SDK client`, function () {
    this.timeout(120_000);
    let tmp: { path: string; cleanup: () => Promise<void> };
    let world: World;
    let declared: Server;
    let undeclared: Server;
    let running: RunningClient;

    before(async () => {
      tmp = await tempDir(`mcpseal-sandbox-${runtime}-`);
      const root = await realpath(tmp.path);
      const home = join(root, 'home');
      const data = join(home, 'data');
      await mkdir(join(home, '.ssh'), { recursive: true });
      await mkdir(data);
      await writeFile(join(home, '.ssh', 'id_rsa'), SECRET);
      declared = await greeter('hello from the declared service');
      undeclared = await greeter('hello from an undeclared service');
      const signer = await makeSigner(root);
      const name = `probe-${runtime}`;
      const bundle = await probeBundle(root, signer, {
        name,
        runtime,
        args: ['${user_config.data}'],
        userConfig: { data: { type: 'directory', title: 'Data', description: 'where the server writes', required: true } },
        scopes: {
          filesystem: { read: ['${__dirname}'], write: ['${user_config.data}'] },
          network: { egress: [{ host: '127.0.0.1', ports: [portOf(declared)] }, { host: 'api.declared.test', ports: [443] }], listen: false },
        },
      });
      const store = join(root, 'store');
      await install(bundle, signer, store, { HOME: home }, [`data=${data}`]);
      const lock = JSON.parse(await readFile(join(store, 'mcpseal.lock.json'), 'utf8')) as { bundles: Record<string, { sha256: string }> };
      world = { home, data, store, tree: join(store, 'sha256', lock.bundles[name]!.sha256), declaredPort: portOf(declared), undeclaredPort: portOf(undeclared) };
      running = await connectRun(name, store, { PATH: process.env['PATH'] ?? '', HOME: home, MCPSEAL_PROBE_SECRET: 'parent-only' });
    });

    after(async () => {
      await running?.close();
      declared?.close();
      undeclared?.close();
      await tmp?.cleanup();
    });

    for (const escape of ESCAPES) {
      const allowed = escape.allowed === 'python only' ? runtime === 'python' : escape.allowed;
      it(`${allowed ? 'allowed' : 'refused'}: ${escape.title}`, async () => {
        const result = await probe(running.client, escape.attempt(world));
        assert.equal(result.ok, allowed, `${escape.title}: ${JSON.stringify(result)}\nstderr:\n${running.stderr()}`);
        if (!allowed) assert.ok(!result.detail.includes(SECRET), 'the secret never reaches the server');
        await escape.check?.(world, result, running.stderr());
      });
    }
  });
}
