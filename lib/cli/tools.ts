// `tools list|accept`: the tool pins `run` keeps in the lockfile (README "tools").

import { MCPSealError } from '../errors.ts';
import type { LockToolChange } from '../install/lockfile.ts';
import { COMMON_OPTIONS, parse, positionals } from './args.ts';
import type { Command } from './command.ts';
import { STORE_HELP, STORE_OPTIONS, storeOf } from './store-options.ts';
import { EXIT_OK } from './output.ts';

const short = (hash: string | null): string => (hash === null ? '(none)' : hash.slice(0, 16));

function changeLine(change: LockToolChange): string {
  const what = change.change === 'changed' ? `changed ${short(change.pinned)} -> ${short(change.sha256)}` : change.change === 'new' ? `new ${short(change.sha256)}` : `removed (was ${short(change.pinned)})`;
  return `  ${JSON.stringify(change.name)}: ${what}, seen ${change.seenAt}`;
}

export const TOOLS_COMMANDS: Record<string, Command> = {
  tools: {
    help: `Usage: mcpseal tools list <name> [--json] [options]
       mcpseal tools accept <name> [--tool T]... [--json] [options]

"mcpseal run" pins the tools of a bundle the first time it runs: one sha256 per tool over the
RFC 8785 canonical JSON of its name, description, inputSchema, outputSchema and annotations,
stored in the lock entry. Later runs withhold a changed or new tool from the client (and refuse
calls to it) and record the difference in the lock as pending.

  list     the pins and the pending changes
  accept   re-pin the live list "run" last saw: every pending change, or only the tools named by
           --tool (each must be pending: TOOLS_NOT_PENDING); a removed tool loses its pin. The
           next run shows the accepted tools to the client.

Options:
  --tool T      accept only tool T (repeatable)
  --json        print one JSON document on stdout
  -h, --help    show this help

${STORE_HELP}

Exit status: 0 done, 2 usage, I/O or lockfile error (INSTALL_NOT_INSTALLED, TOOLS_NOT_PENDING, LOCK_BUSY).`,
    async run(args, output, context) {
      const { values, positionals: given } = parse(args, { ...COMMON_OPTIONS, ...STORE_OPTIONS, tool: { type: 'string', multiple: true } });
      const [action, name] = positionals(given, ['action', 'name']);
      const location = await storeOf(values, context);
      const only = values['tool'] as string[] | undefined;
      const { listTools, acceptTools } = await import('../tools.ts');
      if (action === 'list') {
        if (only !== undefined) throw new MCPSealError('USAGE_INVALID_ARGUMENT', '--tool goes with "tools accept"');
        const report = await listTools(name!, location);
        output.result({ ...report }, () => [
          report.pinnedAt === null ? `${report.name} ${report.version}: no tools pinned yet (the first "mcpseal run" pins them)` : `${report.name} ${report.version}: ${report.tools.length} tools pinned at ${report.pinnedAt}`,
          ...report.tools.map((tool) => `  ${JSON.stringify(tool.name)}: ${short(tool.sha256)}`),
          ...(report.pending.length === 0 ? ['no pending changes'] : [`pending (withheld until "mcpseal tools accept ${report.name}"):`, ...report.pending.map(changeLine)]),
        ]);
        return EXIT_OK;
      }
      if (action !== 'accept') throw new MCPSealError('USAGE_UNKNOWN_COMMAND', `unknown tools action "${action}"; the actions are "list" and "accept"`);
      const result = await acceptTools(name!, location, only);
      output.result({ name, accepted: result.accepted, remaining: result.remaining, tools: result.entry.tools }, () => [
        result.accepted.length === 0 ? `${name}: nothing pending to accept` : `${name}: accepted ${result.accepted.length} change${result.accepted.length === 1 ? '' : 's'}`,
        ...result.accepted.map(changeLine),
        ...(result.remaining.length === 0 ? [] : ['still pending:', ...result.remaining.map(changeLine)]),
      ]);
      return EXIT_OK;
    },
  },
};
