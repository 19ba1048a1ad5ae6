import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalQuantity } from './quantity.js';

void test('quantities print in canonical form', () => {
  const cases: Array<[string, string]> = [
    ['1000m', '1'],
    ['1500m', '1500m'],
    ['0.5', '500m'],
    ['2', '2'],
    ['1000', '1k'],
    ['1500', '1500'],
    ['1.5Gi', '1536Mi'],
    ['2048Ki', '2Mi'],
    ['1Gi', '1Gi'],
    ['100Mi', '100Mi'],
    ['512', '512'],
    ['0.5Ki', '512'],
    ['1e3', '1e3'],
    ['12e2', '1200'],
    ['0', '0'],
    ['0.1m', '100u'],
    ['1n', '1n'],
    ['0.1n', '1n'],
    ['-250m', '-250m'],
    ['10G', '10G'],
  ];
  for (const [input, want] of cases) assert.equal(canonicalQuantity(input), want, input);
  assert.equal(canonicalQuantity('abc'), undefined);
  assert.equal(canonicalQuantity('1Qi'), undefined);
});
