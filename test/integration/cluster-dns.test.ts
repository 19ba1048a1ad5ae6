/**
 * The cluster DNS over a real API server: it follows Namespaces, Services and EndpointSlices (created here; the
 * EndpointSlice controller is not part of this test) and answers over UDP on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Namespace, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import dnsPacket, { type RecordType } from 'dns-packet';
import { ApiClient, R } from '../../src/client/index.js';
import { startClusterDns, type ClusterDns } from '../../src/dns/index.js';
import { endpointSlice, FakeUpstream, headlessService, udpQuery } from '../../src/dns/testing.js';
import { silentLogger } from '../../src/util/logger.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';

let server: TestServer;
let client: ApiClient;
let dns: ClusterDns;
const upstream = new FakeUpstream((q) =>
  q.name === 'example.com' && q.type === 'A'
    ? [{ name: q.name, type: 'A', ttl: 60, data: '192.0.2.10' }]
    : undefined,
);

before(async () => {
  server = await startTestServer();
  client = new ApiClient({ server: server.url });
  await upstream.start();
  await client.resource<Namespace>(R.namespaces).create({ metadata: { name: 'team' } });
  dns = await startClusterDns({
    client,
    zone: 'cluster.local',
    address: '127.0.0.1',
    port: 0,
    upstreams: [{ address: '127.0.0.1', port: upstream.port }],
    logger: silentLogger,
  });
  await dns.synced;
});

after(async () => {
  await dns?.stop();
  client?.close();
  await upstream.stop();
  await server?.close();
});

interface Reply {
  rcode: string;
  answers: string[];
}

async function ask(name: string, type: RecordType = 'A'): Promise<Reply> {
  const r = await udpQuery(dns.port, {
    type: 'query',
    id: 7,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type }],
  });
  return {
    rcode: (r as unknown as { rcode: string }).rcode,
    answers: (r.answers ?? []).map((a) =>
      a.type === 'SRV'
        ? `SRV ${a.data.port} ${a.data.target}`
        : a.type === 'OPT'
          ? 'OPT'
          : `${a.type} ${String(a.data as string)}`,
    ),
  };
}

/** Waits until the DNS server gives `want` (the informers deliver changes asynchronously). */
async function eventually(name: string, type: RecordType, want: Reply): Promise<void> {
  let last: Reply | undefined;
  try {
    await waitFor(
      async () => {
        last = await ask(name, type);
        return last.rcode === want.rcode && JSON.stringify(last.answers) === JSON.stringify(want.answers);
      },
      { timeoutMs: 10_000 },
    );
  } catch {
    assert.deepEqual(last, want, `${type} ${name}`);
  }
}

test('the kubernetes service the API server creates resolves at once', async () => {
  const svc = await client.resource<Service>(R.services).get('default', 'kubernetes');
  assert.deepEqual(await ask('kubernetes.default.svc.cluster.local'), {
    rcode: 'NOERROR',
    answers: [`A ${svc.spec?.clusterIP}`],
  });
});

test('a service created is resolvable, its address reversible, and NXDOMAIN once deleted', async () => {
  const services = client.resource<Service>(R.services);
  const name = 'web.team.svc.cluster.local';
  assert.equal((await ask(name)).rcode, 'NXDOMAIN');
  const created = await services.create({
    metadata: { name: 'web', namespace: 'team' },
    spec: { ports: [{ name: 'http', port: 80 }] },
  });
  const ip = created.spec?.clusterIP ?? '';
  assert.match(ip, /^10\.43\./);
  await eventually(name, 'A', { rcode: 'NOERROR', answers: [`A ${ip}`] });
  await eventually(`_http._tcp.${name}`, 'SRV', { rcode: 'NOERROR', answers: [`SRV 80 ${name}`] });
  await eventually(`${ip.split('.').reverse().join('.')}.in-addr.arpa`, 'PTR', {
    rcode: 'NOERROR',
    answers: [`PTR ${name}`],
  });
  await services.delete('team', 'web');
  await eventually(name, 'A', { rcode: 'NXDOMAIN', answers: [] });
});

test('a headless service follows its EndpointSlices: ready endpoints, hostnames, updates', async () => {
  await client
    .resource<Service>(R.services)
    .create(headlessService('team', 'db', [{ name: 'pg', port: 5432 }]));
  const slices = client.resource<EndpointSlice>(R.endpointSlices);
  // No ready endpoint yet: NXDOMAIN, as the specification asks.
  await eventually('db.team.svc.cluster.local', 'A', { rcode: 'NXDOMAIN', answers: [] });
  const slice = await slices.create(
    endpointSlice(
      'team',
      'db-1',
      'db',
      [
        { addresses: ['10.42.0.5'], hostname: 'db-0', conditions: { ready: true } },
        { addresses: ['10.42.0.6'], hostname: 'db-1', conditions: { ready: false } },
      ],
      [{ name: 'pg', port: 5432, protocol: 'TCP' }],
    ),
  );
  await eventually('db.team.svc.cluster.local', 'A', { rcode: 'NOERROR', answers: ['A 10.42.0.5'] });
  await eventually('db-0.db.team.svc.cluster.local', 'A', { rcode: 'NOERROR', answers: ['A 10.42.0.5'] });
  await eventually('_pg._tcp.db.team.svc.cluster.local', 'SRV', {
    rcode: 'NOERROR',
    answers: ['SRV 5432 db-0.db.team.svc.cluster.local'],
  });
  await eventually('db-1.db.team.svc.cluster.local', 'A', { rcode: 'NXDOMAIN', answers: [] });

  // db-1 becomes ready.
  await slices.update({
    ...slice,
    endpoints: slice.endpoints.map((e) => ({ ...e, conditions: { ready: true } })),
  });
  await eventually('db.team.svc.cluster.local', 'A', {
    rcode: 'NOERROR',
    answers: ['A 10.42.0.5', 'A 10.42.0.6'],
  });
  await eventually('6.0.42.10.in-addr.arpa', 'PTR', {
    rcode: 'NOERROR',
    answers: ['PTR db-1.db.team.svc.cluster.local'],
  });

  await slices.delete('team', 'db-1');
  await eventually('db.team.svc.cluster.local', 'A', { rcode: 'NXDOMAIN', answers: [] });
});

test('ExternalName services, pod names, namespaces created later, and forwarding', async () => {
  await client.resource<Service>(R.services).create({
    metadata: { name: 'ext', namespace: 'team' },
    spec: { type: 'ExternalName', externalName: 'example.com' },
  });
  await eventually('ext.team.svc.cluster.local', 'A', {
    rcode: 'NOERROR',
    answers: ['CNAME example.com', 'A 192.0.2.10'],
  });
  await eventually('10-42-0-9.team.pod.cluster.local', 'A', { rcode: 'NOERROR', answers: ['A 10.42.0.9'] });
  assert.equal((await ask('10-42-0-9.later.pod.cluster.local')).rcode, 'NXDOMAIN');
  await client.resource<Namespace>(R.namespaces).create({ metadata: { name: 'later' } });
  await eventually('10-42-0-9.later.pod.cluster.local', 'A', { rcode: 'NOERROR', answers: ['A 10.42.0.9'] });
  assert.deepEqual(await ask('example.com'), { rcode: 'NOERROR', answers: ['A 192.0.2.10'] });
});
