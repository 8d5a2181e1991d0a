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
const bundle = async (): Promise<Commands> => (await import('./bundle.ts')).BUNDLE_COMMANDS;
const signing = async (): Promise<Commands> => (await import('./signing.ts')).SIGNING_COMMANDS;
const registry = async (): Promise<Commands> => (await import('./registry.ts')).REGISTRY_COMMANDS;
const policy = async (): Promise<Commands> => (await import('./policy.ts')).POLICY_COMMANDS;
const install = async (): Promise<Commands> => (await import('./install.ts')).INSTALL_COMMANDS;
const run = async (): Promise<Commands> => (await import('./run.ts')).RUN_COMMANDS;
const tools = async (): Promise<Commands> => (await import('./tools.ts')).TOOLS_COMMANDS;
const clientConfig = async (): Promise<Commands> => (await import('./client-config.ts')).CLIENT_CONFIG_COMMANDS;
const audit = async (): Promise<Commands> => (await import('./audit.ts')).AUDIT_COMMANDS;

/** Every command, in the order "mcpseal --help" lists them: the publisher's flow, then the installer's, then tools. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Commands> }> = {
  pack: { summary: 'pack a bundle directory into a deterministic .mcpb', load: bundle },
  validate: { summary: 'validate manifest.json (hardened profile with scopes, or compat)', load: bundle },
  inspect: { summary: 'check a .mcpb strictly and show its manifest, entries and signatures', load: bundle },
  sign: { summary: 'sign a .mcpb with a Sigstore in-toto provenance attestation', load: signing },
  verify: { summary: 'verify a .mcpb against its Sigstore attestation and an identity policy', load: signing },
  unpack: { summary: 'verify, then extract a .mcpb safely (all or nothing) into a new directory', load: bundle },
  install: { summary: 'verify a .mcpb, then install it into the store and record it in the lockfile', load: install },
  list: { summary: 'list the bundles a lockfile records', load: install },
  remove: { summary: 'remove a bundle from the lockfile (and its tree when nothing else names it)', load: install },
  run: { summary: 'start an installed bundle\'s server in a sandbox built from its scopes (or --print-plan)', load: run },
  tools: { summary: 'show or accept the tool pins of an installed bundle ("tools list|accept")', load: tools },
  'client-config': { summary: 'print (or merge into a file) the MCP client entry that runs a bundle through "mcpseal run"', load: clientConfig },
  audit: { summary: 'the ten-risk pre-install audit of a bundle, directory, server.json or client config', load: audit },
  'verify-blob': { summary: 'verify any file (or sha256:<hex>) against a Sigstore bundle', load: signing },
  keygen: { summary: 'make an ECDSA P-256 key pair for offline (keyed) signing', load: signing },
  scopes: { summary: 'draft a scopes block from a manifest and its code ("scopes suggest")', load: bundle },
  policy: { summary: 'check a .mcpb against an install policy and show every rule ("policy check")', load: policy },
  registry: { summary: 'print the MCP registry server.json package entry for a .mcpb ("registry entry")', load: registry },
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
  const command = (await entry.load())[name]!;
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
