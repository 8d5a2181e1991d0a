// The mcpseal command line: argument parsing and output only; every decision is the library's.

import { readFileSync } from 'node:fs';
import { MCPSealError } from '../errors.ts';
import type { Command } from './command.ts';
import { EXIT_FAILED, EXIT_OK, Output, type Streams } from './output.ts';

type Commands = Record<string, Command>;

// Start-up: a command's module (its help and its argument parsing) is imported only when that
// command runs or shows its help, and each module imports its pipeline only inside `run`; so
// "mcpseal --help" loads no command module and "mcpseal run" loads neither Sigstore nor the install
// stack. The summaries live here, once: the listing needs them without loading anything.
/**
 * The command modules by name: each name is its module's file name (./NAME.ts), which the bundle
 * build relies on to give every group its own file (scripts/build-cli.ts).
 */
export const COMMAND_GROUPS = {
  bundle: async (): Promise<Commands> => (await import('./bundle.ts')).BUNDLE_COMMANDS,
  signing: async (): Promise<Commands> => (await import('./signing.ts')).SIGNING_COMMANDS,
  registry: async (): Promise<Commands> => (await import('./registry.ts')).REGISTRY_COMMANDS,
  policy: async (): Promise<Commands> => (await import('./policy.ts')).POLICY_COMMANDS,
  install: async (): Promise<Commands> => (await import('./install.ts')).INSTALL_COMMANDS,
  run: async (): Promise<Commands> => (await import('./run.ts')).RUN_COMMANDS,
  tools: async (): Promise<Commands> => (await import('./tools.ts')).TOOLS_COMMANDS,
  'client-config': async (): Promise<Commands> => (await import('./client-config.ts')).CLIENT_CONFIG_COMMANDS,
  audit: async (): Promise<Commands> => (await import('./audit.ts')).AUDIT_COMMANDS,
} as const;

export type CommandGroup = keyof typeof COMMAND_GROUPS;

/** Every command, in the order "mcpseal --help" lists them: the publisher's flow, then the installer's, then tools. */
export const COMMANDS: Readonly<Record<string, { summary: string; group: CommandGroup }>> = {
  pack: { summary: 'pack a bundle directory into a deterministic .mcpb', group: 'bundle' },
  validate: { summary: 'validate manifest.json (hardened profile with scopes, or compat)', group: 'bundle' },
  inspect: { summary: 'check a .mcpb strictly and show its manifest, entries and signatures', group: 'bundle' },
  sign: { summary: 'sign a .mcpb with a Sigstore in-toto provenance attestation', group: 'signing' },
  verify: { summary: 'verify a .mcpb against its Sigstore attestation and an identity policy', group: 'signing' },
  unpack: { summary: 'verify, then extract a .mcpb safely (all or nothing) into a new directory', group: 'bundle' },
  install: { summary: 'verify a .mcpb, then install it into the store and record it in the lockfile', group: 'install' },
  list: { summary: 'list the bundles a lockfile records', group: 'install' },
  remove: { summary: 'remove a bundle from the lockfile (and its tree when nothing else names it)', group: 'install' },
  run: { summary: 'start an installed bundle\'s server in a sandbox built from its scopes (or --print-plan)', group: 'run' },
  tools: { summary: 'show or accept the tool pins of an installed bundle ("tools list|accept")', group: 'tools' },
  'client-config': { summary: 'print (or merge into a file) the MCP client entry that runs a bundle through "mcpseal run"', group: 'client-config' },
  audit: { summary: 'the ten-risk pre-install audit of a bundle, directory, server.json or client config', group: 'audit' },
  'verify-blob': { summary: 'verify any file (or sha256:<hex>) against a Sigstore bundle', group: 'signing' },
  keygen: { summary: 'make an ECDSA P-256 key pair for offline (keyed) signing', group: 'signing' },
  scopes: { summary: 'draft a scopes block from a manifest and its code ("scopes suggest")', group: 'bundle' },
  policy: { summary: 'check a .mcpb against an install policy and show every rule ("policy check")', group: 'policy' },
  registry: { summary: 'print the MCP registry server.json package entry for a .mcpb ("registry entry")', group: 'registry' },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return `Usage: mcpseal <command> [options]

mcpseal makes MCP Bundles (.mcpb) safe to publish and safe to install.

Commands:
${Object.entries(COMMANDS).map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`).join('\n')}

Run "mcpseal <command> --help" for a command's options. Every command takes --json.
Exit status: 0 success, 1 the input was rejected, 2 usage error or the program could not run.`;
}

/** Runs the CLI with `argv` (without node and the script) and returns the exit status. */
export async function main(argv: string[], streams: Streams): Promise<number> {
  const [name, ...args] = argv;
  const output = new Output(streams, argv.includes('--json'));
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    output.text(usage());
    return name === undefined ? EXIT_FAILED : EXIT_OK;
  }
  if (name === '--version' || name === '-V') {
    output.text(version());
    return EXIT_OK;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    return output.error(new MCPSealError('USAGE_UNKNOWN_COMMAND', `unknown command "${name}"; run "mcpseal --help"`));
  }
  const command = (await COMMAND_GROUPS[entry.group]())[name]!;
  if (args.includes('--help') || args.includes('-h')) {
    output.text(command.help);
    return EXIT_OK;
  }
  try {
    return await command.run(args, output, { env: streams.env, ...(streams.signal ? { signal: streams.signal } : {}) });
  } catch (error) {
    return output.error(error);
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return `mcpseal ${pkg.version}`;
}
