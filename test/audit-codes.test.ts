// The README "Audit findings" table is the code table of lib/audit/findings.ts: every code, its
// risk, its severity and its meaning, both ways (as test/codes.test.ts does for the manifest findings).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import { AUDIT_CODES } from '../lib/audit/findings.ts';
import { ROOT } from './helpers/cli.ts';

describe('audit finding codes: README "Audit findings" = AUDIT_CODES', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Audit findings');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const rows = [...section.matchAll(/^\| `(AUDIT_[A-Z0-9_]+)` \| (\d+) \| ([a-z]+) \| (.+) \|$/gmu)];

  it('the section exists and names exactly the codes of the table, both ways', () => {
    assert.ok(start > 0, 'README has an "## Audit findings" section');
    const named = rows.map((row) => row[1]!);
    assert.deepEqual([...named].sort(), Object.keys(AUDIT_CODES).sort());
  });

  it('each row gives the risk, severity and meaning of its code', () => {
    const wrong: string[] = [];
    for (const [, code, risk, severity, meaning] of rows) {
      const row = AUDIT_CODES[code as keyof typeof AUDIT_CODES];
      if (row.risk !== Number(risk) || row.severity !== severity || row.meaning !== meaning) wrong.push(`${code}: README ${risk} ${severity} "${meaning}", table ${row.risk} ${row.severity} "${row.meaning}"`);
    }
    assert.deepEqual(wrong, []);
  });
});
