// Layers import downward only (DESIGN.md "Layout", issue 8 item 4), checked against the real
// import graph of lib/. The order is written once, in scripts/import-graph.ts; `npm run
// import-graph` prints the folder-level graph.

import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LAYERS, LIB, libImports, unitOf, violationOf, type Import } from '../scripts/import-graph.ts';
import { tempDir } from './helpers/cli.ts';

describe('layers: imports go downward only', () => {
  const imports = libImports();

  it('reads the real graph, and every folder of lib/ has a layer', async () => {
    assert.ok(imports.length > 100, `only ${imports.length} imports found`);
    const folders = (await readdir(LIB, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    for (const folder of folders) {
      assert.notEqual(unitOf(`${folder}/x.ts`).layer, undefined, `lib/${folder}/ has no layer in scripts/import-graph.ts LAYERS`);
    }
  });

  it('no import climbs a layer, crosses to a sibling unit, or joins two pipelines', () => {
    const found = imports.filter((edge) => violationOf(edge) !== undefined);
    assert.deepEqual(
      found.map((edge) => `lib/${edge.from} imports '${edge.specifier}': ${violationOf(edge)}`),
      [],
      'move the shared step one layer down instead of importing across or upward',
    );
  });

  it('the rules: own unit and lower layers allowed; higher layers, siblings, other pipelines and index.ts refused', () => {
    const edge = (from: string, to: string): Import => ({ from, to, specifier: to });
    const allowed: [string, string][] = [
      ['cli/main.ts', 'verify.ts'],
      ['cli/main.ts', 'manifest/source.ts'],
      ['verify.ts', 'sigstore/verify.ts'],
      ['sigstore/verify.ts', 'attest/statement.ts'],
      ['scopes/check.ts', 'manifest/findings.ts'],
      ['legacy/read.ts', 'archive/reader.ts'],
      ['archive/reader.ts', 'io.ts'],
      ['io.ts', 'errors.ts'],
      ['sigstore/verify.ts', 'sigstore/trust.ts'],
      ['index.ts', 'cli/main.ts'],
    ];
    for (const [from, to] of allowed) assert.equal(violationOf(edge(from, to)), undefined, `${from} -> ${to}`);
    const refused: [string, string, RegExp][] = [
      ['manifest/validate.ts', 'scopes/check.ts', /climbs a layer/u],
      ['errors.ts', 'archive/reader.ts', /climbs a layer/u],
      ['sigstore/verify.ts', 'verify.ts', /climbs a layer/u],
      ['archive/reader.ts', 'cli/output.ts', /climbs a layer/u],
      ['sigstore/verify.ts', 'legacy/read.ts', /sibling/u],
      ['manifest/load.ts', 'attest/statement.ts', /sibling/u],
      ['unpack.ts', 'verify.ts', /pipeline imports another pipeline/u],
      ['sigstore/verify.ts', 'index.ts', /public API/u],
      ['newfolder/a.ts', 'errors.ts', /has no layer/u],
    ];
    for (const [from, to, why] of refused) assert.match(violationOf(edge(from, to)) ?? 'allowed', why, `${from} -> ${to}`);
    assert.equal(LAYERS.length, 7);
  });

  it('the reader sees every import form: static, multi-line, type-only, re-export, side-effect, dynamic', async () => {
    const tmp = await tempDir();
    try {
      await mkdir(join(tmp.path, 'sigstore'));
      await mkdir(join(tmp.path, 'manifest', 'generated'), { recursive: true });
      await writeFile(
        join(tmp.path, 'sigstore', 'a.ts'),
        [
          "import { x } from '../archive/one.ts';",
          'import {',
          '  y,',
          "} from '../archive/two.ts';",
          "import type { T } from '../archive/three.ts';",
          "export * from '../archive/four.ts';",
          "import '../archive/five.ts';",
          "const lazy = await import('../archive/six.ts');",
          "import { z } from 'node:fs';",
        ].join('\n'),
      );
      await writeFile(join(tmp.path, 'manifest', 'generated', 'v.ts'), "import '../../cli/x.ts';");
      const found = libImports(`${tmp.path}/`).map((edge) => edge.to);
      assert.deepEqual(found.sort(), ['archive/five.ts', 'archive/four.ts', 'archive/one.ts', 'archive/six.ts', 'archive/three.ts', 'archive/two.ts']);
    } finally {
      await tmp.cleanup();
    }
  });
});
