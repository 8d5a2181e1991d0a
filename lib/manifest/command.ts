// The command lines a manifest makes the host run: the default `mcp_config` and each
// platform's override, merged the way hosts merge them (an override's fields replace the default's).

import { isRecord, own, strings, stringRecord } from './document.ts';
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

/**
 * The default launch config and one merged config per platform override. Only the platforms
 * hosts use are read: any other key is MANIFEST_UNKNOWN_PLATFORM already, and reading 50,000
 * unknown overrides that each inherit the default command line would multiply the work.
 */
export function launchConfigs(manifest: Record<string, unknown>): LaunchConfig[] {
  const config = own(own(manifest, 'server'), 'mcp_config');
  if (!isRecord(config)) return [];
  const base = pointer('server', 'mcp_config');
  const command = own(config, 'command');
  const defaults: LaunchConfig = {
    platform: 'default',
    command: typeof command === 'string' ? command : null,
    args: strings(own(config, 'args')),
    env: stringRecord(own(config, 'env')),
    pointers: { command: `${base}/command`, args: `${base}/args`, env: `${base}/env` },
  };
  const configs = [defaults];
  const overrides = own(config, 'platform_overrides');
  for (const platform of PLATFORMS) {
    const override = own(overrides, platform);
    if (!isRecord(override)) continue;
    const at = `${base}/platform_overrides${pointer(platform)}`;
    const has = (key: string): boolean => Object.hasOwn(override, key);
    const overrideCommand = own(override, 'command');
    configs.push({
      platform,
      command: typeof overrideCommand === 'string' ? overrideCommand : defaults.command,
      args: has('args') ? strings(override['args']) : defaults.args,
      env: has('env') ? stringRecord(override['env']) : defaults.env,
      pointers: {
        command: has('command') ? `${at}/command` : defaults.pointers.command,
        args: has('args') ? `${at}/args` : defaults.pointers.args,
        env: has('env') ? `${at}/env` : defaults.pointers.env,
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
