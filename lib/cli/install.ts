// `install`, `list` and `remove`: the store and the lockfile (README "Install").

import { MCPSealError } from '../errors.ts';
import type { LockEntry } from '../install/lockfile.ts';
import { COMMON_OPTIONS, LIMITS_HELP, LIMIT_OPTIONS, limitsFrom, parse, positionals } from './args.ts';
import type { Command } from './command.ts';
import { EXIT_OK } from './output.ts';
import { POLICY_HELP, POLICY_OPTION, policyFlag } from './policy.ts';
import { STORE_HELP, STORE_OPTIONS, storeOf } from './store-options.ts';
import { VERIFY_HELP, VERIFY_OPTIONS, verifyFlags } from './verify-options.ts';

// Where they were first defined; run, tools and client-config import them from store-options.ts.
export { STORE_HELP, STORE_OPTIONS, storeOf };

function signerText(entry: LockEntry): string {
  const signer = entry.signer;
  if (signer === null) return 'unsigned';
  if (signer.kind === 'key') return `key ${signer.keyHint ?? '(no hint)'}`;
  return signer.repo ?? signer.identity ?? '(unknown)';
}

export const INSTALL_COMMANDS: Record<string, Command> = {
  install: {
    help: `Usage: mcpseal install <file.mcpb> [trust and identity options] [options]

Verifies the bundle as "mcpseal unpack" does, checks the --user-config answers against the
manifest's user_config, resolves what the server is granted on this machine (real paths,
host:port), then extracts it into the store (one read-only tree per sha256, shared by every lock
that names it) and records an entry in the lockfile: name, version, sha256, signer, log entry,
declared scopes, grants, user_config (sensitive values only as env:NAME references), the digest of
the installed files, installedAt.

Reinstalling a name: the same sha256 (and the same answers) does nothing; a lower version is
refused (INSTALL_DOWNGRADE) unless --allow-downgrade; grants wider than the recorded ones are
refused (SCOPE_ESCALATION, with the difference) unless --accept-scopes.

${VERIFY_HELP}

${POLICY_HELP}
With --server-json F, F (an MCP registry server.json) must list an mcpb package whose fileSha256
is this file's, and an io.github.OWNER/... name must be the signer's repository owner, as for
"mcpseal verify --server-json" (REGISTRY_*).

With --policy, the policy's publishers replace the identity flags and --allow-unsigned (its
allowUnsigned decides), every rule is checked before anything is written, and the policy's
sha256 is recorded in the lock entry.

${STORE_HELP}

Options:
  --server-json F          the MCP registry server.json that must describe this file
  --user-config KEY=VALUE  an answer to a user_config option (repeatable; a "multiple" option takes
                           several); directory and file values must exist (\${HOME} and ~ expanded);
                           a sensitive option takes only KEY=env:NAME (read from NAME at launch)
  --accept-scopes          accept grants wider than the installed version's
  --allow-downgrade        accept a lower version than the installed one
  --allow-unsigned         install a bundle that has no Sigstore bundle at all (dangerous)
  --profile P              hardened (default) or compat
  --json                   print one JSON document on stdout
  -h, --help               show this help

${LIMITS_HELP}

Exit status: 0 installed (or already installed), 1 refused (the error code says why), 2 usage,
I/O or lockfile error (LOCK_INVALID, LOCK_BUSY, INSTALL_USER_CONFIG).`,
    async run(args, output, context) {
      const { values, positionals: given } = parse(args, {
        ...COMMON_OPTIONS,
        ...LIMIT_OPTIONS,
        ...VERIFY_OPTIONS,
        ...STORE_OPTIONS,
        ...POLICY_OPTION,
        'server-json': { type: 'string' },
        'allow-unsigned': { type: 'boolean' },
        'accept-scopes': { type: 'boolean' },
        'allow-downgrade': { type: 'boolean' },
        'user-config': { type: 'string', multiple: true },
      });
      const [file] = positionals(given, ['file.mcpb']);
      const installPolicy = await policyFlag(values);
      if (installPolicy && values['allow-unsigned'] === true) throw new MCPSealError('USAGE_INVALID_ARGUMENT', '--policy decides unsigned bundles (allowUnsigned): drop --allow-unsigned');
      const flags = await verifyFlags(values);
      const location = await storeOf(values, context);
      const serverJsonPath = values['server-json'];
      const serverJson = typeof serverJsonPath === 'string' ? { document: await (await import('../registry/read.ts')).readServerJson(serverJsonPath, { limits: limitsFrom(values) }) } : undefined;
      const progress = output.progress('installing');
      try {
        const { installBundle, installWithPolicy } = await import('../install-bundle.ts');
        const { policy: _identity, publicKey: _key, ...trust } = flags;
        const install = installPolicy
          ? (path: string, options: Parameters<typeof installWithPolicy>[2]) => installWithPolicy(path, installPolicy, options)
          : (path: string, options: Parameters<typeof installWithPolicy>[2]) => installBundle(path, { ...options, ...flags, allowUnsigned: values['allow-unsigned'] === true });
        const result = await install(file!, {
          ...trust,
          ...location,
          ...(serverJson ? { serverJson } : {}),
          ...(context.signal ? { signal: context.signal } : {}),
          ...(context.env['HOME'] ? { home: context.env['HOME'] } : {}),
          acceptScopes: values['accept-scopes'] === true,
          allowDowngrade: values['allow-downgrade'] === true,
          userConfig: (values['user-config'] as string[] | undefined) ?? [],
          limits: limitsFrom(values),
          ...(progress ? { onProgress: progress } : {}),
        });
        progress?.finish();
        const { entry } = result;
        if (entry.signer === null) output.note('installed WITHOUT signature verification (--allow-unsigned)');
        for (const item of result.escalations) output.note(`accepted wider grant ${item.scope}: ${item.from} -> ${item.to}`);
        output.result({ ...result }, () => [
          result.outcome === 'unchanged'
            ? `${entry.name} ${entry.version} is already installed with this sha256: nothing to do`
            : `${result.outcome} ${entry.name} ${entry.version}${result.reusedTree ? ' (tree already in the store)' : ''}`,
          `sha256:        ${entry.sha256}`,
          `tree:          ${result.tree}`,
          `lockfile:      ${result.lock}`,
          `signer:        ${signerText(entry)}`,
          `read:          ${entry.grants.read.join(', ') || 'none'}`,
          `write:         ${entry.grants.write.join(', ') || 'none'}`,
          `egress:        ${entry.grants.egress.join(', ') || 'none'}`,
        ]);
        return EXIT_OK;
      } catch (error) {
        // The escalation as a readable diff, one scope per line (the JSON carries details.escalations).
        if (error instanceof MCPSealError && error.code === 'SCOPE_ESCALATION' && Array.isArray(error.details['escalations'])) {
          output.note('wider than what is installed:');
          for (const item of error.details['escalations'] as { scope: string; from: string; to: string }[]) output.note(`  ${item.scope}: ${item.from} -> ${item.to}`);
        }
        throw error;
      } finally {
        progress?.finish();
      }
    },
  },

  list: {
    help: `Usage: mcpseal list [--store DIR] [--lock FILE] [--json]

Prints one line per installed bundle: name, version, signer, sha256 (prefix). With --json, the
lock entries in full.

${STORE_HELP}

Exit status: 0, or 2 when the lockfile cannot be read (LOCK_INVALID: it is left as it is).`,
    async run(args, output, context) {
      const { values, positionals: given } = parse(args, { ...COMMON_OPTIONS, ...STORE_OPTIONS });
      positionals(given, []);
      const location = await storeOf(values, context);
      const [{ listInstalled, lockPathOf }, { Store }] = await Promise.all([import('../install/installed.ts'), import('../install/store.ts')]);
      // Opening the store removes what an interrupted install left in staging.
      await new Store(location.store).open();
      const entries = await listInstalled(location);
      output.result({ lock: lockPathOf(location), bundles: entries }, () =>
        entries.length === 0
          ? [`nothing installed in ${lockPathOf(location)}`]
          : [
              `${'NAME'.padEnd(24)} ${'VERSION'.padEnd(12)} ${'SIGNER'.padEnd(32)} SHA256`,
              ...entries.map((entry) => `${entry.name.padEnd(24)} ${entry.version.padEnd(12)} ${signerText(entry).padEnd(32)} ${entry.sha256.slice(0, 16)}`),
            ],
      );
      return EXIT_OK;
    },
  },

  remove: {
    help: `Usage: mcpseal remove <name> [--store DIR] [--lock FILE] [--json]

Removes the lock entry of <name>. Its store tree is deleted only when no other entry of this
lockfile, and no other lockfile recorded in the store's refs/ (a project lock that still exists),
names the same sha256.

${STORE_HELP}

Exit status: 0 removed, 2 not installed (INSTALL_NOT_INSTALLED) or the lockfile cannot be read.`,
    async run(args, output, context) {
      const { values, positionals: given } = parse(args, { ...COMMON_OPTIONS, ...STORE_OPTIONS });
      const [name] = positionals(given, ['name']);
      const location = await storeOf(values, context);
      const { removeBundle } = await import('../install/installed.ts');
      const result = await removeBundle(name!, location);
      output.result({ ...result }, () => [
        `removed ${result.removed.name} ${result.removed.version} from ${result.lock}`,
        result.treeDeleted ? `deleted its tree ${result.removed.sha256}` : `kept its tree ${result.removed.sha256} (another lock entry names it)`,
      ]);
      return EXIT_OK;
    },
  },
};
