import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLabels, formatLabelSelector, humanDuration, selectorString } from './format.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

void describe('humanDuration (upstream duration.HumanDuration)', () => {
  const cases: Array<[number, string]> = [
    [-3 * s, '<invalid>'],
    [-1 * s, '0s'],
    [0, '0s'],
    [59 * s, '59s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [5 * m + 30 * s, '5m30s'],
    [10 * m + 30 * s, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [3 * h + 10 * m, '3h10m'],
    [8 * h + 10 * m, '8h'],
    [47 * h, '47h'],
    [2 * d, '2d'],
    [2 * d + 5 * h, '2d5h'],
    [8 * d + 5 * h, '8d'],
    [400 * d, '400d'],
    [2 * 365 * d + 10 * d, '2y10d'],
    [9 * 365 * d, '9y'],
  ];
  for (const [ms, want] of cases) {
    void test(`${ms}ms → ${want}`, () => assert.equal(humanDuration(ms), want));
  }
});

void describe('label formatting', () => {
  void test('formatLabels sorts keys and prints <none> for empty', () => {
    assert.equal(formatLabels({ tier: 'web', app: 'shop' }), 'app=shop,tier=web');
    assert.equal(formatLabels({}), '<none>');
    assert.equal(formatLabels(undefined), '<none>');
  });
  void test('selectors print as labels.Selector.String()', () => {
    const sel = {
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod', 'dev'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'zone', operator: 'NotIn', values: ['b'] },
        { key: 'gpu', operator: 'Exists' },
      ],
    };
    assert.equal(selectorString(sel), 'app=web,!canary,env in (dev,prod),gpu,zone notin (b)');
    assert.equal(selectorString({}), '');
    assert.equal(formatLabelSelector({}), '<none>');
  });
});
