import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';
import { call } from '../helpers/http.js';

// A store on disk: a write is visible only after its log sync, which is what a retried read must wait for.
let dir: string;
let t: TestServer;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tugboat-contended-'));
  t = await startTestServer({ store: SqliteStore.open(join(dir, 'state.db')) });
});
after(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

const MERGE_PATCH = { 'content-type': 'application/merge-patch+json' };

test('patches without a resourceVersion all succeed however many writers contend for one object', async () => {
  const path = '/api/v1/namespaces/default/configmaps/contended';
  await call(t.url, 'POST', '/api/v1/namespaces/default/configmaps', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'contended' },
    data: {},
  });
  const writers = 32;
  for (let round = 0; round < 5; round++) {
    const answers = await Promise.all(
      Array.from({ length: writers }, (_, i) =>
        call(t.url, 'PATCH', path, { data: { [`k${round}-${i}`]: String(i) } }, MERGE_PATCH),
      ),
    );
    const failed = answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.json?.message}`);
    assert.deepEqual(failed, []);
  }
  const g = await call(t.url, 'GET', path);
  assert.equal(Object.keys(g.json.data).length, writers * 5);
});
