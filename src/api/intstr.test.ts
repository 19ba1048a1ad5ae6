import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { intValue, percentValue, scaledValueFromIntOrPercent } from './intstr.js';

void describe('scaledValueFromIntOrPercent', () => {
  const cases: [number | string, number, boolean, number][] = [
    [3, 10, true, 3],
    ['25%', 10, true, 3],
    ['25%', 10, false, 2],
    ['50%', 10, false, 5],
    ['100%', 7, true, 7],
    ['0%', 7, true, 0],
    ['1%', 1, true, 1],
    ['1%', 1, false, 0],
  ];
  for (const [v, total, up, want] of cases) {
    void test(`${v} of ${total} roundUp=${up} → ${want}`, () =>
      assert.equal(scaledValueFromIntOrPercent(v, total, up), want));
  }
  void test('errors', () => {
    assert.throws(() => scaledValueFromIntOrPercent('5', 10, true), /string is not a percentage/);
    assert.throws(() => scaledValueFromIntOrPercent('x%', 10, true), /invalid value "x%"/);
    assert.throws(() => scaledValueFromIntOrPercent(undefined, 10, true), /nil value/);
  });
  void test('helpers', () => {
    assert.equal(percentValue('30%'), 30);
    assert.equal(percentValue('30'), undefined);
    assert.equal(intValue('8080'), 8080);
    assert.equal(intValue('http'), 0);
  });
});
