// Drafts a scopes block from what a manifest already says, for a publisher to review: it can only
// see the command line, the options and the files, never what the code does.

import { launchConfigs, launcherKind, programName } from '../manifest/command.ts';
import type { Scopes } from './model.ts';
import { PATH_VARIABLES, variableReferences } from './variables.ts';

// Registries a run-time fetcher contacts, by program.
const FETCHER_HOSTS: Record<string, string[]> = {
  npx: ['registry.npmjs.org'],
  npm: ['registry.npmjs.org'],
  pnpx: ['registry.npmjs.org'],
  pnpm: ['registry.npmjs.org'],
  yarn: ['registry.yarnpkg.com'],
  bunx: ['registry.npmjs.org'],
  bun: ['registry.npmjs.org'],
  uvx: ['pypi.org', 'files.pythonhosted.org'],
  uv: ['pypi.org', 'files.pythonhosted.org'],
  pipx: ['pypi.org', 'files.pythonhosted.org'],
  pip: ['pypi.org', 'files.pythonhosted.org'],
  pip3: ['pypi.org', 'files.pythonhosted.org'],
};

export interface SuggestOptions {
  /** Names of the files in the bundle, when known. */
  files?: ReadonlySet<string>;
}

/** A draft scopes block: everything the manifest shows, nothing more. */
export function suggestScopes(manifest: Record<string, unknown>, options: SuggestOptions = {}): Scopes {
  const read = new Set<string>(['${__dirname}']);
  const envRead = new Set<string>();
  const secrets = new Set<string>();
  const spawn = new Set<string>();
  const hosts = new Set<string>();

  const userConfig = typeof manifest['user_config'] === 'object' && manifest['user_config'] !== null ? (manifest['user_config'] as Record<string, Record<string, unknown>>) : {};
  const sensitive = new Set(Object.entries(userConfig).filter(([, option]) => option?.['sensitive'] === true).map(([key]) => key));
  const pathOptions = new Set(Object.entries(userConfig).filter(([, option]) => option?.['type'] === 'directory' || option?.['type'] === 'file').map(([key]) => key));

  for (const config of launchConfigs(manifest)) {
    for (const text of [...config.args, ...Object.values(config.env)]) {
      for (const part of text.replace(/^--?[A-Za-z0-9][A-Za-z0-9-]*=/u, '').split(/(?<!^[A-Za-z]):|;/u)) {
        const first = variableReferences(part)[0];
        if (!first || !part.startsWith(`\${${first.name}}`)) continue;
        if (first.userConfigKey !== null && pathOptions.has(first.userConfigKey)) read.add(`\${${first.name}}`);
        else if ((PATH_VARIABLES as readonly string[]).includes(first.name) && first.name !== '__dirname') read.add(part);
      }
    }
    for (const [key, value] of Object.entries(config.env)) {
      envRead.add(key);
      if (variableReferences(value).some((reference) => reference.userConfigKey !== null && sensitive.has(reference.userConfigKey))) secrets.add(key);
    }
    if (launcherKind(config) !== null && config.command !== null) {
      const program = programName(config.command);
      spawn.add(program);
      for (const host of FETCHER_HOSTS[program] ?? []) hosts.add(host);
    }
  }
  const native = options.files ? [...options.files].some((name) => /\.(node|so|dylib|dll)$/u.test(name)) : false;
  return {
    filesystem: { read: [...read], write: [] },
    network: { egress: [...hosts].map((host) => ({ host, ports: [443] })), listen: false },
    process: { spawn: [...spawn], workers: false, native_addons: native },
    env: { read: [...envRead].sort(), secrets: [...secrets].sort() },
  };
}
