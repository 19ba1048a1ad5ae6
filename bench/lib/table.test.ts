import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fmtMiB, fmtMs, fmtRate, markdownTable } from './table.js';

describe('markdownTable', () => {
  test('pads cells to the widest in each column', () => {
    const t = markdownTable(['op', 'ops/s'], [['create', '5,000']]);
    assert.equal(t, ['| op     | ops/s |', '|--------|-------|', '| create | 5,000 |'].join('\n'));
  });

  test('short rows get empty cells', () => {
    const lines = markdownTable(['a', 'b'], [['x']]).split('\n');
    assert.equal(lines[2], '| x   |     |');
  });
});

describe('number formats', () => {
  test('milliseconds keep about three significant digits', () => {
    assert.equal(fmtMs(1.234), '1.23');
    assert.equal(fmtMs(12.34), '12.3');
    assert.equal(fmtMs(1234.5), '1235');
    assert.equal(fmtMs(NaN), '-');
  });

  test('rates and sizes', () => {
    assert.equal(fmtRate(20480.6), '20,481');
    assert.equal(fmtMiB(80 * 1024 * 1024), '80.0 MiB');
    assert.equal(fmtMiB(undefined), '-');
  });
});
