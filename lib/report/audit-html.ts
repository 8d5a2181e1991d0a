// The audit report as one self-contained HTML review page (issue 13 item 4): the verdict, the ten
// risks with their status and evidence, the signer and provenance, the scopes as a table of what
// the server can touch, the command line, and for a client config its servers by install channel.
//
// Safe to open: no script, no external request (nothing to load: the style is inline, there are no
// images or fonts), and a Content-Security-Policy that allows exactly the one stylesheet by its
// hash (CSP Level 3 §8.3 hash-source), so even a string that escaped escaping could neither run
// script, load anything, nor restyle the page. Every string of the report passes through one
// builder (`el`): text is escaped for its context (HTML: & < > " ', plus audit-format.ts safe for
// controls and bidi overrides, which would otherwise reorder what a reviewer reads).
// Readable without colour: every status is a word and a symbol; printable: an @media print block.

import { createHash } from 'node:crypto';
import { evidenceWhere, safe, safeExcerpt, shellLine, sortedFindings, STATUS_SYMBOL, STATUS_WORD, verdictSentence } from './audit-format.ts';
import { RISKS, type AuditFinding, type AuditReport, type ChannelEntry, type RiskResult, type RiskStatus } from './audit-model.ts';

/** Markup built by `el`: the only way markup enters the page, so no string goes in unescaped. */
class Markup {
  readonly html: string;
  constructor(html: string) {
    this.html = html;
  }
}

type Child = string | number | Markup | undefined | false | readonly Child[];

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an element's content or a quoted attribute value. */
function escapeHtml(text: string): string {
  return safe(text).replace(/[&<>"']/gu, (char) => HTML_ESCAPES[char]!);
}

function flatten(child: Child): string {
  if (child === undefined || child === false) return '';
  if (child instanceof Markup) return child.html;
  if (typeof child === 'number') return String(child);
  if (typeof child === 'string') return escapeHtml(child);
  return child.map(flatten).join('');
}

/** An element: `tag` and attribute names are this file's constants; values and text are escaped. */
function el(tag: string, attributes: Record<string, string> | null, ...children: Child[]): Markup {
  const attrs = Object.entries(attributes ?? {}).map(([name, value]) => ` ${name}="${escapeHtml(value)}"`).join('');
  return new Markup(`<${tag}${attrs}>${children.map(flatten).join('')}</${tag}>`);
}

const CSS = `
:root { color-scheme: light; --fail: #a4000f; --warn: #7a4d00; --pass: #1d6b2a; --unknown: #3a4a8c; --na: #555; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #111; background: #fff; margin: 0 auto; max-width: 72rem; padding: 1.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; border-bottom: 1px solid #bbb; padding-bottom: .2rem; margin-top: 2rem; }
h3, h4 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
h4 { margin-left: 1rem; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .9em; }
pre { background: #f4f4f4; border: 1px solid #ddd; padding: .5rem; white-space: pre-wrap; overflow-wrap: anywhere; margin: .3rem 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { border: 1px solid #bbb; padding: .35rem .5rem; text-align: left; vertical-align: top; overflow-wrap: break-word; }
td code { overflow-wrap: anywhere; }
.num { white-space: nowrap; width: 1%; }
th { background: #eee; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
.status { display: inline-block; min-width: 6.5rem; font-weight: 700; border: 2px solid currentColor; border-radius: 3px; padding: 0 .35rem; white-space: nowrap; }
.status-fail { color: var(--fail); }
.status-warn { color: var(--warn); }
.status-pass { color: var(--pass); }
.status-unknown { color: var(--unknown); }
.status-na { color: var(--na); }
.verdict { font-size: 1.15rem; padding: .6rem .8rem; border: 3px solid currentColor; }
.finding { margin: .4rem 0 .8rem; padding-left: .6rem; border-left: 4px solid #bbb; list-style: none; }
.findings { padding: 0; }
.severity { font-weight: 700; text-transform: uppercase; font-size: .8em; }
.where { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .85em; }
.muted { color: #555; }
footer { margin-top: 2rem; font-size: .85em; color: #555; }
@media print {
  @page { margin: 1.5cm; }
  body { max-width: none; padding: 0; font-size: 11pt; color: #000; }
  .status, .verdict, .status-fail, .status-warn, .status-pass, .status-unknown, .status-na { color: #000; }
  pre { background: none; }
  h2, h3, h4 { break-after: avoid; }
  tr, .finding { break-inside: avoid; }
}
`;

/** The CSP hash-source of the one stylesheet. */
const STYLE_HASH = `sha256-${createHash('sha256').update(CSS).digest('base64')}`;

/** Nothing may load or run; the one stylesheet is allowed by its hash. */
export const AUDIT_HTML_CSP = `default-src 'none'; style-src '${STYLE_HASH}'; base-uri 'none'; form-action 'none'`;

const STATUS_CLASS: Record<RiskStatus, string> = { pass: 'status-pass', warn: 'status-warn', fail: 'status-fail', unknown: 'status-unknown', 'n/a': 'status-na' };

/** The page, as a complete HTML document. */
export function renderAuditHtml(report: AuditReport): string {
  const title = `mcpseal audit: ${report.subject.name ?? report.subject.path}`;
  const head = el(
    'head',
    null,
    new Markup('<meta charset="utf-8">'),
    new Markup(`<meta http-equiv="Content-Security-Policy" content="${escapeHtml(AUDIT_HTML_CSP)}">`),
    new Markup('<meta name="referrer" content="no-referrer">'),
    new Markup('<meta name="viewport" content="width=device-width, initial-scale=1">'),
    el('title', null, title),
    el('style', null, new Markup(CSS)),
  );
  const body = el(
    'body',
    null,
    el('header', null, el('h1', null, title), verdictBlock(report)),
    el('main', null, subjectSection(report), provenanceSection(report), risksSection(report.risks), evidenceSection(report.risks), scopesSection(report), commandSection(report), serversSection(report.servers)),
    el('footer', null, `Written by ${report.tool.name} ${report.tool.version} at ${report.auditedAt}. This page runs no script and loads nothing.`),
  );
  return `<!DOCTYPE html>\n${el('html', { lang: 'en' }, head, body).html}\n`;
}

function statusBadge(status: RiskStatus): Markup {
  return el('span', { class: `status ${STATUS_CLASS[status]}` }, `${STATUS_SYMBOL[status]} ${STATUS_WORD[status]}`);
}

function verdictBlock(report: AuditReport): Markup {
  const status: RiskStatus = report.verdict;
  return el('p', { class: `verdict ${STATUS_CLASS[status]}`, id: 'verdict', 'data-verdict': report.verdict }, el('strong', null, `${STATUS_SYMBOL[status]} Verdict: `), verdictSentence(report));
}

/** A definition list of the rows whose value is known. */
function facts(rows: readonly (readonly [string, string | undefined])[]): Markup {
  return el('dl', null, rows.filter(([, value]) => value !== undefined).map(([term, value]) => [el('dt', null, term), el('dd', null, value)]));
}

function subjectSection(report: AuditReport): Markup {
  const { kind, path, name, version, sha256 } = report.subject;
  return el('section', { id: 'subject' }, el('h2', null, 'What was audited'), facts([['Kind', kind], ['Path', path], ['Name', name], ['Version', version], ['SHA-256', sha256], ['Audited at', report.auditedAt]]));
}

const SIGNATURE_WORDS = {
  sigstore: 'signed (Sigstore bundle, verified)',
  legacy: 'signed (legacy MCPB_SIG_V1 block, verified)',
  unsigned: 'UNSIGNED: nothing ties this file to a publisher',
  invalid: 'INVALID SIGNATURE: the signature does not verify',
} as const;

function provenanceSection(report: AuditReport): Markup {
  const signature = report.subject.signature;
  const content =
    signature === undefined
      ? el('p', { class: 'muted' }, 'The report carries no signature information for this subject.')
      : facts([['Signature', SIGNATURE_WORDS[signature.status]], ['Error code', signature.code], ['Signer', signature.signer], ['Source repository', signature.sourceRepository]]);
  return el('section', { id: 'provenance' }, el('h2', null, 'Signer and provenance'), content, el('p', { class: 'muted' }, 'Stars, downloads and badges are not evidence and are not shown.'));
}

/** The ten risks in the checklist's order; one the report lacks is shown as not reported. */
function risksSection(risks: readonly RiskResult[]): Markup {
  const rows = RISKS.map((known) => {
    const risk = risks.find((candidate) => candidate.id === known.id);
    if (risk === undefined) {
      return el('tr', { 'data-risk': String(known.id), 'data-status': 'missing' }, el('td', { class: 'num' }, known.id), el('td', null, known.title), el('td', null, el('span', { class: 'status status-unknown' }, '? NOT REPORTED')), el('td', null, 'The audit did not report this risk.'), el('td', { class: 'num' }, 0));
    }
    const findings = risk.findings.length === 0 ? '0' : el('a', { href: `#risk-${risk.id}` }, String(risk.findings.length));
    return el('tr', { 'data-risk': String(risk.id), 'data-status': risk.status }, el('td', { class: 'num' }, risk.id), el('td', null, risk.title), el('td', null, statusBadge(risk.status)), el('td', null, risk.summary), el('td', { class: 'num' }, findings));
  });
  const head = el('thead', null, el('tr', null, ['#', 'Risk', 'Status', 'Why', 'Findings'].map((name) => el('th', { scope: 'col' }, name))));
  return el('section', { id: 'risks' }, el('h2', null, 'The ten risks'), el('table', { class: 'risks' }, head, el('tbody', null, rows)));
}

function findingItem(finding: AuditFinding): Markup {
  const evidence = finding.evidence;
  return el(
    'li',
    { class: 'finding', 'data-code': finding.code },
    el('span', { class: 'severity' }, finding.severity),
    ' ',
    el('code', null, finding.code),
    ' ',
    el('span', { class: 'message' }, finding.message),
    evidence === undefined ? undefined : el('div', { class: 'where' }, evidenceWhere(evidence)),
    evidence?.excerpt === undefined ? undefined : el('pre', { class: 'excerpt' }, el('code', null, safeExcerpt(evidence.excerpt))),
  );
}

function riskFindings(risk: RiskResult, idPrefix: string, heading = 'h3'): Markup {
  return el('article', { id: `${idPrefix}risk-${risk.id}` }, el(heading, null, `${risk.id}. ${risk.title} `, statusBadge(risk.status)), el('p', { class: 'summary' }, risk.summary), el('ul', { class: 'findings' }, sortedFindings(risk).map(findingItem)));
}

function evidenceSection(risks: readonly RiskResult[]): Markup {
  const withFindings = risks.filter((risk) => risk.findings.length > 0);
  const content = withFindings.length === 0 ? el('p', null, 'No findings.') : withFindings.map((risk) => riskFindings(risk, ''));
  return el('section', { id: 'evidence' }, el('h2', null, 'Evidence'), content);
}

function scopesSection(report: AuditReport): Markup {
  const scopes = report.scopes;
  let content: Child;
  if (scopes === undefined) content = el('p', { class: 'muted' }, 'The report carries no scopes: what the server can touch is not known.');
  else if (scopes.length === 0) content = el('p', null, 'No scope is granted or declared: the server may touch nothing.');
  else {
    const head = el('thead', null, el('tr', null, ['Kind', 'Access', 'Target'].map((name) => el('th', { scope: 'col' }, name))));
    content = el('table', { class: 'scopes' }, head, el('tbody', null, scopes.map((row) => el('tr', null, el('td', null, row.kind), el('td', null, row.access), el('td', null, el('code', null, row.target))))));
  }
  return el('section', { id: 'scopes' }, el('h2', null, 'What the server can touch'), content);
}

function commandSection(report: AuditReport): Markup {
  const content = report.command === undefined ? el('p', { class: 'muted' }, 'The command line is not known.') : el('pre', { class: 'command' }, el('code', null, shellLine(report.command)));
  return el('section', { id: 'command' }, el('h2', null, 'Command line'), content);
}

const CHANNEL_WORDS: Record<ChannelEntry['channel'], string> = {
  mcpseal: 'mcpseal run (signed, pinned bundle)',
  npx: 'npx (npm package feed)',
  uvx: 'uvx (PyPI package feed)',
  pipx: 'pipx (PyPI package feed)',
  docker: 'docker image',
  local: 'local path',
  remote: 'remote server (URL)',
  other: 'other',
};

/** A client config: one row per server entry, then each server's risks that are not a pass. */
function serversSection(servers: readonly ChannelEntry[] | undefined): Markup | undefined {
  if (servers === undefined) return undefined;
  const head = el('thead', null, el('tr', null, ['Server', 'Install channel', 'Launches', 'Pinned', 'Worst status'].map((name) => el('th', { scope: 'col' }, name))));
  const rows = servers.map((server) => el('tr', { 'data-server': server.name, 'data-channel': server.channel }, el('td', null, server.name), el('td', null, CHANNEL_WORDS[server.channel]), el('td', null, el('code', null, server.target)), el('td', null, server.pinned ? 'yes' : 'NO'), el('td', null, statusBadge(worst(server.risks)))));
  const details = servers.map((server, index) => {
    const open = server.risks.filter((risk) => risk.status !== 'pass' && risk.status !== 'n/a');
    const content = open.length === 0 ? el('p', null, 'Every risk passes or does not apply.') : open.map((risk) => riskFindings(risk, `server-${index}-`, 'h4'));
    return el('article', { class: 'server' }, el('h3', null, `Server ${server.name}`), content);
  });
  return el('section', { id: 'servers' }, el('h2', null, 'Servers in this client config'), el('table', { class: 'servers' }, head, el('tbody', null, rows)), details);
}

const WORST_FIRST: readonly RiskStatus[] = ['fail', 'unknown', 'warn', 'pass', 'n/a'];

function worst(risks: readonly RiskResult[]): RiskStatus {
  return WORST_FIRST.find((status) => risks.some((risk) => risk.status === status)) ?? 'n/a';
}
