// Audit reports built by hand from the model (lib/report/audit-model.ts), for the renderer tests:
// the renderers show a report, they do not compute one, so no audit code is needed here.

import { RISKS, type AuditFinding, type AuditReport, type RiskId, type RiskResult, type RiskStatus } from '../../lib/report/audit-model.ts';
import type { AuditRule } from '../../lib/report/audit-render.ts';

/** All ten risks passing, with `overrides` replacing some of them. */
export function risksWith(overrides: Partial<Record<RiskId, { status: RiskStatus; summary?: string; findings?: AuditFinding[] }>> = {}): RiskResult[] {
  return RISKS.map(({ id, title }) => {
    const override = overrides[id];
    return { id, title, status: override?.status ?? 'pass', summary: override?.summary ?? `risk ${id}: the evidence shows it handled`, findings: override?.findings ?? [] };
  });
}

function report(risks: RiskResult[], extra: Partial<AuditReport> = {}): AuditReport {
  const failing = risks.some((risk) => risk.status === 'fail');
  const warning = risks.some((risk) => risk.status === 'warn' || risk.status === 'unknown');
  return {
    ok: !failing,
    subject: { kind: 'bundle', path: 'dist/notes-server-1.2.0.mcpb', name: 'notes-server', version: '1.2.0', sha256: 'a'.repeat(64), signature: { status: 'sigstore', signer: 'https://github.com/example/notes-server/.github/workflows/release.yml@refs/tags/v1.2.0', sourceRepository: 'https://github.com/example/notes-server' } },
    verdict: failing ? 'fail' : warning ? 'warn' : 'pass',
    risks,
    tool: { name: 'mcpseal', version: '0.1.0' },
    auditedAt: '2026-11-29T18:00:00.000Z',
    ...extra,
  };
}

/** A signed bundle that passes every risk, with its scopes and command line. */
export function cleanReport(): AuditReport {
  return report(risksWith(), {
    scopes: [
      { kind: 'filesystem', access: 'read', target: '${user_config.notes}' },
      { kind: 'network', access: 'egress', target: 'api.example.com:443' },
      { kind: 'env', access: 'read', target: 'NOTES_TOKEN' },
    ],
    command: ['node', '${__dirname}/server/index.js', '--notes', '${user_config.notes}'],
  });
}

/** Findings in files of the bundle, with lines and excerpts; risks 3 and 6 fail. */
export function failingReport(): AuditReport {
  return report(
    risksWith({
      3: {
        status: 'fail',
        summary: 'bundled dependencies carry install scripts and no lockfile',
        findings: [
          { code: 'AUDIT_INSTALL_SCRIPT', severity: 'high', message: 'node_modules/left-pad/package.json declares a postinstall script', evidence: { path: 'server/node_modules/left-pad/package.json', line: 7, excerpt: '"postinstall": "node ./setup.js"' } },
          { code: 'AUDIT_NO_LOCKFILE', severity: 'medium', message: 'no package-lock.json in the bundle', evidence: { path: 'server/package.json' } },
        ],
      },
      6: {
        status: 'fail',
        summary: 'spawns a shell the scopes do not declare',
        findings: [{ code: 'AUDIT_UNDECLARED_SPAWN', severity: 'critical', message: 'child_process.exec of a string built at run time', evidence: { path: 'server/index.js', line: 42, excerpt: "exec(`sh -c ${cmd}`)" } }],
      },
      10: { status: 'warn', summary: 'reads cloud credentials', findings: [{ code: 'AUDIT_CLOUD_CREDENTIAL', severity: 'low', message: 'reads AWS_SECRET_ACCESS_KEY', evidence: { path: 'server/aws.js', line: 3, excerpt: 'process.env.AWS_SECRET_ACCESS_KEY' } }] },
    }),
    { command: ['node', '${__dirname}/server/index.js'] },
  );
}

/** Findings without a path or a line (provenance, names), an unknown risk and an n/a one. */
export function reportWithoutPaths(): AuditReport {
  return report(
    risksWith({
      1: { status: 'fail', summary: 'unsigned', findings: [{ code: 'AUDIT_UNSIGNED', severity: 'high', message: 'the bundle carries no signature' }] },
      4: { status: 'n/a', summary: 'a local bundle has no remote endpoint' },
      7: { status: 'unknown', summary: 'no signature: the channel cannot be told', findings: [{ code: 'AUDIT_CHANNEL_UNKNOWN', severity: 'info', message: 'the publisher is unknown', evidence: { path: 'notes-server-1.2.0.mcpb' } }] },
      9: { status: 'warn', summary: 'a lookalike name', findings: [{ code: 'AUDIT_LOOKALIKE_NAME', severity: 'medium', message: 'the name is one edit from "notes-server-official"', evidence: { path: 'manifest.json', excerpt: '"name": "notes-server"' } }] },
    }),
    { subject: { kind: 'bundle', path: '/home/ci/work/notes-server-1.2.0.mcpb', name: 'notes-server', version: '1.2.0', signature: { status: 'unsigned' } } },
  );
}

/** A client config: a signed mcpseal entry, an unpinned npx entry and a remote one. */
export function clientConfigReport(): AuditReport {
  const unpinned = risksWith({ 3: { status: 'fail', summary: 'npx without a pinned version', findings: [{ code: 'AUDIT_UNPINNED_PACKAGE', severity: 'high', message: 'npx -y @example/files launches whatever the feed serves today', evidence: { path: '.vscode/mcp.json', line: 5, excerpt: '"args": ["-y", "@example/files"]' } }] } });
  return report(unpinned, {
    subject: { kind: 'client-config', path: '.vscode/mcp.json' },
    servers: [
      { name: 'notes', channel: 'mcpseal', target: 'notes-server@1.2.0', pinned: true, risks: risksWith() },
      { name: 'files', channel: 'npx', target: '@example/files', pinned: false, risks: unpinned },
      { name: 'search', channel: 'remote', target: 'https://mcp.example.com/mcp', pinned: false, risks: risksWith({ 4: { status: 'warn', summary: 'no OAuth protected-resource metadata', findings: [{ code: 'AUDIT_REMOTE_NO_AUTH', severity: 'medium', message: 'no auth scheme is declared' }] } }) },
    ],
  });
}

/** Strings an attacker controls (tool descriptions, file contents, names), each a known attack on a report viewer. */
export const HOSTILE = {
  script: '</script><script>window.__pwned = 1</script>',
  img: '<img src="http://attacker.example/x.png" onerror="window.__pwned = 2">',
  style: '</style><style>body { display: none }</style>',
  bidi: 'safe\u202Egnp.exe\u202C and \u2066hidden\u2069',
  ansi: '\u001b]52;c;cm0gLXJmIH4=\u0007\u001b[2Jcleared',
  tag: 'ignore\u{E0069}\u{E0067}',
  attr: '" onmouseover="window.__pwned = 3',
} as const;

/** Every hostile string in every untrusted field the renderers show. */
export function hostileReport(): AuditReport {
  const all = Object.values(HOSTILE).join(' | ');
  const finding = (code: string, text: string): AuditFinding => ({ code, severity: 'high', message: `tool description says ${text}`, evidence: { path: `server/${text}.js`, line: 1, excerpt: text } });
  return report(
    risksWith({
      2: { status: 'fail', summary: `hidden instructions: ${HOSTILE.bidi}`, findings: Object.entries(HOSTILE).map(([name, text]) => finding(`AUDIT_HOSTILE_${name.toUpperCase()}`, text)) },
    }),
    {
      subject: { kind: 'bundle', path: `x${HOSTILE.script}.mcpb`, name: HOSTILE.img, version: HOSTILE.bidi, signature: { status: 'sigstore', signer: HOSTILE.attr, sourceRepository: HOSTILE.style } },
      scopes: [{ kind: 'filesystem', access: 'read', target: all }],
      command: ['node', HOSTILE.script, HOSTILE.ansi],
      servers: [{ name: HOSTILE.img, channel: 'other', target: HOSTILE.bidi, pinned: false, risks: risksWith({ 5: { status: 'fail', summary: HOSTILE.script, findings: [finding('AUDIT_HOSTILE_SERVER', HOSTILE.style)] } }) }],
    },
  );
}

/** Rows of a finding table, as lib/audit/findings.ts would hand them to renderAudit. */
export const RULES: AuditRule[] = [
  { code: 'AUDIT_INSTALL_SCRIPT', risk: 3, severity: 'high', meaning: 'a bundled package runs a preinstall, install or postinstall script', help: 'Remove the script or vendor the package without it; a bundle should install nothing.' },
  { code: 'AUDIT_NO_LOCKFILE', risk: 3, severity: 'medium', meaning: 'the bundle has no lockfile pinning its dependencies' },
  { code: 'AUDIT_UNDECLARED_SPAWN', risk: 6, severity: 'critical', meaning: 'the code starts a process the scopes do not declare' },
  { code: 'AUDIT_UNSIGNED', risk: 1, severity: 'high', meaning: 'the bundle carries no signature' },
];
