// The bundle commands: validate, scopes, pack, inspect and unpack (argument parsing and output;
// every decision is the library's). Pipelines are imported when their command runs.

import { isAbsolute, relative } from 'node:path';
import { MCPSealError } from '../errors.ts';
import { COMMON_OPTIONS, LIMITS_HELP, LIMIT_OPTIONS, limitsFrom, parse, parseCount, positionals } from './args.ts';
import { BATCH_HELP, BATCH_OPTIONS, isBatch, runBatchCommand } from './batch.ts';
import type { Command } from './command.ts';
import { EXIT_OK, formatBytes } from './output.ts';
import { POLICY_HELP, POLICY_OPTION, policyFlag } from './policy.ts';
import { claimLines, inspectReport, signatureLines } from './reports.ts';
import { VERIFY_HELP, VERIFY_OPTIONS, legacyAnchors, verifyFlags } from './verify-options.ts';

export const BUNDLE_COMMANDS: Record<string, Command> = {
  validate: {
    help: `Usage: mcpseal validate <manifest.json | dir | file.mcpb> [--profile hardened|compat] [options]

Validates a manifest against the JSON Schema of its manifest_version (0.1 to 0.4, or the legacy
dxt_version) and, with the hardened profile (the default), the reviewer's checklist: https-only
URLs, bounded strings, relative in-bundle paths, platform_overrides keys, the command tied to
server.type, no shells, inline code or loader-injection variables, known \${...} variables,
safe user_config keys and options, secrets only through env, and the scope declarations in
_meta["dev.mcpseal"].scopes, checked for consistency with the command line. Given a directory
or a bundle, the entry point, icons, screenshots and localization files must exist in it.

Every finding is printed (code, JSON Pointer, message); errors fail validation, warnings do not.

Options:
  --profile P   hardened (default) or compat (exactly what the official strict schema accepts)
  --json        print one JSON document on stdout
  -h, --help    show this help

Exit status: 0 valid, 1 at least one error finding (MANIFEST_INVALID), 2 usage or I/O error.`,
    async run(args, output) {
      const { values, positionals: given } = parse(args, { ...COMMON_OPTIONS, ...LIMIT_OPTIONS, profile: { type: 'string' } });
      const [target] = positionals(given, ['manifest.json | dir | file.mcpb']);
      const profile = values['profile'] ?? 'hardened';
      if (profile !== 'hardened' && profile !== 'compat') throw new MCPSealError('USAGE_INVALID_ARGUMENT', '--profile must be hardened or compat');
      const [{ loadManifestSource }, { validateManifest }] = await Promise.all([import('../manifest-source.ts'), import('../scopes/validate.ts')]);
      const source = await loadManifestSource(target!, { limits: limitsFrom(values) });
      const result = validateManifest(source.manifest, { profile, ...(source.files ? { files: source.files } : {}) });
      const errors = result.findings.filter((finding) => finding.severity === 'error');
      const report = { target, kind: source.kind, profile: result.profile, version: result.version, valid: result.valid, findings: result.findings };
      const lines = (): string[] => [
        ...result.findings.map((finding) => `${finding.severity.padEnd(7)} ${finding.code} ${finding.pointer || '/'}: ${finding.message}`),
        `${result.valid ? 'valid' : 'invalid'}: ${target} (${result.profile} profile, manifest ${result.version ?? 'version unknown'}, ${errors.length} errors, ${result.findings.length - errors.length} warnings)`,
      ];
      if (result.valid) {
        output.result(report, lines);
        return EXIT_OK;
      }
      const first = errors[0]!;
      return output.rejected(
        report,
        new MCPSealError('MANIFEST_INVALID', `${errors.length} error finding${errors.length === 1 ? '' : 's'} (first: ${first.code} at ${first.pointer || '/'})`),
        lines,
      );
    },
  },

  scopes: {
    help: `Usage: mcpseal scopes suggest <manifest.json | dir | file.mcpb> [--json] [--no-python]

Drafts _meta["dev.mcpseal"].scopes from what the manifest shows (the bundle directory and the
directory/file options it passes, the env keys it sets and which carry sensitive options, run-time
fetchers, native code) and from what the bundled code does, read by a static analyzer that never
runs it: host literals and base URLs it contacts, env variables it reads, files it reads and
writes, MCP roots, programs it starts, workers, native code. Every item says why (file:line);
what the analyzer saw but could not place is printed as a question for the publisher. Python
files are parsed by python3's ast module when python3 exists (else they are reported unknown).

Text mode prints the block to paste on stdout, and why (file:line), the questions and the notes
on stderr.

Options:
  --no-python   do not start python3 (Python files are reported unknown)
  --json        print { ok, scopes, manifestBlock, reasons, questions, notes, analysis } on stdout
  -h, --help    show this help

Exit status: 0 drafted, 1 the manifest could not be read as one, 2 usage or I/O error.`,
    async run(args, output, context) {
      const { values, positionals: given } = parse(args, { ...COMMON_OPTIONS, ...LIMIT_OPTIONS, 'no-python': { type: 'boolean' } });
      const [action, target] = positionals(given, ['action', 'manifest.json | dir | file.mcpb']);
      if (action !== 'suggest') throw new MCPSealError('USAGE_UNKNOWN_COMMAND', `unknown scopes action "${action}"; the one action is "suggest"`);
      const [{ suggestFromPath, defaultPythonParser }, { SCOPES_NAMESPACE }] = await Promise.all([import('../suggest.ts'), import('../scopes/model.ts')]);
      const pythonEnv = Object.fromEntries(['PATH', 'HOME'].flatMap((name) => (context.env[name] === undefined ? [] : [[name, context.env[name]]])));
      const python = values['no-python'] === true ? null : defaultPythonParser({ env: pythonEnv });
      const result = await suggestFromPath(target!, { limits: limitsFrom(values), python });
      const { scopes, reasons, questions, notes, analysis } = result;
      const manifestBlock = { _meta: { [SCOPES_NAMESPACE]: { scopes } } };
      // Text mode: stdout is exactly the block to paste (so `> block.json` works); why, the questions
      // and the notes go to stderr for the human reviewing it.
      const explanation = [
        'a draft: review every entry and answer the questions before adding it to manifest.json',
        'why:',
        ...Object.entries(reasons).flatMap(([pointer, whys]) => whys.map((why) => `  ${pointer}: ${why.reason}${why.at.length > 0 ? ` (${why.at.join(', ')})` : ''}`)),
        ...(questions.length > 0 ? ['questions for the publisher:', ...questions.map((question) => `  - [${question.topic}] ${question.question}${question.at.length > 0 ? ` (${question.at.join(', ')})` : ''}`)] : []),
        ...(notes.length > 0 ? ['notes:', ...notes.map((note) => `  - ${note}`)] : []),
        `analyzed ${analysis.stats.analyzed} of ${analysis.stats.javascript + analysis.stats.python} source files in ${analysis.stats.elapsedMs} ms${analysis.stats.truncated ? ' (TRUNCATED by a cap)' : ''}, ${analysis.unknowns.length} unknown`,
      ];
      for (const line of explanation) output.note(line);
      output.result({ scopes, manifestBlock, reasons, questions, notes, analysis: { stats: analysis.stats, unknowns: analysis.unknowns } }, () => JSON.stringify(manifestBlock, null, 2).split('\n'));
      return EXIT_OK;
    },
  },

  pack: {
    help: `Usage: mcpseal pack <dir> [<out.mcpb>] [options]

Packs <dir> (which must hold manifest.json) into <out.mcpb> (default: <name of dir>.mcpb in its
parent directory; an output inside <dir> is refused) and prints the sha256 of the result. The
manifest must first pass --profile (default hardened) against the files being packed. The output is byte-for-byte reproducible: entries sorted,
timestamps fixed (SOURCE_DATE_EPOCH, else 1980-01-01), modes normalised to 0644/0755.
Symlinks are packed as the files they name, and refused when they leave <dir>. Secrets
(*.pem, *.key, .env*, id_rsa*, .npmrc, ...), junk (.git/, *.log, ...) and development files
(*.d.ts, *.map, *.tsbuildinfo, node_modules/.bin/) are excluded; .mcpbignore (gitignore syntax)
adds patterns or re-includes with !pattern. A file whose content holds a private key, cloud
credentials or a token is refused (ARCHIVE_SOURCE_SECRET), as is a pnpm node_modules
(ARCHIVE_SOURCE_PNPM_LAYOUT). Packing over an existing <out.mcpb> removes the Sigstore bundle
(<out.mcpb>.sigstore.json) that signed the old file.

Options:
  --profile P               hardened (default) or compat
  --no-validate             pack without validating the manifest (a warning is printed)
  --allow-secret-file NAME  pack NAME (its path in the bundle) although its content looks
                            like a secret (a false positive); repeatable
  --level N     deflate level 0-9 (6)
  --json        print one JSON document on stdout
  -h, --help    show this help

${LIMITS_HELP}

Exit status: 0 packed, 1 refused (unsafe source tree, bad manifest), 2 usage or I/O error.`,
    async run(args, output, context) {
      const { values, positionals: given } = parse(args, {
        ...COMMON_OPTIONS,
        ...LIMIT_OPTIONS,
        level: { type: 'string' },
        profile: { type: 'string' },
        'no-validate': { type: 'boolean' },
        'allow-secret-file': { type: 'string', multiple: true },
      });
      const [directory, out] = positionals(given, ['dir'], ['out.mcpb']);
      const profile = values['profile'] ?? 'hardened';
      if (profile !== 'hardened' && profile !== 'compat') throw new MCPSealError('USAGE_INVALID_ARGUMENT', '--profile must be hardened or compat');
      const skipValidation = values['no-validate'] === true;
      if (skipValidation && values['profile'] !== undefined) throw new MCPSealError('USAGE_INVALID_ARGUMENT', 'give --profile or --no-validate, not both');
      const { packBundle, defaultPackOutput } = await import('../pack.ts');
      const outPath = out ?? relativeIfBelow(defaultPackOutput(directory!));
      const level = typeof values['level'] === 'string' ? parseCount(values['level'], '--level') : undefined;
      if (level !== undefined && level > 9) throw new MCPSealError('USAGE_INVALID_ARGUMENT', '--level must be between 0 and 9');
      const epoch = sourceDateEpoch(context.env);
      const progress = output.progress('packing');
      try {
        if (skipValidation) output.warning('packing WITHOUT validating the manifest (--no-validate): sign and verify will still refuse a manifest that fails the profile');
        const result = await packBundle(directory!, outPath, {
          limits: limitsFrom(values),
          profile,
          skipValidation,
          // Names in the bundle; "./deploy_key" as typed in a shell means the same file.
          allowSecretFiles: ((values['allow-secret-file'] as string[] | undefined) ?? []).map((name) => name.replace(/^(?:\.\/)+/u, '')),
          ...(level === undefined ? {} : { level }),
          ...(epoch === undefined ? {} : { sourceDateEpoch: epoch }),
          ...(progress ? { onProgress: progress } : {}),
          ...(context.signal ? { signal: context.signal } : {}),
        });
        progress?.finish();
        const secrets = result.excluded.filter((file) => file.reason === 'secret');
        for (const secret of secrets) output.note(`excluded ${secret.name} (looks like a secret; re-include it with !pattern in .mcpbignore)`);
        for (const finding of result.validation?.findings ?? []) output.note(`${finding.severity} ${finding.code} ${finding.pointer || '/'}: ${finding.message}`);
        const development = result.excluded.filter((file) => file.reason === 'development').length;
        output.result({ ...result }, () => [
          `${result.sha256}  ${result.path}`,
          `${result.entries} entries, ${formatBytes(result.size)}${result.excluded.length ? `, ${result.excluded.length} excluded${development ? ` (${development} type declarations, source maps and other development files)` : ''}` : ''}`,
          ...(result.validation ? [`manifest:      valid (${result.validation.profile} profile)`] : ['manifest:      NOT validated (--no-validate)']),
          ...(result.removedSidecar ? [`removed:       ${result.removedSidecar} (it signed the file this pack replaced; sign the new bundle)`] : []),
        ]);
        return EXIT_OK;
      } finally {
        progress?.finish();
      }
    },
  },

  inspect: {
    help: `Usage: mcpseal inspect <file.mcpb> [--check-data] [options]
       mcpseal inspect <file.mcpb | dir>... [--recursive] [--jobs N] [--check-data] [options]

Reads the whole bundle once through the strict zip reader (every structural rule: one end
record, no prepended, hidden or trailing bytes, local headers equal to the central directory,
safe names, limits) and prints: the manifest summary (name, version, server type and the exact
command line the host would run), entry count and sizes, the file's sha256, whether a
Sigstore sidecar (<file>.sigstore.json) or an appended MCPB_SIG_V1 block is present, and the
review: what the server can touch (its declared scopes) and the user_config options the host
will ask for (--json: the full objects under manifest.scopes and manifest.userConfig).
The Sigstore attestation is not verified by inspect (use verify); an MCPB_SIG_V1 block is,
against --legacy-ca anchors (repeatable) or the system store, and its status is reported.

Options:
  --check-data  also inflate every entry and check its size and CRC-32 (like unzip -t)
  --json        print one JSON document on stdout
  -h, --help    show this help

${BATCH_HELP}

${LIMITS_HELP}

Exit status: 0 the bundle passed, 1 it was refused (the error code says why), 2 usage or I/O error.`,
    async run(args, output, context) {
      const { values, positionals: given } = parse(args, {
        ...COMMON_OPTIONS,
        ...LIMIT_OPTIONS,
        'check-data': { type: 'boolean' },
        'legacy-ca': { type: 'string', multiple: true },
        ...BATCH_OPTIONS,
      });
      const legacy = await legacyAnchors(values);
      if (isBatch(given, values)) {
        const settings = { checkData: values['check-data'] === true, limits: limitsFrom(values), ...(legacy ? { legacy } : {}) };
        return runBatchCommand(output, context, { job: 'inspect', paths: given, values, settings });
      }
      const [file] = positionals(given, ['file.mcpb']);
      const progress = output.progress(values['check-data'] ? 'checking' : 'reading');
      try {
        const { inspectBundle } = await import('../inspect.ts');
        const result = await inspectBundle(file!, {
          checkData: values['check-data'] === true,
          limits: limitsFrom(values),
          ...(context.signal ? { signal: context.signal } : {}),
          ...(legacy ? { legacy } : {}),
          ...(progress ? { onProgress: progress } : {}),
        });
        progress?.finish();
        const report = inspectReport(result);
        output.result(report.value, report.lines);
        return EXIT_OK;
      } finally {
        progress?.finish();
      }
    },
  },

  unpack: {
    help: `Usage: mcpseal unpack <file.mcpb> <outdir> [trust and identity options] [options]

Verifies the bundle exactly as "mcpseal verify" does, then extracts it through the same open
file into <outdir>, which must not exist or be empty. Every entry is checked (strict archive
rules, sizes, CRC-32, and its sha256 against the attestation) while it is written into a private
staging directory beside <outdir>; the staging directory is renamed into place only when
everything succeeded, and removed on any failure, so <outdir> is either complete or absent. No
symlink is ever created or followed; modes are 0644, or 0755 for executables and directories.

${VERIFY_HELP}

${POLICY_HELP}

Options:
  --allow-unsigned  extract a bundle that has no Sigstore bundle at all (dangerous: nothing says
                    who built it); a signature that is present but fails is never overridden
  --profile P       hardened (default) or compat
  --json            print one JSON document on stdout
  -h, --help        show this help

${LIMITS_HELP}

Exit status: 0 extracted, 1 refused (the error code says why), 2 usage or I/O error (IO_INTERRUPTED
after Ctrl-C: nothing is left behind).`,
    async run(args, output, context) {
      const { values, positionals: given } = parse(args, { ...COMMON_OPTIONS, ...LIMIT_OPTIONS, ...VERIFY_OPTIONS, ...POLICY_OPTION, 'allow-unsigned': { type: 'boolean' } });
      const [file, outdir] = positionals(given, ['file.mcpb', 'outdir']);
      const installPolicy = await policyFlag(values);
      if (installPolicy && values['allow-unsigned'] === true) throw new MCPSealError('USAGE_INVALID_ARGUMENT', 'with --policy, the policy\'s allowUnsigned decides: drop --allow-unsigned');
      const flags = await verifyFlags(values);
      const progress = output.progress('extracting');
      try {
        const { unpackBundle } = await import('../unpack.ts');
        const result = await unpackBundle(file!, outdir!, {
          ...flags,
          ...(context.signal ? { signal: context.signal } : {}),
          allowUnsigned: values['allow-unsigned'] === true,
          ...(installPolicy ? { installPolicy } : {}),
          limits: limitsFrom(values),
          ...(progress ? { onProgress: progress } : {}),
        });
        progress?.finish();
        if (!result.verification) output.note(`extracted WITHOUT signature verification (${installPolicy ? 'the policy sets allowUnsigned' : '--allow-unsigned'})`);
        output.result({ ...result }, () => [
          `extracted ${result.files} files, ${result.directories} directories, ${formatBytes(result.bytes)} to ${result.target}`,
          `sha256:        ${result.sha256}`,
          ...(result.verification ? [...signatureLines(result.verification.signature), ...claimLines(result.verification.claims)] : [`signature:     none (${installPolicy ? 'allowUnsigned in the policy' : '--allow-unsigned'})`]),
          ...(result.publisher ? [`publisher:     ${result.publisher} (policy)`] : []),
        ]);
        return EXIT_OK;
      } finally {
        progress?.finish();
      }
    },
  },

};

function sourceDateEpoch(env: NodeJS.ProcessEnv): number | undefined {
  const text = env['SOURCE_DATE_EPOCH'];
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/u.test(text)) throw new MCPSealError('USAGE_INVALID_ARGUMENT', `SOURCE_DATE_EPOCH must be whole seconds, got "${text}"`);
  return Number(text);
}

/** A path relative to the working directory when it lies below it (what the user typed reads back), else absolute. */
function relativeIfBelow(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
