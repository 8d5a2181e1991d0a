// The MCP registry command: `registry entry`, the packages[] entry of a server.json for a bundle.

import { MCPSealError } from '../errors.ts';
import { COMMON_OPTIONS, LIMITS_HELP, LIMIT_OPTIONS, limitsFrom, parse, positionals } from './args.ts';
import type { Command } from './command.ts';
import { EXIT_OK } from './output.ts';

export const REGISTRY_COMMANDS: Record<string, Command> = {
  registry: {
    help: `Usage: mcpseal registry entry <file.mcpb> --url URL [options]

Prints the packages[] entry of an MCP registry server.json for <file.mcpb>: registryType "mcpb",
identifier (the https URL the file is downloaded from), version (the manifest's), fileSha256
(the sha256 of the whole file, exactly as published) and transport {"type": "stdio"}. The file
is read through the strict archive reader and its manifest validated (--profile) first: no entry
is printed for a bundle mcpseal would refuse. Sign the file before (signing writes a sidecar,
never the file, so the digest does not change), then paste the entry into server.json.

Text mode prints only the entry (JSON) on stdout, so "> entry.json" works.

Options:
  --url URL     the download URL of this exact file (https; the registry also requires "mcp"
                somewhere in it)
  --profile P   hardened (default) or compat
  --json        print { ok, file, sha256, manifestName, entry } on stdout
  -h, --help    show this help

${LIMITS_HELP}

Exit status: 0 printed, 1 the bundle was refused (ARCHIVE_*, MANIFEST_INVALID), 2 usage error
(a URL that is not https: USAGE_INVALID_ARGUMENT) or I/O error.`,
    async run(args, output, context) {
      const { values, positionals: given } = parse(args, { ...COMMON_OPTIONS, ...LIMIT_OPTIONS, url: { type: 'string' }, profile: { type: 'string' } });
      const [action, file] = positionals(given, ['action', 'file.mcpb']);
      if (action !== 'entry') throw new MCPSealError('USAGE_UNKNOWN_COMMAND', `unknown registry action "${action}"; the one action is "entry"`);
      const url = values['url'];
      if (typeof url !== 'string') throw new MCPSealError('USAGE_MISSING_ARGUMENT', 'missing --url (the https URL the file is downloaded from)');
      const profile = values['profile'] ?? 'hardened';
      if (profile !== 'hardened' && profile !== 'compat') throw new MCPSealError('USAGE_INVALID_ARGUMENT', '--profile must be hardened or compat');
      const { registryEntry } = await import('../registry-entry.ts');
      const result = await registryEntry(file!, { url, profile, limits: limitsFrom(values), ...(context.signal ? { signal: context.signal } : {}) });
      output.result({ file: result.file, sha256: result.sha256, manifestName: result.manifestName, entry: result.entry }, () => JSON.stringify(result.entry, null, 2).split('\n'));
      return EXIT_OK;
    },
  },
};
