import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { SourcePositions } from './source-maps.js';

describe('SourcePositions', () => {
  test('maps a position in a bundle back to the source file and line it came from', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tugboat-sourcemap-'));
    try {
      writeFileSync(
        join(dir, 'helper.ts'),
        'export function helper(n: number): number {\n  return n * 2;\n}\n',
      );
      writeFileSync(
        join(dir, 'entry.ts'),
        "import { helper } from './helper.js';\nconsole.log(helper(21));\n",
      );
      await build({
        entryPoints: [join(dir, 'entry.ts')],
        outfile: join(dir, 'out', 'entry.js'),
        bundle: true,
        format: 'esm',
        minifyWhitespace: true,
        sourcemap: 'linked',
        sourcesContent: false,
        logLevel: 'silent',
      });
      const bundle = readFileSync(join(dir, 'out', 'entry.js'), 'utf8').split('\n');
      const line = bundle.findIndex((l) => l.includes('n*2'));
      const column = bundle[line]!.indexOf('n*2');
      const url = pathToFileURL(join(dir, 'out', 'entry.js')).href;

      const positions = new SourcePositions();
      const original = positions.original({ url, line, column });
      assert.equal(original.url, pathToFileURL(join(dir, 'helper.ts')).href);
      assert.equal(original.line, 1);

      // Scripts without a map and pseudo-frames pass through.
      const plain = { url: 'node:internal/timers', line: 3, column: 1 };
      assert.deepEqual(positions.original(plain), plain);
      assert.deepEqual(positions.original({ url: '', line: -1, column: -1 }), {
        url: '',
        line: -1,
        column: -1,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
