// `client-config`: the MCP client entry that starts an installed bundle through `mcpseal run`
// (README "client-config").

import { fileURLToPath } from 'node:url';
import { MCPSealError } from '../errors.ts';
import { COMMON_OPTIONS, parse, positionals } from './args.ts';
import type { Command } from './command.ts';
import { STORE_HELP, STORE_OPTIONS, storeOf } from './store-options.ts';
import { EXIT_OK } from './output.ts';

const CLIENTS = ['claude-desktop', 'claude-code', 'vscode', 'cursor'] as const;

/** This mcpseal's own command line, absolute: the node running it and the package's bin/mcpseal.js. */
function launcher(): string[] {
  return [process.execPath, fileURLToPath(new URL('../../bin/mcpseal.js', import.meta.url))];
}

export const CLIENT_CONFIG_COMMANDS: Record<string, Command> = {
  'client-config': {
    help: `Usage: mcpseal client-config <name> --client claude-desktop|claude-code|vscode|cursor [--root DIR]... [--write FILE] [options]

Prints the entry that makes an MCP client start the installed bundle <name> through
"mcpseal run <name>" (sandboxed, tools pinned), with absolute paths: the node running this
mcpseal and its bin/mcpseal.js, plus --store (when it is not the default ~/.local/share/mcpseal)
and --lock (when given), so the client's own PATH and environment do not matter. Formats:
  claude-desktop  claude_desktop_config.json        mcpServers.<name> = { command, args }
  claude-code     .mcp.json                         mcpServers.<name> = { type: "stdio", command, args, env }
  vscode          .vscode/mcp.json                  servers.<name> = { type: "stdio", command, args }
  cursor          ~/.cursor/mcp.json, .cursor/mcp.json  mcpServers.<name> = { command, args }

With --write FILE the entry is merged into FILE: every other key and server is kept, an entry of
the same name is replaced, the old file is copied to FILE.<timestamp>.bak first, and the new one is
renamed into place (atomic, the old file's mode kept; a symlink is written through). A FILE that
is not a JSON object (comments included) is CLIENT_CONFIG_INVALID and left untouched; a missing
FILE is created.

Options:
  --client C    claude-desktop, claude-code, vscode or cursor (required)
  --write FILE  merge the entry into FILE instead of printing it
  --root DIR    pass "--root DIR" (absolute) to "mcpseal run": a directory shared with the server
                as an MCP root when it is granted filesystem.roots (repeatable; checked at run)
  --json        print one JSON document on stdout
  -h, --help    show this help

${STORE_HELP}

Exit status: 0 printed or written, 2 usage, I/O or config error (INSTALL_NOT_INSTALLED,
CLIENT_CONFIG_INVALID).`,
    async run(args, output, context) {
      const { values, positionals: given } = parse(args, { ...COMMON_OPTIONS, ...STORE_OPTIONS, client: { type: 'string' }, write: { type: 'string' }, root: { type: 'string', multiple: true } });
      const [name] = positionals(given, ['name']);
      const client = values['client'];
      if (typeof client !== 'string' || !(CLIENTS as readonly string[]).includes(client)) {
        throw new MCPSealError('USAGE_INVALID_ARGUMENT', `--client must be one of ${CLIENTS.join(', ')}`);
      }
      const location = await storeOf(values, context);
      const { defaultStoreDir } = await import('../install/store-dir.ts');
      const { clientConfig, writeClientConfig } = await import('../client-config.ts');
      // The client starts mcpseal with its own environment: name the store unless it is the plain default.
      const plainDefault = defaultStoreDir({}, context.env['HOME'] || undefined);
      const config = await clientConfig(name!, { ...location, client: client as (typeof CLIENTS)[number], launcher: launcher(), storeFlag: location.store !== plainDefault, roots: (values['root'] as string[] | undefined) ?? [] });
      const file = values['write'];
      if (typeof file !== 'string') {
        output.result({ client, name, document: config.document }, () => JSON.stringify(config.document, null, 2).split('\n'));
        return EXIT_OK;
      }
      const written = await writeClientConfig(file, config);
      output.result({ client, name, document: config.document, ...written }, () => [
        `${written.replaced ? 'replaced' : 'added'} ${config.container}.${name} in ${written.file}`,
        written.backup === null ? 'no previous file (created)' : `previous file saved as ${written.backup}`,
      ]);
      return EXIT_OK;
    },
  },
};
