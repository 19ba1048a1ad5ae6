import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from './errors.js';
import {
  QUANTITY_FORMAT_ERROR,
  QUANTITY_SUFFIX_ERROR,
  canonicalQuantity,
  compareQuantities,
  formatQuantity,
  quantityFromNanos,
  parseQuantity,
  quantityMilliValue,
  quantityToNumber,
  quantityValue,
  tryParseQuantity,
} from './quantity.js';

void describe('canonical form', () => {
  const cases: [string | number, string][] = [
    ['0', '0'],
    ['0Mi', '0'],
    ['1000m', '1'],
    ['100m', '100m'],
    ['1.5', '1500m'],
    ['0.5', '500m'],
    ['.5', '500m'],
    ['5.', '5'],
    ['2000', '2k'],
    ['2048', '2048'],
    ['1k', '1k'],
    ['1M', '1M'],
    ['1G', '1G'],
    ['1024Mi', '1Gi'],
    ['1536Mi', '1536Mi'],
    ['1.5Gi', '1536Mi'],
    ['0.5Ki', '512'],
    ['1Ki', '1Ki'],
    ['1025Ki', '1025Ki'],
    ['500Mi', '500Mi'],
    ['1e3', '1e3'],
    ['1.5e3', '1500'],
    ['1E', '1E'],
    ['-1', '-1'],
    ['+2', '2'],
    ['-100m', '-100m'],
    ['1n', '1n'],
    ['0.0000000001', '1n'],
    ['1u', '1u'],
    ['123456789', '123456789'],
    [0.25, '250m'],
    [2, '2'],
    ['12e-3', '12e-3'],
  ];
  for (const [input, want] of cases) {
    void test(`${JSON.stringify(input)} → ${want}`, () => assert.equal(canonicalQuantity(input), want));
  }
});

void describe('values and comparison', () => {
  void test('compare', () => {
    assert.equal(compareQuantities(parseQuantity('1'), parseQuantity('1000m')), 0);
    assert.equal(compareQuantities(parseQuantity('1Gi'), parseQuantity('1G')), 1);
    assert.equal(compareQuantities(parseQuantity('100m'), parseQuantity('0.2')), -1);
  });
  void test('numbers', () => {
    assert.equal(quantityToNumber(parseQuantity('1.5Gi')), 1.5 * 1024 ** 3);
    assert.equal(quantityToNumber(parseQuantity('250m')), 0.25);
    assert.equal(quantityValue(parseQuantity('100m')), 1n);
    assert.equal(quantityMilliValue(parseQuantity('1.5')), 1500n);
    assert.equal(quantityMilliValue(parseQuantity('1n')), 1n);
  });
});

void describe('errors', () => {
  const cases: [string, string][] = [
    ['', QUANTITY_FORMAT_ERROR],
    ['abc', QUANTITY_FORMAT_ERROR],
    ['.', QUANTITY_FORMAT_ERROR],
    ['1 Gi', QUANTITY_FORMAT_ERROR],
    ['1GB', QUANTITY_FORMAT_ERROR],
    ['1Gm', QUANTITY_SUFFIX_ERROR],
    ['1e', QUANTITY_SUFFIX_ERROR],
    ['1Kii', QUANTITY_SUFFIX_ERROR],
    ['1x', QUANTITY_FORMAT_ERROR],
  ];
  for (const [input, message] of cases) {
    void test(JSON.stringify(input), () => {
      assert.throws(
        () => parseQuantity(input),
        (e: unknown) => isApiError(e) && e.code === 400 && e.message === message,
      );
      assert.deepEqual(tryParseQuantity(input), { error: message });
    });
  }
});

void test('a binary quantity that is not a whole number of Ki prints as plain units', () => {
  const binary = (n: bigint) => formatQuantity(quantityFromNanos(n * 1_000_000_000n, 'BinarySI'));
  assert.equal(binary(966_367_642n), '966367642');
  assert.equal(binary(3n * 1024n * 1024n + 1n), '3145729');
  assert.equal(binary(3n * 1024n * 1024n), '3Mi');
});
