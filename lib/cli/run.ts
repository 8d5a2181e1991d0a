// `run`: for now only `run <name> --print-plan`, the launch plan of an installed bundle (README
// "run --print-plan"). Launching itself needs the sandbox backends, which are not built yet: a
// plain `run` refuses rather than starting a server unconfined.

import { MCPSealError } from '../errors.ts';
import type { LaunchPlan } from '../launch/plan.ts';
import { COMMON_OPTIONS, LIMIT_OPTIONS, limitsFrom, parse, positionals } from './args.ts';
import type { Command } from './command.ts';
import { STORE_HELP, STORE_OPTIONS, storeOf } from './install.ts';
import { EXIT_OK } from './output.ts';

export const RUN_COMMANDS: Record<string, Command> = {
  run: {
    summary: 'show the sandboxed launch plan of an installed bundle (--print-plan)',
    help: `Usage: mcpseal run <name> --print-plan [--json] [options]

Prints what a sandboxed launch of the installed bundle <name> would run and allow, without
starting anything: the command line (platform override applied, every variable substituted:
\${__dirname} is the store tree, \${HOME} a private home <store>/home/<name>, user_config answers
from the lock, env:NAME answers read from the environment now), the environment (declared keys
only, plus PATH, HOME, LANG), the filesystem view (read-only: system directories, the bundle, the
granted read paths; read-write: the granted write paths and the private home; a private /tmp;
roots and cwd granted at run time), the network (egress host:port, user-driven egress, listen; no
egress means no network) and the process rules (spawn, workers, native addons).

Launching is not implemented yet: without --print-plan, run refuses (USAGE_INVALID_ARGUMENT).

Options:
  --print-plan  print the plan (required for now)
  --json        print { ok, plan } on stdout
  -h, --help    show this help

${STORE_HELP}

Exit status: 0 printed, 2 usage or I/O error (INSTALL_NOT_INSTALLED, LAUNCH_CONFIG_MISSING).`,
    async run(args, output, context) {
      const { values, positionals: given } = parse(args, { ...COMMON_OPTIONS, ...LIMIT_OPTIONS, ...STORE_OPTIONS, 'print-plan': { type: 'boolean' } });
      const [name] = positionals(given, ['name']);
      if (values['print-plan'] !== true) {
        throw new MCPSealError('USAGE_INVALID_ARGUMENT', 'launching is not implemented yet; use --print-plan to see what a sandboxed launch would run and allow');
      }
      const { runPlan } = await import('../run-plan.ts');
      const plan = await runPlan(name!, { ...(await storeOf(values, context)), env: context.env, limits: limitsFrom(values), ...(context.env['HOME'] ? { home: context.env['HOME'] } : {}) });
      output.result({ plan }, () => planLines(plan));
      return EXIT_OK;
    },
  },
};

function planLines(plan: LaunchPlan): string[] {
  const list = (items: readonly string[]): string[] => (items.length === 0 ? ['  (none)'] : items.map((item) => `  ${item}`));
  const { filesystem: fs, network: net } = plan;
  return [
    `plan for ${plan.name} ${plan.version} (${plan.platform}), NOT started (launching is not implemented yet)`,
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
    `run time:      roots ${fs.runtime.roots}, cwd ${fs.runtime.cwd}`,
    `network:       ${net.none ? 'none (no network namespace access)' : `egress ${net.egress.length === 0 ? '(none)' : net.egress.join(', ')}${net.userDriven ? `; user-driven on ports ${net.userDriven.ports.join(', ')} (${net.userDriven.reason})` : ''}; listen ${net.listen ? 'yes' : 'no'}`}`,
    `process:       spawn ${plan.process.spawn.length === 0 ? '(none)' : plan.process.spawn.join(', ')}; workers ${plan.process.workers ? 'yes' : 'no'}; native addons ${plan.process.nativeAddons ? 'yes' : 'no'}`,
  ];
}
