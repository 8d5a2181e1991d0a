// Issue 13 item 4: the audit report as SARIF 2.1.0 that GitHub code scanning accepts, validated
// against the official OASIS schema (test/fixtures/sarif/, see SOURCE.md there), with rules that
// carry help text, levels from severities, relative locations and stable fingerprints.

import assert from 'node:assert/strict';
import type { ValidateFunction } from 'ajv';
import type { AuditReport } from '../lib/report/audit-model.ts';
import { renderAudit } from '../lib/report/audit-render.ts';
import { FINGERPRINT_KEY, SARIF_SCHEMA_URI, subjectRelativePath } from '../lib/report/audit-sarif.ts';
import { sarifValidator } from './helpers/sarif.ts';
import { cleanReport, clientConfigReport, failingReport, HOSTILE, hostileReport, reportWithoutPaths, RULES } from './helpers/audit-reports.ts';

function sarifOf(report: AuditReport, srcRoot?: string): any {
  return JSON.parse(renderAudit(report, 'sarif', { rules: RULES, ...(srcRoot === undefined ? {} : { srcRoot }) }));
}

describe('audit SARIF 2.1.0 (issue 13 item 4)', function () {
  let validate: ValidateFunction;
  before(function () {
    validate = sarifValidator();
  });

  function assertValid(log: unknown, label: string): void {
    const valid = validate(log);
    assert.ok(valid, `${label}: ${JSON.stringify(validate.errors, null, 2)}`);
  }

  const REPORTS: [string, () => AuditReport][] = [
    ['a clean bundle', cleanReport],
    ['a failing bundle with findings in its files', failingReport],
    ['findings without a path or a line, an absolute subject path', reportWithoutPaths],
    ['a client config with servers', clientConfigReport],
    ['hostile strings everywhere', hostileReport],
  ];
  for (const [label, build] of REPORTS) {
    it(`validates against the official schema: ${label}`, function () {
      assertValid(sarifOf(build()), label);
    });
  }

  it('the validator is not a formality: it refuses a log with a region without a line and an unknown level', function () {
    const log = sarifOf(failingReport());
    log.runs[0].results[0].level = 'fatal';
    assert.equal(validate(log), false);
    const other = sarifOf(failingReport());
    other.runs[0].results[0].locations[0].physicalLocation.region = { snippet: { text: 'x' } };
    assert.equal(validate(other), false);
  });

  it('names the schema and the version, one run, and the tool driver GitHub reads', function () {
    const log = sarifOf(failingReport());
    assert.equal(log.$schema, SARIF_SCHEMA_URI);
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs.length, 1);
    const driver = log.runs[0].tool.driver;
    assert.equal(driver.name, 'mcpseal');
    assert.equal(driver.version, '0.1.0');
    assert.match(driver.informationUri, /^https:\/\//u);
  });

  it('a clean report has no result and no rule', function () {
    const run = sarifOf(cleanReport()).runs[0];
    assert.deepEqual(run.results, []);
    assert.deepEqual(run.tool.driver.rules, []);
    assert.equal(run.properties.verdict, 'pass');
  });

  it('one rule per finding code, with help from the finding table, the risk in its tags and a security-severity', function () {
    const run = sarifOf(failingReport()).runs[0];
    const rules = run.tool.driver.rules as any[];
    assert.deepEqual(rules.map((rule) => rule.id), ['AUDIT_CLOUD_CREDENTIAL', 'AUDIT_INSTALL_SCRIPT', 'AUDIT_NO_LOCKFILE', 'AUDIT_UNDECLARED_SPAWN']);
    const install = rules.find((rule) => rule.id === 'AUDIT_INSTALL_SCRIPT');
    assert.equal(install.name, 'AuditInstallScript');
    assert.equal(install.shortDescription.text, 'a bundled package runs a preinstall, install or postinstall script');
    assert.match(install.fullDescription.text, /risk 3: Dependency confusion/u);
    assert.match(install.help.text, /^Remove the script/u);
    assert.match(install.help.markdown, /\*\*Review checklist risk 3: Dependency confusion\.\*\*/u);
    assert.equal(install.defaultConfiguration.level, 'error');
    assert.deepEqual(install.properties.tags, ['security', 'mcp', 'risk-3', 'dependency-confusion']);
    assert.equal(install.properties['security-severity'], '8.0');
    assert.equal(rules.find((rule) => rule.id === 'AUDIT_UNDECLARED_SPAWN').properties['security-severity'], '9.5');
    // A code the table does not have still gets a rule, described by the risk it was reported under.
    const unknown = rules.find((rule) => rule.id === 'AUDIT_CLOUD_CREDENTIAL');
    assert.match(unknown.shortDescription.text, /risk 10 \(Transitive cloud trust\)/u);
    assert.deepEqual(unknown.properties.tags, ['security', 'mcp', 'risk-10', 'transitive-cloud-trust']);
    for (const result of run.results) assert.equal(rules[result.ruleIndex].id, result.ruleId);
  });

  it('levels follow severities: critical and high are errors, medium a warning, low and info notes', function () {
    const levels = Object.fromEntries((sarifOf(failingReport()).runs[0].results as any[]).map((result) => [result.ruleId, result.level]));
    assert.deepEqual(levels, { AUDIT_INSTALL_SCRIPT: 'error', AUDIT_NO_LOCKFILE: 'warning', AUDIT_UNDECLARED_SPAWN: 'error', AUDIT_CLOUD_CREDENTIAL: 'note' });
    const info = (sarifOf(reportWithoutPaths()).runs[0].results as any[]).find((result) => result.ruleId === 'AUDIT_CHANNEL_UNKNOWN');
    assert.equal(info.level, 'note');
  });

  it('a finding in a file of the bundle names that file, nested in the bundle, with its line and excerpt', function () {
    const run = sarifOf(failingReport()).runs[0];
    assert.deepEqual(run.artifacts[0], { location: { uri: 'dist/notes-server-1.2.0.mcpb', uriBaseId: '%SRCROOT%' }, roles: ['analysisTarget'] });
    const spawn = (run.results as any[]).find((result) => result.ruleId === 'AUDIT_UNDECLARED_SPAWN');
    const physical = spawn.locations[0].physicalLocation;
    assert.equal(physical.artifactLocation.uri, 'server/index.js');
    assert.equal(physical.artifactLocation.uriBaseId, undefined, 'SARIF 3.4.4: a nested artifact has no uriBaseId');
    assert.deepEqual(run.artifacts[physical.artifactLocation.index], { location: { uri: 'server/index.js' }, parentIndex: 0 });
    assert.deepEqual(physical.region, { startLine: 42, snippet: { text: 'exec(`sh -c ${cmd}`)' } });
    assert.equal(spawn.message.text, 'child_process.exec of a string built at run time (in notes-server-1.2.0.mcpb)');
    assert.deepEqual(spawn.properties, { risk: 6, riskStatus: 'fail', severity: 'critical' });
    const lockfile = (run.results as any[]).find((result) => result.ruleId === 'AUDIT_NO_LOCKFILE');
    assert.equal(lockfile.locations[0].physicalLocation.region, undefined, 'no line, no region');
  });

  it('a finding without a path points at the audited file, by a relative uri; no absolute path leaks', function () {
    const text = renderAudit(reportWithoutPaths(), 'sarif', { rules: RULES });
    assert.doesNotMatch(text, /\/home\/ci/u);
    const run = JSON.parse(text).runs[0];
    const unsigned = (run.results as any[]).find((result) => result.ruleId === 'AUDIT_UNSIGNED');
    assert.deepEqual(unsigned.locations[0].physicalLocation, { artifactLocation: { uri: 'notes-server-1.2.0.mcpb', uriBaseId: '%SRCROOT%', index: 0 } });
    // Evidence naming the audited file itself is the audited file, not a member of it.
    const channel = (run.results as any[]).find((result) => result.ruleId === 'AUDIT_CHANNEL_UNKNOWN');
    assert.equal(channel.locations[0].physicalLocation.artifactLocation.index, 0);
    // An excerpt without a line cannot be a region (SARIF 3.30.2 needs a start): it is kept as a property.
    const lookalike = (run.results as any[]).find((result) => result.ruleId === 'AUDIT_LOOKALIKE_NAME');
    assert.equal(lookalike.properties.excerpt, '"name": "notes-server"');
    // With the repository root given, the path under it is kept.
    const rooted = sarifOf(reportWithoutPaths(), '/home/ci').runs[0];
    assert.equal(rooted.artifacts[0].location.uri, 'work/notes-server-1.2.0.mcpb');
  });

  it('subject paths become relative references under the source root, or a file name', function () {
    const cases: [string, string | undefined, string][] = [
      ['dist/x.mcpb', undefined, 'dist/x.mcpb'],
      ['./dist//x.mcpb', undefined, 'dist/x.mcpb'],
      ['../elsewhere/x.mcpb', undefined, 'x.mcpb'],
      ['/abs/repo/dist/x.mcpb', '/abs/repo', 'dist/x.mcpb'],
      ['/abs/other/x.mcpb', '/abs/repo', 'x.mcpb'],
      ['/abs/repo/dist/x.mcpb', undefined, 'x.mcpb'],
      ['C:\\work\\repo\\x.mcpb', undefined, 'x.mcpb'],
      ['C:\\work\\repo\\dist\\x.mcpb', 'C:\\work\\repo', 'dist/x.mcpb'],
      ['server-dir/', undefined, 'server-dir'],
      ['.', undefined, '.'],
    ];
    for (const [path, root, expected] of cases) assert.equal(subjectRelativePath(path, root), expected, `${path} under ${String(root)}`);
  });

  it('a client config: each server finding names its server and the config file line', function () {
    const run = sarifOf(clientConfigReport()).runs[0];
    const npx = (run.results as any[]).filter((result) => result.ruleId === 'AUDIT_UNPINNED_PACKAGE');
    assert.equal(npx.length, 2, 'the top-level risk and the files server both report it');
    const server = npx.find((result) => result.properties.server === 'files');
    assert.equal(server.message.text, 'npx -y @example/files launches whatever the feed serves today (server files)');
    assert.deepEqual(server.locations[0].physicalLocation.artifactLocation, { uri: '.vscode/mcp.json', uriBaseId: '%SRCROOT%', index: 0 });
    assert.equal(server.locations[0].physicalLocation.region.startLine, 5);
    assert.notEqual(server.partialFingerprints[FINGERPRINT_KEY], npx.find((result) => result.properties.server === undefined).partialFingerprints[FINGERPRINT_KEY]);
  });

  it('fingerprints are stable: the same for the same finding, unchanged when its line moves, different for another code or file', function () {
    const fingerprints = (report: AuditReport): string[] => (sarifOf(report).runs[0].results as any[]).map((result) => result.partialFingerprints[FINGERPRINT_KEY]);
    const first = fingerprints(failingReport());
    assert.deepEqual(fingerprints(failingReport()), first);
    assert.equal(new Set(first).size, first.length);
    for (const value of first) assert.match(value, /^[0-9a-f]{32}$/u);
    const moved = failingReport();
    moved.risks[5]!.findings[0]!.evidence!.line = 99;
    assert.deepEqual(fingerprints(moved), first);
    const otherFile = failingReport();
    otherFile.risks[5]!.findings[0]!.evidence!.path = 'server/other.js';
    assert.notEqual(fingerprints(otherFile)[2], first[2]);
  });

  it('hostile strings: no raw control, bidi or tag character in the SARIF text, and the values are escaped, not lost', function () {
    const text = renderAudit(hostileReport(), 'sarif', { rules: RULES });
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]/u);
    const results = JSON.parse(text).runs[0].results as any[];
    const bidi = results.find((result) => result.ruleId === 'AUDIT_HOSTILE_BIDI');
    assert.equal(bidi.message.text, 'tool description says safe\\u202egnp.exe\\u202c and \\u2066hidden\\u2069 (in script>.mcpb)');
    assert.equal(bidi.locations[0].physicalLocation.artifactLocation.uri, `server/${encodeURIComponent(HOSTILE.bidi)}.js`);
    const script = results.find((result) => result.ruleId === 'AUDIT_HOSTILE_SCRIPT');
    assert.equal(script.locations[0].physicalLocation.region.snippet.text, HOSTILE.script, 'markup is data in JSON: kept as written');
  });

  it('json is the report itself, with the same escaping of format characters', function () {
    const report = hostileReport();
    const text = renderAudit(report, 'json');
    assert.doesNotMatch(text, /[\u007f-\u009f\p{Cf}\u2028\u2029]/u);
    assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(report)));
  });
});
