// Issue 13 item 4: the audit report for a terminal (one line per risk with its status as a word,
// then the findings grouped by risk with their evidence, then the verdict), the format switch,
// and the escaping every renderer applies to the report's untrusted strings.

import assert from 'node:assert/strict';
import { renderAudit, AUDIT_FORMATS } from '../lib/report/audit-render.ts';
import { shellLine } from '../lib/report/audit-format.ts';
import { RISKS } from '../lib/report/audit-model.ts';
import { cleanReport, clientConfigReport, failingReport, HOSTILE, hostileReport, reportWithoutPaths } from './helpers/audit-reports.ts';

/** Raw characters a terminal acts on or a reader cannot see (what terminalSafe and escapeControls escape). */
const RAW_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]/u;

describe('audit text report (issue 13 item 4)', function () {
  it('one line per risk: number, status word, title and why, in the checklist order', function () {
    const lines = renderAudit(failingReport(), 'text').split('\n');
    const riskLines = lines.filter((line) => /^\s?\d{1,2} {2}[A-Z/]+\s/u.test(line));
    assert.equal(riskLines.length, 10);
    assert.deepEqual(
      riskLines.map((line) => line.trim().split(/\s+/u).slice(0, 2)),
      RISKS.map(({ id }) => [String(id), id === 3 || id === 6 ? 'FAIL' : id === 10 ? 'WARN' : 'PASS']),
    );
    assert.ok(lines.includes(' 3  FAIL     Dependency confusion: bundled dependencies carry install scripts and no lockfile'));
  });

  it('findings grouped by risk, most serious first, with code, severity, message, path:line and excerpt', function () {
    const text = renderAudit(failingReport(), 'text');
    const expected = [
      'risk 3 Dependency confusion (FAIL):',
      '  AUDIT_INSTALL_SCRIPT [high] node_modules/left-pad/package.json declares a postinstall script',
      '    at server/node_modules/left-pad/package.json:7',
      '    | "postinstall": "node ./setup.js"',
      '  AUDIT_NO_LOCKFILE [medium] no package-lock.json in the bundle',
      '    at server/package.json',
      '',
      'risk 6 Stdio child-process abuse (FAIL):',
      '  AUDIT_UNDECLARED_SPAWN [critical] child_process.exec of a string built at run time',
      '    at server/index.js:42',
      '    | exec(`sh -c ${cmd}`)',
    ].join('\n');
    assert.ok(text.includes(expected), text);
    assert.ok(text.endsWith('verdict: FAIL: do not install (2 failing, 1 to review, 0 unknown)'));
  });

  it('the subject, its signature and the verdict line; a clean report has no findings block', function () {
    const clean = renderAudit(cleanReport(), 'text');
    assert.match(clean, /^audit of bundle notes-server@1\.2\.0: dist\/notes-server-1\.2\.0\.mcpb\n/u);
    assert.match(clean, /\nsignature: sigstore signer https:\/\/github\.com\/example\/notes-server\/\.github\/workflows\/release\.yml@refs\/tags\/v1\.2\.0 source https:\/\/github\.com\/example\/notes-server\n/u);
    assert.doesNotMatch(clean, /\nrisk \d/u);
    assert.match(clean, /\ncommand: node '\$\{__dirname\}\/server\/index\.js' --notes '\$\{user_config\.notes\}'\n/u);
    assert.ok(clean.endsWith('verdict: PASS: no risk found in the evidence (0 failing, 0 to review, 0 unknown)'));
    const unsigned = renderAudit(reportWithoutPaths(), 'text');
    assert.match(unsigned, /\nsignature: unsigned\n/u);
    assert.match(unsigned, /\n 4 {2}N\/A {6}Auth and transport gaps on remote servers: a local bundle has no remote endpoint\n/u);
    assert.match(unsigned, /\n 7 {2}UNKNOWN {2}Off-marketplace injection: /u);
    assert.ok(unsigned.includes('  AUDIT_UNSIGNED [high] the bundle carries no signature\n'), 'a finding without evidence has no "at" line');
  });

  it('a client config lists each server with its install channel and pinning', function () {
    const text = renderAudit(clientConfigReport(), 'text');
    assert.ok(text.includes('\nservers (3):\n'));
    assert.ok(text.includes('\n  files: npx @example/files (not pinned)\n'));
    assert.ok(text.includes('\n  notes: mcpseal notes-server@1.2.0 (pinned)\n'));
    assert.ok(text.includes('\n  risk 3 Dependency confusion (FAIL):\n    AUDIT_UNPINNED_PACKAGE [high] '));
  });

  it('hostile strings: no raw control, bidi, tag or ANSI character in any text-like format, each shown escaped', function () {
    const report = hostileReport();
    for (const format of AUDIT_FORMATS) assert.doesNotMatch(renderAudit(report, format), RAW_UNSAFE, format);
    const text = renderAudit(report, 'text');
    assert.ok(text.includes('safe\\u202egnp.exe\\u202c and \\u2066hidden\\u2069'));
    assert.ok(text.includes('\\u001b]52;c;cm0gLXJmIH4=\\u0007\\u001b[2Jcleared'));
    assert.ok(text.includes('ignore\\u{e0069}\\u{e0067}'));
    // A newline in a message cannot forge a line of the report.
    const forged = failingReport();
    forged.risks[2]!.findings[0]!.message = 'ok\n 3  PASS     Dependency confusion: nothing here';
    assert.equal(renderAudit(forged, 'text').split('\n').filter((line) => line.startsWith(' 3  ')).length, 1);
    assert.ok(!text.includes(HOSTILE.ansi));
  });

  it('the command line reads back as the same argv: plain words bare, others single-quoted, controls escaped', function () {
    assert.equal(shellLine(['node', 'server/index.js', '--port=8080']), 'node server/index.js --port=8080');
    assert.equal(shellLine(['sh', '-c', "echo 'hi' && rm -rf ~"]), "sh -c 'echo '\\''hi'\\'' && rm -rf ~'");
    assert.equal(shellLine(['a b', '', '$HOME']), "'a b' '' '$HOME'");
    assert.equal(shellLine(['x\u202Ey']), "'x\\u202ey'");
  });

  it('html: a risk the report lacks is shown as not reported, never dropped from the ten', function () {
    const report = cleanReport();
    report.risks = report.risks.filter((risk) => risk.id !== 8);
    const html = renderAudit(report, 'html');
    assert.match(html, /<tr data-risk="8" data-status="missing"><td class="num">8<\/td><td>Social-proof manipulation<\/td><td><span class="status status-unknown">\? NOT REPORTED<\/span>/u);
    assert.equal(html.match(/<tr data-risk=/gu)?.length, 10);
  });
});
