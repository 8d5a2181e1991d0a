// `mcpseal audit`: argument reading and output only; the audit pipeline (lib/audit-bundle.ts)
// decides, the renderers draw the report.

import { MCPSealError } from '../errors.ts';
import { COMMON_OPTIONS, LIMITS_HELP, LIMIT_OPTIONS, limitsFrom, parse, positionals, type Parsed } from './args.ts';
import { AUDIT_FORMATS, auditWith, rendered, type AuditFormat, type AuditSettings } from './audit-report.ts';
import { BATCH_OPTIONS, isBatch, refuseInBatch, runBatchCommand } from './batch.ts';
import type { Command, CommandContext } from './command.ts';
import { EXIT_OK, EXIT_REJECTED } from './output.ts';
import { POLICY_HELP, POLICY_OPTION, policyFlag } from './policy.ts';
import { VERIFY_HELP, VERIFY_OPTIONS, verifyFlags } from './verify-options.ts';

function formatOf(values: Parsed['values']): AuditFormat {
  const format = (values['json'] === true ? 'json' : (values['format'] ?? 'text')) as AuditFormat;
  if (!AUDIT_FORMATS.includes(format)) throw new MCPSealError('USAGE_INVALID_ARGUMENT', `--format must be one of ${AUDIT_FORMATS.join(', ')}`);
  if (values['json'] === true && values['format'] !== undefined && values['format'] !== 'json') throw new MCPSealError('USAGE_INVALID_ARGUMENT', 'give --json or --format, not both');
  return format;
}

/** The flags as plain-data settings (the same for one file and for every file of a batch). */
async function settingsOf(values: Parsed['values'], context: CommandContext): Promise<AuditSettings> {
  const installPolicy = await policyFlag(values);
  const { policy: identity, ...trust } = await verifyFlags(values);
  const serverJson = values['server-json'];
  return {
    ...trust,
    ...(Object.keys(identity).length > 0 ? { identity } : {}),
    ...(installPolicy ? { installPolicy } : {}),
    ...(typeof serverJson === 'string' ? { serverJson } : {}),
    python: values['no-python'] !== true,
    pythonEnv: Object.fromEntries(['PATH', 'HOME'].flatMap((name) => (context.env[name] === undefined ? [] : [[name, context.env[name]]]))),
    limits: limitsFrom(values),
  };
}

export const AUDIT_COMMANDS: Record<string, Command> = {
  audit: {
    help: `Usage: mcpseal audit <file.mcpb | dir | server.json | client config>... [options]

Answers the ten risks of the pre-install review checklist from evidence, offline, without
running any of the audited code: 1 unvetted bundle, 2 prompt injection through tool results,
3 dependency confusion, 4 auth and transport gaps on remote servers, 5 capability spoofing,
6 stdio child-process abuse, 7 off-marketplace injection, 8 social-proof manipulation,
9 namespace squatting, 10 transitive cloud trust. Each gets a status (pass, warn, fail, unknown:
the evidence that would settle it is missing, or n/a) and findings with evidence (README
"Audit findings"). A bundle is read once through the strict reader and never extracted; its
signature is verified as "verify" does, but a bad or missing one is a finding, not an error.
A client config (claude_desktop_config.json, .mcp.json, .vscode/mcp.json, Cursor's mcp.json)
has each server classified by how it is launched (mcpseal run, npx/uvx/pipx, docker, a local
path, a remote URL) and audited as far as the config shows.

${POLICY_HELP}

${VERIFY_HELP}

Options:
  --server-json F   an MCP registry server.json that must describe the bundle (digest,
                    namespace) and whose remotes are audited
  --format F        text (default), json, sarif or html
  --out FILE        write the report to FILE instead of stdout
  --json            the same as --format json
  --no-python       do not start python3 (Python files are reported unknown)
  --profile P       hardened (default) or compat
  -h, --help        show this help

${LIMITS_HELP}

Many inputs (batch mode: several paths, --recursive or --jobs):
  --recursive, -r  audit every *.mcpb file under the directories given (sorted paths, symlinks
                   not followed); without it a directory is a bundle directory, audited as one
  --jobs N         worker threads (default: the number of cores)
  One result per input, in the order given: --json or --format json prints one report per line
  (JSON Lines, each with "file"); text prints one report per input, then a summary line.
  --format sarif|html, --out, --bundle and --server-json take one input: audit those one at a time.
  The exit status is the worst of the inputs': a file that could not be read or a crashed worker
  is reported for itself (exit 2) and the others are still audited.

Exit status: 0 no risk fails, 1 a risk fails (or the input was refused: ARCHIVE_*,
MANIFEST_*, AUDIT_INPUT_INVALID, REGISTRY_INVALID), 2 usage or I/O error.`,
    async run(args, output, context) {
      const { values, positionals: given } = parse(args, { ...COMMON_OPTIONS, ...LIMIT_OPTIONS, ...VERIFY_OPTIONS, ...POLICY_OPTION, ...BATCH_OPTIONS, 'server-json': { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, 'no-python': { type: 'boolean' } });
      const format = formatOf(values);
      if (isBatch(given, values)) {
        // Several reports: JSON Lines or text blocks on stdout. SARIF and HTML are one document per
        // file, and --out names one file: audit those files one at a time.
        if (format === 'sarif' || format === 'html') throw new MCPSealError('USAGE_INVALID_ARGUMENT', `--format ${format} writes one document per file: audit several files with --json or text, or one at a time with --format ${format}`);
        refuseInBatch(values, ['bundle', 'server-json', 'out']);
        const settings = await settingsOf(values, context);
        return runBatchCommand(output, context, { job: 'audit', paths: given, values, settings, inputs: 'audit', jsonLines: format === 'json' });
      }
      const [target] = positionals(given, ['file.mcpb | dir | server.json | client config']);
      const report = await auditWith(target!, await settingsOf(values, context), context.signal);
      const text = await rendered(report, format);
      const out = values['out'];
      if (typeof out === 'string') {
        const { writeFileAtomic } = await import('../io.ts');
        await writeFileAtomic(out, text);
        output.result({ ok: report.ok, verdict: report.verdict, out }, () => [`audit: ${report.verdict.toUpperCase()}, report written to ${out}`]);
      } else if (format === 'json') {
        output.result({ ...report }, () => []);
      } else {
        output.text(text.replace(/\n$/u, ''));
      }
      return report.ok ? EXIT_OK : EXIT_REJECTED;
    },
  },
};
