// `mcpseal audit`: argument reading and output only; the audit pipeline (lib/audit-bundle.ts)
// decides, the renderers draw the report.

import { readFileSync } from 'node:fs';
import type { AuditReport } from '../audit/model.ts';
import { MCPSealError } from '../errors.ts';
import { COMMON_OPTIONS, LIMITS_HELP, LIMIT_OPTIONS, limitsFrom, parse, positionals } from './args.ts';
import type { Command } from './command.ts';
import { EXIT_OK, EXIT_REJECTED } from './output.ts';
import { POLICY_HELP, POLICY_OPTION, policyFlag } from './policy.ts';
import { VERIFY_HELP, VERIFY_OPTIONS, verifyFlags } from './verify-options.ts';

const FORMATS = ['text', 'json', 'sarif', 'html'] as const;
type Format = (typeof FORMATS)[number];

/**
 * The report in `format`, drawn by the report renderers (lib/report/audit-render.ts). SARIF rules
 * come from the one finding table (lib/audit/findings.ts); SARIF paths are relative to the
 * working directory (where code scanning runs from the checkout).
 */
async function rendered(report: AuditReport, format: Format): Promise<string> {
  const [{ AUDIT_CODES }, { renderAudit }] = await Promise.all([import('../audit/findings.ts'), import('../report/audit-render.ts')]);
  const rules = Object.entries(AUDIT_CODES).map(([code, row]) => ({ code, risk: row.risk, severity: row.severity, meaning: row.meaning }));
  const text = renderAudit(report, format, { rules, srcRoot: process.cwd() });
  return text.endsWith('\n') ? text : `${text}\n`;
}

function mcpsealVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export const AUDIT_COMMANDS: Record<string, Command> = {
  audit: {
    help: `Usage: mcpseal audit <file.mcpb | dir | server.json | client config> [options]

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

Exit status: 0 no risk fails, 1 a risk fails (or the input was refused: ARCHIVE_*,
MANIFEST_*, AUDIT_INPUT_INVALID, REGISTRY_INVALID), 2 usage or I/O error.`,
    async run(args, output, context) {
      const { values, positionals: given } = parse(args, { ...COMMON_OPTIONS, ...LIMIT_OPTIONS, ...VERIFY_OPTIONS, ...POLICY_OPTION, 'server-json': { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, 'no-python': { type: 'boolean' } });
      const [target] = positionals(given, ['file.mcpb | dir | server.json | client config']);
      const format = (values['json'] === true ? 'json' : (values['format'] ?? 'text')) as Format;
      if (!FORMATS.includes(format)) throw new MCPSealError('USAGE_INVALID_ARGUMENT', `--format must be one of ${FORMATS.join(', ')}`);
      if (values['json'] === true && values['format'] !== undefined && values['format'] !== 'json') throw new MCPSealError('USAGE_INVALID_ARGUMENT', 'give --json or --format, not both');
      const installPolicy = await policyFlag(values);
      const { policy: identity, ...trust } = await verifyFlags(values);
      const [{ auditPath, ANALYSIS_CHECKERS }, { defaultPythonParser }] = await Promise.all([import('../audit-bundle.ts'), import('../suggest.ts')]);
      const pythonEnv = Object.fromEntries(['PATH', 'HOME'].flatMap((name) => (context.env[name] === undefined ? [] : [[name, context.env[name]]])));
      const serverJson = values['server-json'];
      const report = await auditPath(target!, {
        ...trust,
        ...(Object.keys(identity).length > 0 ? { identity } : {}),
        ...(installPolicy ? { installPolicy } : {}),
        ...(typeof serverJson === 'string' ? { serverJson } : {}),
        ...(values['no-python'] === true ? {} : { python: defaultPythonParser({ env: pythonEnv }) }),
        checkers: ANALYSIS_CHECKERS,
        limits: limitsFrom(values),
        version: mcpsealVersion(),
        ...(context.signal ? { signal: context.signal } : {}),
      });
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
