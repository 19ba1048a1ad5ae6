import { test } from 'node:test';
import assert from 'node:assert/strict';
import { negotiateFormat } from './negotiate.js';

void test('negotiateFormat answers the same for a header seen before, and per header', () => {
  const table = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
  const cases: [string | undefined, unknown][] = [
    [undefined, { kind: 'json' }],
    ['application/json', { kind: 'json' }],
    ['application/yaml', { kind: 'yaml' }],
    [table, { kind: 'table', version: 'v1' }],
    [
      'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
      { kind: 'partial-metadata', list: true },
    ],
    ['text/html', undefined],
  ];
  for (let round = 0; round < 2; round++) {
    for (const [header, want] of cases)
      assert.deepEqual(negotiateFormat(header), want, `${header} (round ${round})`);
  }
  // Past its limit the cache starts over: every header is still answered from its own text.
  for (let i = 0; i < 200; i++)
    assert.deepEqual(negotiateFormat(`application/yaml;q=0.${i}`), { kind: 'yaml' });
  assert.deepEqual(negotiateFormat(table), { kind: 'table', version: 'v1' });
});
