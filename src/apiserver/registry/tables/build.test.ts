import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/meta.js';
import { buildTable, defaultTable, tableFor } from './index.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const cm: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'projectid',
    namespace: 'default',
    creationTimestamp: '2026-01-01T11:00:00Z',
    labels: { a: 'b' },
  },
  data: { 'project.id': 'hello-tugboat' },
};

void describe('buildTable', () => {
  void test('list: column definitions, cells and PartialObjectMetadata rows', () => {
    const table = buildTable(tableFor('configmaps'), [cm], { now: NOW, metadata: { resourceVersion: '42' } });
    assert.equal(table.kind, 'Table');
    assert.equal(table.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(table.metadata, { resourceVersion: '42' });
    assert.deepEqual(
      table.columnDefinitions?.map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ['Name', 'string', 'name', 0],
        ['Data', 'string', '', 0],
        ['Age', 'string', '', 0],
      ],
    );
    assert.deepEqual(table.rows, [
      {
        cells: ['projectid', 1, '60m'],
        object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: cm.metadata },
      },
    ]);
  });

  void test('includeObject=Object carries the object, None carries nothing, noHeaders drops columns', () => {
    assert.deepEqual(
      buildTable(tableFor('configmaps'), [cm], { now: NOW, includeObject: 'Object' }).rows[0]?.object,
      cm,
    );
    const bare = buildTable(tableFor('configmaps'), [cm], {
      now: NOW,
      includeObject: 'None',
      noHeaders: true,
    });
    assert.equal(bare.rows[0]?.object, undefined);
    assert.equal(bare.columnDefinitions, undefined);
  });

  void test('unknown resources use the default Name / Created At table', () => {
    assert.equal(tableFor('widgets.example.com'), defaultTable);
    const table = buildTable(tableFor('widgets.example.com'), [{ ...cm, kind: 'Widget' }], { now: NOW });
    assert.deepEqual(table.rows[0]?.cells, ['projectid', '2026-01-01T11:00:00Z']);
  });
});
