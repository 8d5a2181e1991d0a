// The command lines a manifest makes the host run: the default `mcp_config` and each
// platform's override, merged the way hosts merge them (an override's fields replace the default's).

import { pointer } from './findings.ts';

export interface LaunchConfig {
  /** `default`, or the platform of an override. */
  platform: string;
  command: string | null;
  args: string[];
  env: Record<string, string>;
  /** JSON Pointers of where each field came from. */
  pointers: { command: string; args: string; env: string };
}

export const PLATFORMS = ['darwin', 'win32', 'linux'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function stringRecord(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** The default launch config and one merged config per platform override (whatever its key). */
export function launchConfigs(manifest: Record<string, unknown>): LaunchConfig[] {
  const server = isRecord(manifest['server']) ? manifest['server'] : {};
  const config = isRecord(server['mcp_config']) ? server['mcp_config'] : null;
  if (!config) return [];
  const base = pointer('server', 'mcp_config');
  const defaults: LaunchConfig = {
    platform: 'default',
    command: typeof config['command'] === 'string' ? config['command'] : null,
    args: strings(config['args']),
    env: stringRecord(config['env']),
    pointers: { command: `${base}/command`, args: `${base}/args`, env: `${base}/env` },
  };
  const configs = [defaults];
  const overrides = isRecord(config['platform_overrides']) ? config['platform_overrides'] : {};
  for (const [platform, override] of Object.entries(overrides)) {
    if (!isRecord(override)) continue;
    const at = `${base}/platform_overrides${pointer(platform)}`;
    configs.push({
      platform,
      command: typeof override['command'] === 'string' ? override['command'] : defaults.command,
      args: 'args' in override ? strings(override['args']) : defaults.args,
      env: 'env' in override ? stringRecord(override['env']) : defaults.env,
      pointers: {
        command: 'command' in override ? `${at}/command` : defaults.pointers.command,
        args: 'args' in override ? `${at}/args` : defaults.pointers.args,
        env: 'env' in override ? `${at}/env` : defaults.pointers.env,
      },
    });
  }
  return configs;
}

/** The program name a command runs: the last path segment, lower-cased, without a Windows extension. */
export function programName(command: string): string {
  const last = command.split(/[\\/]/u).pop() ?? command;
  return last.toLowerCase().replace(/\.(exe|cmd|bat|com|ps1)$/u, '');
}

/** Shells run whatever string they are given: the manifest no longer says what executes. */
export const SHELLS: ReadonlySet<string> = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'fish', 'csh', 'tcsh', 'cmd', 'powershell', 'pwsh', 'wsl']);

/** Launchers that download and run code at start-up: what runs is not what was signed. */
export const FETCHERS: ReadonlySet<string> = new Set(['npx', 'pnpx', 'bunx', 'uvx', 'pipx', 'curl', 'wget']);

/** Subcommands that turn a package manager into a fetcher (`npm exec`, `pnpm dlx`, `uv tool run`, ...). */
const FETCHER_SUBCOMMANDS: Record<string, readonly string[][]> = {
  npm: [['exec'], ['x']],
  pnpm: [['dlx'], ['exec']],
  yarn: [['dlx']],
  bun: [['x']],
  uv: [['tool', 'run'], ['tool', 'install']],
  pip: [['install']],
  pip3: [['install']],
  deno: [['run', 'https:'], ['run', 'http:']],
};

export type LauncherKind = 'shell' | 'fetcher' | null;

/** Whether a launch config starts a shell or a run-time fetcher. */
export function launcherKind(config: LaunchConfig): LauncherKind {
  if (config.command === null) return null;
  const program = programName(config.command);
  if (SHELLS.has(program)) return 'shell';
  if (FETCHERS.has(program)) return 'fetcher';
  const subcommands = FETCHER_SUBCOMMANDS[program];
  if (subcommands) {
    const words = config.args.filter((arg) => !arg.startsWith('-'));
    for (const sequence of subcommands) {
      if (sequence.every((word, index) => (word.endsWith(':') ? (words[index] ?? '').startsWith(word) : words[index] === word))) return 'fetcher';
    }
  }
  return null;
}
