// Drafts a scopes block from what a manifest already says, for a publisher to review: it can only
// see the command line, the options and the files, never what the code does. It reads the manifest
// with the same rules the scope check applies (one path extractor, one launcher model, one
// native-code pattern), so the draft passes that check wherever a draft can.

import { launchConfigs, programName } from '../manifest/command.ts';
import { lookup, userConfigOptions, type JsonRecord } from '../manifest/document.ts';
import { pathCandidates } from '../manifest/paths.ts';
import { commandHazards, isPython, launcherKindOf } from '../manifest/runtimes.ts';
import { variableReferences } from '../manifest/variables.ts';
import { secretCarriers } from './check.ts';
import type { Scopes } from './model.ts';
import { nativeCodeFiles } from './native.ts';
import { ScopePathSet } from './variables.ts';

// Registries a run-time fetcher contacts, by program.
const PYPI = ['pypi.org', 'files.pythonhosted.org'];
const NPM = ['registry.npmjs.org'];
const FETCHER_HOSTS: Record<string, string[]> = {
  npx: NPM,
  npm: NPM,
  pnpx: NPM,
  pnpm: NPM,
  yarn: ['registry.yarnpkg.com'],
  bunx: NPM,
  bun: NPM,
  deno: ['jsr.io', ...NPM],
  uvx: PYPI,
  uv: PYPI,
  pipx: PYPI,
  pip: PYPI,
  pip3: PYPI,
};

export interface SuggestOptions {
  /** Names of the files in the bundle, when known. */
  files?: ReadonlySet<string>;
}

/** A draft scopes block: everything the manifest shows, nothing more. */
export function suggestScopes(manifest: JsonRecord, options: SuggestOptions = {}): Scopes {
  const userConfig = userConfigOptions(manifest);
  const read = new Set<string>(['${__dirname}']);
  const covered = new ScopePathSet(read);
  const envRead = new Set<string>();
  const spawn = new Set<string>();
  const hosts = new Set<string>();
  for (const config of launchConfigs(manifest)) {
    for (const text of [...config.args, ...Object.values(config.env)]) {
      for (const path of pathCandidates(text, userConfig)) {
        const scope = scopeFor(path);
        if (scope === null || covered.covers(path)) continue;
        read.add(scope);
        covered.add(scope);
      }
    }
    for (const key of Object.keys(config.env)) envRead.add(key);
    if (config.command !== null && launcherKindOf(commandHazards(config.command, config.args)) !== null) {
      const program = programName(config.command);
      spawn.add(program);
      const registries = lookup(FETCHER_HOSTS, program) ?? (isPython(program) ? PYPI : []);
      for (const host of [...registries, ...hostsIn(config.args)]) hosts.add(host);
    }
  }
  const native = options.files ? nativeCodeFiles(options.files).length > 0 : false;
  return {
    filesystem: { read: [...read], write: [] },
    network: { egress: [...hosts].map((host) => ({ host, ports: [443] })), listen: false },
    process: { spawn: [...spawn], workers: false, native_addons: native },
    env: { read: [...envRead].sort(), secrets: [...secretCarriers(manifest, userConfig)].sort() },
  };
}

/**
 * The scope entry that grants a passed path: a `${user_config.KEY}` option as a whole, any other
 * variable-rooted or absolute path as written. A path with a ".." segment, or a relative one, is
 * left for the publisher: no scope entry may contain one.
 */
function scopeFor(path: string): string | null {
  if (path.split(/[\\/]+/u).includes('..')) return null;
  const first = variableReferences(path)[0];
  if (first?.userConfigKey != null && path.startsWith(`\${${first.name}}`)) return `\${${first.name}}`;
  return /^(?:\$\{|\/|[A-Za-z]:[\\/])/u.test(path) ? path : null;
}

/** Hosts of the https URLs a fetcher such as curl is given. */
function hostsIn(args: readonly string[]): string[] {
  return args.flatMap((arg) => {
    try {
      const url = new URL(arg);
      return url.protocol === 'https:' || url.protocol === 'http:' ? [url.hostname] : [];
    } catch {
      return [];
    }
  });
}
