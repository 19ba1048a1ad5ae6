import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../util/clock.js';
import {
  clusterIpService,
  endpointSlice,
  externalNameService,
  headlessService,
  recordsOf,
} from './testing.js';

test('records follow updates and deletions, and the serial follows them', () => {
  const clock = new FakeClock(Date.parse('2026-03-01T00:00:00Z'));
  const records = recordsOf(['team'], [], [], clock);
  const start = records.serial;
  assert.equal(start, Math.floor(clock.now() / 1000));

  clock.advance(10_000);
  records.setService(clusterIpService('team', 'web', ['10.43.0.10'], [{ port: 80 }]));
  assert.equal(records.serial, start + 10);
  assert.deepEqual(records.reverseNames('10.43.0.10'), ['web.team.svc']);

  // The same name turned into an ExternalName service: the cluster IP is no longer its.
  records.setService(externalNameService('team', 'web', 'example.com'));
  assert.equal(records.service('team', 'web')?.kind, 'ExternalName');
  assert.deepEqual(records.reverseNames('10.43.0.10'), []);

  records.deleteService('team', 'web');
  assert.equal(records.service('team', 'web'), undefined);

  records.setService(headlessService('team', 'db', [{ port: 5432 }]));
  const db = records.service('team', 'db')!;
  const slice = endpointSlice('team', 'db-1', 'db', [
    { addresses: ['10.42.0.5'], hostname: 'db-0' },
    { addresses: ['10.42.0.6'], conditions: { ready: false } },
  ]);
  records.setEndpointSlice(slice);
  assert.deepEqual(
    records.endpoints(db).flatMap((g) => g.addresses.map((a) => `${a.hostname} ${a.ip}`)),
    ['db-0 10.42.0.5'],
  );
  assert.deepEqual(records.reverseNames('10.42.0.5'), ['db-0.db.team.svc']);
  assert.deepEqual(records.reverseNames('10.42.0.6'), []);

  // An update replaces the slice's endpoints; the old addresses leave the reverse index.
  records.setEndpointSlice({ ...slice, endpoints: [{ addresses: ['10.42.0.7'] }] });
  assert.deepEqual(records.reverseNames('10.42.0.5'), []);
  assert.deepEqual(records.reverseNames('10.42.0.7'), ['10-42-0-7.db.team.svc']);
  assert.equal(records.endpoints(db)[0]?.ports[0]?.port, -1, 'a slice without ports has no port');

  records.deleteEndpointSlice('team', 'db-1');
  assert.deepEqual(records.endpoints(db), []);
  assert.deepEqual(records.reverseNames('10.42.0.7'), []);

  records.deleteNamespace('team');
  assert.ok(!records.namespaceExists('team'));
});

test('slices without a service label or with FQDN addresses are left out', () => {
  const records = recordsOf(['team'], [headlessService('team', 'db', [])], []);
  const unlabeled = endpointSlice('team', 'x', 'db', [{ addresses: ['10.42.0.5'] }]);
  delete unlabeled.metadata!.labels;
  records.setEndpointSlice(unlabeled);
  records.setEndpointSlice(endpointSlice('team', 'y', 'db', [{ addresses: ['db.example.com'] }], [], 'FQDN'));
  assert.deepEqual(records.endpoints(records.service('team', 'db')!), []);
});
