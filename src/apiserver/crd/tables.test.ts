import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import { columnDefinitions } from '../registry/tables/build.js';
import { doc } from '../registry/tables/docs.js';
import { goFloat, goPrint } from './go-print.js';
import { columnsForVersion } from './printer-columns.js';
import { crdTable, customResourceTable, parseRFC3339 } from './tables.js';

const now = Date.parse('2026-01-01T12:00:00Z');

const cr: KubeObject = {
  apiVersion: 'stable.example.com/v1',
  kind: 'CronTab',
  metadata: { name: 'nightly', creationTimestamp: '2026-01-01T11:55:00Z' },
  spec: {
    cronSpec: '* * * * */5',
    replicas: 3,
    ratio: 2.75,
    suspend: true,
    tags: ['a', 'b'],
    selector: { z: '1', a: '<b>' },
    nothing: null,
    lastRun: '2026-01-01T09:00:00Z',
  },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
};

void test('CRDs print Name and Created At (RFC 3339, UTC)', () => {
  assert.deepEqual(
    columnDefinitions(crdTable.columns).map((c) => [c.name, c.type, c.format]),
    [
      ['Name', 'string', 'name'],
      ['Created At', 'date', ''],
    ],
  );
  const crd: KubeObject = {
    metadata: { name: 'crontabs.stable.example.com', creationTimestamp: '2026-01-01T12:30:00+02:00' },
  };
  assert.deepEqual(crdTable.cells(crd, now), ['crontabs.stable.example.com', '2026-01-01T10:30:00Z']);
  assert.deepEqual(crdTable.cells({ metadata: { name: 'x' } }, now), ['x', '0001-01-01T00:00:00Z']);
});

void test('no printer columns: Name and an Age from the creation timestamp', () => {
  const table = customResourceTable([]);
  assert.deepEqual(columnDefinitions(table.columns), [
    { name: 'Name', type: 'string', format: 'name', description: doc.name, priority: 0 },
    { name: 'Age', type: 'date', format: '', description: doc.creationTimestamp, priority: 0 },
  ]);
  assert.deepEqual(table.cells(cr, now), ['nightly', '5m']);
  assert.deepEqual(table.cells({ metadata: { name: 'x' } }, now), ['x', null]);
  assert.deepEqual(columnsForVersion({ spec: { versions: [{ name: 'v1' }] } }, 'v1').at(0)?.name, 'Age');
});

void test('printer columns: headers, typed cells, first result only, null when missing', () => {
  const table = customResourceTable([
    { name: 'Spec', type: 'string', jsonPath: '.spec.cronSpec', description: 'The cron spec' },
    { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas', priority: 1, format: 'int32' },
    { name: 'Ratio', type: 'integer', jsonPath: '.spec.ratio' },
    { name: 'Ratio2', type: 'number', jsonPath: '.spec.ratio' },
    { name: 'Suspend', type: 'boolean', jsonPath: '.spec.suspend' },
    { name: 'Tag', type: 'string', jsonPath: '.spec.tags[*]' },
    { name: 'Tags', type: 'string', jsonPath: '.spec.tags' },
    { name: 'Selector', type: 'string', jsonPath: '.spec.selector' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Missing', type: 'string', jsonPath: '.spec.missing' },
    { name: 'Null', type: 'string', jsonPath: '.spec.nothing' },
    { name: 'Wrong', type: 'boolean', jsonPath: '.spec.replicas' },
    { name: 'Last', type: 'date', jsonPath: '.spec.lastRun' },
    { name: 'BadDate', type: 'date', jsonPath: '.spec.cronSpec' },
    { name: 'OutOfRange', type: 'string', jsonPath: '.spec.tags[5]' },
  ]);
  const defs = columnDefinitions(table.columns);
  assert.deepEqual(defs[1], {
    name: 'Spec',
    type: 'string',
    format: '',
    description: 'The cron spec',
    priority: 0,
  });
  assert.deepEqual(defs[2], {
    name: 'Replicas',
    type: 'integer',
    format: 'int32',
    description: 'Custom resource definition column (in JSONPath format): .spec.replicas',
    priority: 1,
  });
  assert.deepEqual(table.cells(cr, now), [
    'nightly',
    '* * * * */5',
    3,
    2,
    2.75,
    true,
    'a',
    '["a","b"]',
    '{"a":"\\u003cb\\u003e","z":"1"}',
    'True',
    null,
    '<no value>',
    null,
    '3h',
    '<invalid>',
    null,
  ]);
});

void test('a column that does not parse ends the columns, as upstream falls back', () => {
  const table = customResourceTable([
    { name: 'A', type: 'string', jsonPath: '.spec.cronSpec' },
    { name: 'B', type: 'string', jsonPath: '.spec[' },
    { name: 'C', type: 'string', jsonPath: '.spec.cronSpec' },
  ]);
  assert.deepEqual(
    table.columns.map((c) => c.name),
    ['Name', 'A'],
  );
  assert.deepEqual(table.cells(cr, now), ['nightly', '* * * * */5']);
});

void test('Go printing of values', () => {
  assert.equal(goPrint(12), '12');
  assert.equal(goPrint(1.5), '1.5');
  assert.equal(goFloat(1_500_000.5), '1.5000005e+06');
  assert.equal(goFloat(0.00001), '1e-05');
  assert.equal(goFloat(123456.5), '123456.5');
  assert.equal(goPrint(false), 'false');
  assert.equal(
    goPrint({ b: [1, { d: 2, c: 'x&y' }], a: null }),
    '{"a":null,"b":[1,{"c":"x\\u0026y","d":2}]}',
  );
});

void test('RFC 3339 as Go parses it', () => {
  assert.equal(parseRFC3339('2026-01-01T00:00:00Z'), Date.parse('2026-01-01T00:00:00Z'));
  assert.equal(parseRFC3339('2026-01-01T01:00:00.5+01:00'), Date.parse('2026-01-01T00:00:00.5Z'));
  for (const bad of ['2026-01-01', '2026-02-30T00:00:00Z', '2026-01-01t00:00:00Z', '2026-01-01T24:00:00Z']) {
    assert.equal(parseRFC3339(bad), undefined, bad);
  }
  const table = customResourceTable([{ name: 'T', type: 'date', jsonPath: '.t' }]);
  assert.deepEqual(table.cells({ t: '0001-01-01T00:00:00Z' }, now), ['', '<unknown>']);
  assert.deepEqual(table.cells({ t: '' }, now), ['', '<unknown>']);
  assert.deepEqual(table.cells({ t: 5 }, now), ['', null]);
});
