// `run`: start an installed bundle's server for an MCP client, in a sandbox built from its granted
// scopes (README "run"), or print the plan without starting anything (`--print-plan`).
// The client speaks MCP over this process's stdin and stdout; they are connected to the server's
// through the tool-pinning relay (lib/launch/relay.ts), which pins the first tools/list into the lock.

import { MCPSealError } from '../errors.ts';
import type { LaunchPlan } from '../launch/plan.ts';
import type { SandboxChoice, ServerProcess } from '../launch/sandbox.ts';
import { COMMON_OPTIONS, LIMIT_OPTIONS, limitsFrom, parse, positionals } from './args.ts';
import type { Command } from './command.ts';
import { STORE_HELP, STORE_OPTIONS, storeOf } from './store-options.ts';
import { EXIT_OK } from './output.ts';

/** How long a server whose output ended may take to exit on its own before it is stopped. */
const LINGER_MS = 2000;
/** How long an interrupted run gives the server, its input closed, to exit on its own. */
const STOP_GRACE_MS = 1000;

const SANDBOXES: readonly SandboxChoice[] = ['auto', 'bwrap', 'seatbelt', 'none'];

export const RUN_COMMANDS: Record<string, Command> = {
  run: {
    help: `Usage: mcpseal run <name> [--root DIR]... [--sandbox auto|bwrap|seatbelt|none] [options]
       mcpseal run <name> --print-plan [--json] [options]

Starts the installed bundle <name> for an MCP client speaking over stdin and stdout (what
client-config writes into a client's configuration). Before every start the installed tree is
hashed again against the digests recorded at install: a changed, added or removed file refuses
the launch (INSTALL_TAMPERED). The server then runs in an OS sandbox built from its grants:
  - Linux (bubblewrap): new user, pid, ipc, uts, net namespaces; a cleared environment (declared
    keys only, plus PATH, HOME, LANG); a read-only view of the system libraries, its interpreter,
    the bundle and the granted read paths; the granted write paths and a private home read-write;
    a private /tmp; nothing else of the home; no /bin or /usr/bin unless process.spawn is granted,
    and with spawn empty Landlock refuses every further program (a perl launcher applies it).
  - macOS (Seatbelt): the same plan as a sandbox-exec profile.
  - Network: none, except the declared host:port pairs, through a proxy outside the sandbox
    (HTTPS_PROXY/HTTP_PROXY inside; declared 127.0.0.1:PORT services through port forwards). A
    refused connection prints "egress to HOST:PORT denied" on stderr.
  - Node servers also get --permission with the fs allowances and --allow-child-process,
    --allow-worker, --allow-addons only with their grants.
  - Run-time grants: with filesystem.roots, the directories given with --root are shared
    read-only or read-write per the grant, and the client's roots/list answer is filtered to what
    is shared (a root outside is dropped, with a line on stderr); with filesystem.cwd, this
    process's working directory is shared likewise and the server starts there. Never shared: /,
    the home directory or one above it, the store (LAUNCH_ROOT_REFUSED for a --root; a working
    directory like that is not shared, with a warning).

--print-plan prints what a launch would run and allow, without starting anything: the command line
(platform override applied, every variable substituted: \${__dirname} is the store tree, \${HOME} a
private home <store>/home/<name>, user_config answers from the lock, env:NAME answers read from the
environment now), the environment, the filesystem view, the network and the process rules.

Options:
  --sandbox S   auto (default: bwrap on Linux, seatbelt on macOS), bwrap, seatbelt, or none: none
                runs the server UNCONFINED and is never chosen unless named
  --root DIR    a directory the client gives the server as an MCP root (repeatable); refused
                unless the bundle is granted filesystem.roots
  --print-plan  print the plan instead of starting the server
  --json        with --print-plan: print { ok, plan } on stdout (errors are JSON either way)
  -h, --help    show this help

${STORE_HELP}

Exit status: the server's own exit status once it ran; before that, 1 for INSTALL_TAMPERED and 2
for a usage or I/O error (INSTALL_NOT_INSTALLED, LAUNCH_CONFIG_MISSING, SANDBOX_UNAVAILABLE).`,
    async run(args, output, context) {
      const { values, positionals: given } = parse(args, { ...COMMON_OPTIONS, ...LIMIT_OPTIONS, ...STORE_OPTIONS, 'print-plan': { type: 'boolean' }, sandbox: { type: 'string' }, root: { type: 'string', multiple: true } });
      const [name] = positionals(given, ['name']);
      const sandbox = values['sandbox'] ?? 'auto';
      if (typeof sandbox !== 'string' || !(SANDBOXES as readonly string[]).includes(sandbox)) {
        throw new MCPSealError('USAGE_INVALID_ARGUMENT', `--sandbox takes ${SANDBOXES.join(', ')}; got ${JSON.stringify(sandbox)}`);
      }
      const location = await storeOf(values, context);
      const roots = (values['root'] as string[] | undefined) ?? [];
      const options = { ...location, env: context.env, limits: limitsFrom(values), roots, cwd: process.cwd(), ...(context.env['HOME'] ? { home: context.env['HOME'] } : {}) };
      if (values['print-plan'] === true) {
        const { runPlan } = await import('../run-plan.ts');
        const plan = await runPlan(name!, options);
        output.result({ plan }, () => planLines(plan));
        return EXIT_OK;
      }
      const { runInstalled } = await import('../run-plan.ts');
      const { server, relay } = await runInstalled(name!, {
        ...options,
        sandbox: sandbox as SandboxChoice,
        onDenied: (denied) => output.warning(`egress to ${denied.host}:${denied.port} denied (${denied.reason}): ${name!} is not granted it in network.egress`),
      });
      for (const warning of server.warnings) output.warning(warning);
      // A server that exits while the client still writes: its stdin is gone, nothing to report.
      server.child.stdin.on('error', () => undefined);
      const exit = exitOf(server.child);
      exit.catch(() => undefined);
      try {
        // Tool names and descriptions in the relay's lines are the server's: output.warning escapes them.
        await relay({ input: process.stdin, output: process.stdout, warn: (line) => output.warning(line), ...(context.signal ? { signal: context.signal } : {}) });
        // The server's output ended: it is exiting (its own status is reported), or it closed
        // stdout and lingers: stopped after a grace period.
        const grace = new Promise<null>((resolve) => setTimeout(resolve, LINGER_MS, null).unref());
        const code = await Promise.race([exit, grace]);
        if (code !== null) return code;
        server.child.kill('SIGTERM');
        return await exit;
      } finally {
        await stopServer(server.child, exit);
        process.stdin.destroy();
        await server.cleanup();
      }
    },
  },
};

/** The server's exit status (128 + signal number when killed). */
function exitOf(child: ServerProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      reject(new MCPSealError('SANDBOX_UNAVAILABLE', `the sandbox could not be started: ${error.message}`, { cause: error }));
    });
    child.once('close', (code, killedBy) => {
      resolve(code ?? 128 + (killedBy === null ? 0 : signalNumber(killedBy)));
    });
  });
}

/**
 * Stops a server still running when run ends (interrupted, or its output ended and it lingered)
 * the way MCP's stdio transport says a client shuts a server down (specification, Lifecycle,
 * Shutdown): its input closed first, then SIGTERM if it has not exited within STOP_GRACE_MS. A
 * server that exits on the end of its input does so cleanly: it finishes its own work, and Node
 * writes its compile cache then (launch/gate.ts), which a kill loses. A second Ctrl-C still exits
 * at once (bin/mcpseal.js), and bwrap's --die-with-parent takes the sandbox along.
 */
async function stopServer(child: ServerProcess, exit: Promise<number>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stdin.end();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(resolve, STOP_GRACE_MS, 'late');
  });
  const outcome = await Promise.race([exit.then(() => 'exited' as const, () => 'exited' as const), late]);
  clearTimeout(timer);
  if (outcome === 'late' && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    await exit.catch(() => undefined);
  }
}

function signalNumber(name: NodeJS.Signals): number {
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Partial<Record<NodeJS.Signals, number>>)[name] ?? 1;
}

function planLines(plan: LaunchPlan): string[] {
  const list = (items: readonly string[]): string[] => (items.length === 0 ? ['  (none)'] : items.map((item) => `  ${item}`));
  const { filesystem: fs, network: net } = plan;
  return [
    `plan for ${plan.name} ${plan.version} (${plan.platform}), NOT started (--print-plan)`,
    `tree:          ${plan.tree}`,
    `home:          ${plan.home} (private)`,
    'argv:',
    ...list(plan.argv.map((arg) => JSON.stringify(arg))),
    'env:',
    ...list(Object.entries(plan.env).map(([key, value]) => `${key}=${value}`)),
    'read-only:',
    ...list(fs.readOnly),
    'read-write:',
    ...list(fs.readWrite),
    `/tmp:          private`,
    `roots:         ${fs.runtime.roots === 'none' ? 'not granted' : `${fs.runtime.roots}: ${fs.runtime.rootPaths.length === 0 ? '(none given with --root)' : fs.runtime.rootPaths.join(', ')}`}`,
    `cwd:           ${fs.runtime.cwd === 'none' ? 'not granted' : `${fs.runtime.cwd}: ${fs.runtime.cwdPath ?? `not shared (${fs.runtime.cwdRefused ?? 'unknown'})`}`}`,
    `starts in:     ${plan.workdir}`,
    `network:       ${net.none ? 'none (no network namespace access)' : `egress ${net.egress.length === 0 ? '(none)' : net.egress.join(', ')}${net.userDriven ? `; user-driven on ports ${net.userDriven.ports.join(', ')} (${net.userDriven.reason})` : ''}; listen ${net.listen ? 'yes' : 'no'}`}`,
    `process:       spawn ${plan.process.spawn.length === 0 ? '(none)' : plan.process.spawn.join(', ')}; workers ${plan.process.workers ? 'yes' : 'no'}; native addons ${plan.process.nativeAddons ? 'yes' : 'no'}`,
  ];
}

