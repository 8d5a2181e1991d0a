// The README's error-code table is the public list of codes (DESIGN.md "Error codes"): it must
// name exactly the codes of the ErrorCode union (the keys of EXIT_CLASS, which the compiler keeps
// complete) and give each the exit status EXIT_CLASS gives it. Likewise the "Manifest findings"
// section names exactly the finding codes of lib/manifest/findings.ts (the tables FindingCode is
// built from), each table row with the meaning its table gives.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_CLASS, type ErrorCode } from '../lib/errors.ts';
import { COMPAT_CODES, HARDENED_CODES, SCOPE_CODES } from '../lib/manifest/findings.ts';
import { ROOT } from './helpers/cli.ts';

interface Row {
  codes: string[];
  /** The exit status the row states: 2 when the code cell says "(exit 2)", else the section's default 1. */
  exit: 1 | 2;
  line: number;
}

/** The rows of the first table under `## heading` in markdown `text`: backticked codes of the first cell. */
function codeTableRows(text: string, heading: string): Row[] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.trim() === `## ${heading}`);
  assert.ok(start >= 0, `README has no "## ${heading}" section`);
  const rows: Row[] = [];
  for (let i = start + 1; i < lines.length && !lines[i]!.startsWith('## '); i++) {
    const line = lines[i]!;
    if (!line.startsWith('|') || /^\|\s*(code|-+)\s*\|/u.test(line)) continue;
    const cell = line.split('|')[1]!;
    const codes = [...cell.matchAll(/`([A-Z][A-Z0-9_]+)`/gu)].map((match) => match[1]!);
    assert.ok(codes.length > 0, `README line ${i + 1}: a table row without a backticked code: ${line}`);
    rows.push({ codes, exit: /\(exit 2\)/u.test(cell) ? 2 : 1, line: i + 1 });
  }
  return rows;
}

describe('error codes: README table = the ErrorCode union', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const rows = codeTableRows(readme, 'Error codes');
  const documented = rows.flatMap((row) => row.codes);
  const union = Object.keys(EXIT_CLASS) as ErrorCode[];

  it('the section states the default exit status the table relies on', () => {
    const section = readme.slice(readme.indexOf('## Error codes'));
    assert.match(section, /^Exit status 1 unless noted\./mu);
  });

  it('every code of the union is documented', () => {
    const missing = union.filter((code) => !documented.includes(code));
    assert.deepEqual(missing, [], `add a row to the README's "Error codes" table for: ${missing.join(', ')}`);
  });

  it('every documented code is in the union (no stale or misspelt rows)', () => {
    const unknown = documented.filter((code) => !(code in EXIT_CLASS));
    assert.deepEqual(unknown, [], `README rows name codes lib/errors.ts does not have: ${unknown.join(', ')}`);
  });

  it('no code is documented twice', () => {
    const twice = documented.filter((code, index) => documented.indexOf(code) !== index);
    assert.deepEqual(twice, []);
  });

  it('each row states the exit status EXIT_CLASS gives its codes ("(exit 2)" exactly for failed)', () => {
    const wrong: string[] = [];
    for (const row of rows) {
      for (const code of row.codes) {
        const expected = EXIT_CLASS[code as ErrorCode] === 'failed' ? 2 : 1;
        if (code in EXIT_CLASS && row.exit !== expected) wrong.push(`${code} (README line ${row.line}: exit ${row.exit}, EXIT_CLASS: exit ${expected})`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});

describe('finding codes: README "Manifest findings" = the FindingCode tables', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Manifest findings');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const tables: Record<string, string> = { ...COMPAT_CODES, ...HARDENED_CODES, ...SCOPE_CODES };

  it('the section names exactly the finding codes, both ways', () => {
    const named = new Set([...section.matchAll(/`((?:MANIFEST|SCOPE)_[A-Z0-9_]+)`/gu)].map((match) => match[1]!));
    assert.deepEqual([...named].filter((code) => !Object.hasOwn(tables, code)), [], 'README names finding codes lib/manifest/findings.ts does not have');
    assert.deepEqual(Object.keys(tables).filter((code) => !named.has(code)), [], 'finding codes missing from the README section');
  });

  it('each table row gives the meaning its code table gives', () => {
    const wrong: string[] = [];
    const rows = [...section.matchAll(/^\| `([A-Z0-9_]+)` \| (.+) \|$/gmu)];
    assert.equal(rows.length, Object.keys(HARDENED_CODES).length + Object.keys(SCOPE_CODES).length, 'one row per hardened and scope code');
    for (const match of rows) {
      if (tables[match[1]!] !== match[2]) wrong.push(`${match[1]}: README "${match[2]}", table "${tables[match[1]!]}"`);
    }
    assert.deepEqual(wrong, []);
  });
});
