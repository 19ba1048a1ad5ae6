import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { percentile, Samples, summarize } from './stats.js';

describe('percentile', () => {
  test('nearest rank on sorted values', () => {
    const v = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(v, 50), 50);
    assert.equal(percentile(v, 99), 99);
    assert.equal(percentile(v, 100), 100);
    assert.equal(percentile(v, 0), 1);
  });

  test('one value is every percentile; none is NaN', () => {
    assert.equal(percentile([7], 99), 7);
    assert.ok(Number.isNaN(percentile([], 50)));
  });
});

describe('summarize', () => {
  test('sorts numerically, not as strings', () => {
    const s = summarize([10, 9, 100, 2, 1]);
    assert.deepEqual(s, { count: 5, p50: 9, p99: 100, max: 100 });
  });

  test('Samples grows past its first buffer and keeps order', () => {
    const s = new Samples();
    for (let i = 0; i < 5000; i++) s.push(i);
    assert.equal(s.length, 5000);
    assert.equal(s.values()[4999], 4999);
    assert.equal(summarize(s.values()).p50, 2499);
  });
});
