import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckDefinition, PodCheck } from './types.js';
import { buildRegistry } from './registry.js';

/** A check that always fails with `label` as its reason, so tests can see which implementations ran. */
function fails(label: string): PodCheck {
  return () => ({ forbiddenReason: label, forbiddenDetail: '' });
}

const definitions: CheckDefinition[] = [
  {
    id: 'zeta',
    level: 'restricted',
    versions: [{ minVersion: 10, check: fails('zeta@10'), overrides: ['beta'] }],
  },
  {
    id: 'beta',
    level: 'baseline',
    versions: [
      { minVersion: 0, check: fails('beta@0') },
      { minVersion: 5, check: fails('beta@5') },
    ],
  },
  { id: 'alpha', level: 'restricted', versions: [{ minVersion: 3, check: fails('alpha@3') }] },
  { id: 'Gamma', level: 'baseline', versions: [{ minVersion: 12, check: fails('Gamma@12') }] },
  { id: 'delta', level: 'baseline', versions: [{ minVersion: 0, check: fails('delta@0') }] },
];
const registry = buildRegistry(definitions);

function ran(
  level: 'privileged' | 'baseline' | 'restricted',
  version: 'latest' | { minor: number },
): string[] {
  return registry
    .checksFor(level, version)
    .map((check) => check({}, { containers: [] })?.forbiddenReason ?? '');
}

test('registry: the newest minimum version is the max version', () => {
  assert.equal(registry.maxVersion, 12);
});

for (const [name, level, version, expected] of [
  ['privileged runs nothing', 'privileged', 'latest', []],
  ['baseline v1.0', 'baseline', { minor: 0 }, ['beta@0', 'delta@0']],
  ['baseline v1.4 keeps the v1.0 implementation', 'baseline', { minor: 4 }, ['beta@0', 'delta@0']],
  ['baseline v1.5 switches implementation', 'baseline', { minor: 5 }, ['beta@5', 'delta@0']],
  [
    'baseline sorts IDs by code unit (upper case first)',
    'baseline',
    { minor: 12 },
    ['Gamma@12', 'beta@5', 'delta@0'],
  ],
  ['baseline latest is the max version', 'baseline', 'latest', ['Gamma@12', 'beta@5', 'delta@0']],
  [
    'a version newer than any check behaves as the newest',
    'baseline',
    { minor: 40 },
    ['Gamma@12', 'beta@5', 'delta@0'],
  ],
  ['restricted before its checks exist is baseline', 'restricted', { minor: 2 }, ['beta@0', 'delta@0']],
  [
    'restricted: baseline checks first, then restricted ones',
    'restricted',
    { minor: 3 },
    ['beta@0', 'delta@0', 'alpha@3'],
  ],
  [
    'restricted: an override replaces the baseline check from its version',
    'restricted',
    { minor: 10 },
    ['delta@0', 'alpha@3', 'zeta@10'],
  ],
  ['restricted latest', 'restricted', 'latest', ['Gamma@12', 'delta@0', 'alpha@3', 'zeta@10']],
] as const) {
  test(`registry: ${name}`, () => {
    assert.deepEqual(ran(level, version), expected);
  });
}

test('registry: invalid versions are rejected', () => {
  assert.throws(() => registry.checksFor('baseline', { minor: -1 }), RangeError);
  assert.throws(() => registry.checksFor('baseline', { minor: 1.5 }), RangeError);
});

test('registry: invalid definitions are rejected', () => {
  const check = fails('x');
  assert.throws(
    () =>
      buildRegistry([
        { id: 'a', level: 'baseline', versions: [{ minVersion: 0, check }] },
        { id: 'a', level: 'restricted', versions: [{ minVersion: 0, check }] },
      ]),
    /multiple checks registered for ID a/,
  );
  assert.throws(() => buildRegistry([{ id: 'a', level: 'baseline', versions: [] }]), /no versions/);
  assert.throws(
    () =>
      buildRegistry([
        {
          id: 'a',
          level: 'baseline',
          versions: [
            { minVersion: 3, check },
            { minVersion: 3, check },
          ],
        },
      ]),
    /strictly increasing/,
  );
});
