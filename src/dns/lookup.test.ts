import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Answer, RecordType } from 'dns-packet';
import { FakeClock } from '../util/clock.js';
import { lookup, type LookupConfig, type LookupResult } from './lookup.js';
import { reverseName } from './names.js';
import {
  clusterIpService,
  endpointSlice,
  externalNameService,
  headlessService,
  recordsOf,
} from './testing.js';

const clock = new FakeClock(Date.parse('2026-03-01T00:00:00Z'));
const config: LookupConfig = { zone: 'cluster.local', ttl: 5, nameservers: ['10.42.0.1'] };

const records = recordsOf(
  ['default', 'team'],
  [
    clusterIpService('default', 'kubernetes', ['10.43.0.1'], [{ name: 'https', port: 443, protocol: 'TCP' }]),
    clusterIpService(
      'team',
      'web',
      ['10.43.0.10'],
      [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }, { port: 8080 }],
    ),
    clusterIpService('team', 'dual', ['10.43.0.11', 'fd00:43:0:0::11'], [{ name: 'http', port: 80 }]),
    headlessService('team', 'db', [{ name: 'pg', port: 5432 }]),
    headlessService('team', 'empty', [{ name: 'pg', port: 5432 }]),
    headlessService('team', 'pub', [{ port: 80 }], { publishNotReadyAddresses: true }),
    headlessService('team', 'v6', [{ port: 80 }]),
    headlessService('team', 'noports', []),
    externalNameService('team', 'ext', 'Example.COM.'),
    externalNameService('team', 'inner', 'web.team.svc.cluster.local'),
    externalNameService('team', 'loop', 'loop.team.svc.cluster.local'),
  ],
  [
    endpointSlice(
      'team',
      'db-abc',
      'db',
      [
        { addresses: ['10.42.0.5'], hostname: 'db-0', conditions: { ready: true } },
        { addresses: ['10.42.0.6'], hostname: 'db-1', conditions: { ready: true } },
        { addresses: ['10.42.0.7'], conditions: { ready: false } },
        { addresses: ['10.42.0.8'], conditions: {} },
      ],
      [{ name: 'pg', port: 5432, protocol: 'TCP' }],
    ),
    endpointSlice(
      'team',
      'pub-1',
      'pub',
      [{ addresses: ['10.42.1.9'], hostname: 'pub-0', conditions: { ready: false } }],
      [{ port: 80 }],
    ),
    endpointSlice(
      'team',
      'v6-1',
      'v6',
      [{ addresses: ['fd00:42::5'], conditions: { ready: true } }],
      [{ port: 80 }],
      'IPv6',
    ),
    endpointSlice('team', 'noports-1', 'noports', [{ addresses: ['10.42.2.2'] }]),
    endpointSlice(
      'team',
      'web-1',
      'web',
      [{ addresses: ['10.42.0.20'], conditions: { ready: true } }],
      [{ name: 'http', port: 8000 }],
    ),
  ],
  clock,
);
const serial = Math.floor(clock.now() / 1000);

/** One record as text: `A 10.0.0.1`, `SRV 0 100 80 target`, `CNAME name`. */
function show(a: Answer): string {
  if (a.type === 'SRV') return `SRV ${a.data.priority} ${a.data.weight} ${a.data.port} ${a.data.target}`;
  if (a.type === 'SOA')
    return `SOA ${a.name} ${a.data.mname} ${a.data.rname} ${a.data.serial} ${a.data.minimum}`;
  if (a.type === 'OPT') return 'OPT';
  return `${a.type} ${typeof a.data === 'string' ? a.data : JSON.stringify(a.data)}`;
}

interface Case {
  name: string;
  type: RecordType;
  rcode?: string;
  answers?: string[];
  additionals?: string[];
  /** A negative answer carries the zone's SOA in the authority section. */
  soa?: boolean;
  forward?: boolean;
}

const SOA = `SOA cluster.local ns.dns.cluster.local hostmaster.cluster.local ${serial} 5`;

const cases: Case[] = [
  // Services with a cluster IP
  { name: 'kubernetes.default.svc.cluster.local', type: 'A', answers: ['A 10.43.0.1'] },
  { name: 'KUBERNETES.Default.SVC.Cluster.Local.', type: 'A', answers: ['A 10.43.0.1'] },
  { name: 'web.team.svc.cluster.local', type: 'AAAA', answers: [], soa: true },
  { name: 'dual.team.svc.cluster.local', type: 'AAAA', answers: ['AAAA fd00:43::11'] },
  { name: 'dual.team.svc.cluster.local', type: 'A', answers: ['A 10.43.0.11'] },
  { name: 'nope.team.svc.cluster.local', type: 'A', rcode: 'NXDOMAIN', soa: true },
  { name: 'web.elsewhere.svc.cluster.local', type: 'A', rcode: 'NXDOMAIN', soa: true },
  { name: 'web.team.svc.cluster.local', type: 'MX', answers: [], soa: true },
  { name: 'nope.team.svc.cluster.local', type: 'MX', rcode: 'NXDOMAIN', soa: true },
  { name: 'web.team.svc.cluster.local', type: 'PTR', answers: [], soa: true },
  // Names above the services
  { name: 'team.svc.cluster.local', type: 'A', answers: [], soa: true },
  { name: 'elsewhere.svc.cluster.local', type: 'A', rcode: 'NXDOMAIN', soa: true },
  { name: 'svc.cluster.local', type: 'A', answers: [], soa: true },
  { name: 'pod.cluster.local', type: 'A', answers: [], soa: true },
  { name: 'cluster.local', type: 'A', answers: [], soa: true },
  { name: 'other.cluster.local', type: 'A', rcode: 'NXDOMAIN', soa: true },
  { name: 'a.b.c.web.team.svc.cluster.local', type: 'A', rcode: 'NXDOMAIN', soa: true },
  // Headless services: ready endpoints, hostnames, dashed addresses
  { name: 'db.team.svc.cluster.local', type: 'A', answers: ['A 10.42.0.5', 'A 10.42.0.6', 'A 10.42.0.8'] },
  { name: 'db-0.db.team.svc.cluster.local', type: 'A', answers: ['A 10.42.0.5'] },
  { name: '10-42-0-8.db.team.svc.cluster.local', type: 'A', answers: ['A 10.42.0.8'] },
  { name: '10-42-0-7.db.team.svc.cluster.local', type: 'A', rcode: 'NXDOMAIN', soa: true },
  { name: 'db-0.db.team.svc.cluster.local', type: 'AAAA', answers: [], soa: true },
  { name: 'empty.team.svc.cluster.local', type: 'A', rcode: 'NXDOMAIN', soa: true },
  { name: 'pub.team.svc.cluster.local', type: 'A', answers: ['A 10.42.1.9'] },
  { name: 'pub-0.pub.team.svc.cluster.local', type: 'A', answers: ['A 10.42.1.9'] },
  { name: 'v6.team.svc.cluster.local', type: 'AAAA', answers: ['AAAA fd00:42::5'] },
  { name: 'fd00-42--5.v6.team.svc.cluster.local', type: 'AAAA', answers: ['AAAA fd00:42::5'] },
  { name: 'v6.team.svc.cluster.local', type: 'A', answers: [], soa: true },
  { name: 'noports.team.svc.cluster.local', type: 'A', answers: ['A 10.42.2.2'] },
  { name: 'noports.team.svc.cluster.local', type: 'SRV', answers: [], soa: true },
  // Endpoint names of a service with a cluster IP
  { name: '10-42-0-20.web.team.svc.cluster.local', type: 'A', answers: ['A 10.42.0.20'] },
  // SRV
  {
    name: '_https._tcp.kubernetes.default.svc.cluster.local',
    type: 'SRV',
    answers: ['SRV 0 100 443 kubernetes.default.svc.cluster.local'],
    additionals: ['A 10.43.0.1'],
  },
  {
    name: '_DNS._UDP.web.team.svc.cluster.local',
    type: 'SRV',
    answers: ['SRV 0 100 53 web.team.svc.cluster.local'],
    additionals: ['A 10.43.0.10'],
  },
  { name: '_http._udp.web.team.svc.cluster.local', type: 'SRV', rcode: 'NXDOMAIN', soa: true },
  { name: '_nope._tcp.web.team.svc.cluster.local', type: 'SRV', rcode: 'NXDOMAIN', soa: true },
  {
    name: 'web.team.svc.cluster.local',
    type: 'SRV',
    answers: [
      'SRV 0 33 80 web.team.svc.cluster.local',
      'SRV 0 33 53 web.team.svc.cluster.local',
      'SRV 0 33 8080 web.team.svc.cluster.local',
    ],
    additionals: ['A 10.43.0.10'],
  },
  {
    name: '_pg._tcp.db.team.svc.cluster.local',
    type: 'SRV',
    answers: [
      'SRV 0 33 5432 db-0.db.team.svc.cluster.local',
      'SRV 0 33 5432 db-1.db.team.svc.cluster.local',
      'SRV 0 33 5432 10-42-0-8.db.team.svc.cluster.local',
    ],
    additionals: ['A 10.42.0.5', 'A 10.42.0.6', 'A 10.42.0.8'],
  },
  {
    name: '_http._tcp.dual.team.svc.cluster.local',
    type: 'SRV',
    answers: ['SRV 0 50 80 dual.team.svc.cluster.local'],
    additionals: ['A 10.43.0.11', 'AAAA fd00:43::11'],
  },
  // ExternalName
  { name: 'ext.team.svc.cluster.local', type: 'CNAME', answers: ['CNAME example.com'] },
  { name: 'ext.team.svc.cluster.local', type: 'SRV', answers: [], soa: true },
  { name: 'x.ext.team.svc.cluster.local', type: 'A', rcode: 'NXDOMAIN', soa: true },
  {
    name: 'inner.team.svc.cluster.local',
    type: 'A',
    answers: ['CNAME web.team.svc.cluster.local', 'A 10.43.0.10'],
  },
  { name: 'loop.team.svc.cluster.local', type: 'A', answers: [], soa: true },
  // Pods (`pods insecure`)
  { name: '10-42-0-99.team.pod.cluster.local', type: 'A', answers: ['A 10.42.0.99'] },
  { name: '10-42-0-99.team.pod.cluster.local', type: 'AAAA', answers: [], soa: true },
  { name: 'fd00-42--9.team.pod.cluster.local', type: 'AAAA', answers: ['AAAA fd00:42::9'] },
  { name: '10-42-0-99.elsewhere.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', soa: true },
  { name: 'not-an-address.team.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', soa: true },
  { name: '10-42-0-300.team.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', soa: true },
  // Reverse names: cluster IPs and endpoints answered, everything else forwarded
  { name: '10.0.43.10.in-addr.arpa', type: 'PTR', answers: ['PTR web.team.svc.cluster.local'] },
  { name: '5.0.42.10.in-addr.arpa', type: 'PTR', answers: ['PTR db-0.db.team.svc.cluster.local'] },
  { name: '20.0.42.10.in-addr.arpa', type: 'PTR', answers: ['PTR 10-42-0-20.web.team.svc.cluster.local'] },
  {
    name: reverseName('fd00:43::11'),
    type: 'PTR',
    answers: ['PTR dual.team.svc.cluster.local'],
  },
  { name: '7.0.42.10.in-addr.arpa', type: 'PTR', forward: true },
  { name: '1.1.168.192.in-addr.arpa', type: 'PTR', forward: true },
  { name: '10.0.43.10.in-addr.arpa', type: 'A', forward: true },
  // The zone itself
  { name: 'cluster.local', type: 'SOA', answers: [SOA] },
  { name: 'cluster.local', type: 'NS', answers: ['NS ns.dns.cluster.local'], additionals: ['A 10.42.0.1'] },
  { name: 'ns.dns.cluster.local', type: 'A', answers: ['A 10.42.0.1'] },
  { name: 'dns-version.cluster.local', type: 'TXT', answers: ['TXT 1.1.0'] },
  { name: 'dns-version.cluster.local', type: 'A', answers: [], soa: true },
  { name: 'ns.dns.cluster.local', type: 'AAAA', answers: [], soa: true },
  { name: 'ns.dns.cluster.local', type: 'SRV', answers: [], soa: true },
  { name: 'cluster.local', type: 'AXFR', rcode: 'REFUSED' },
  // Outside the zone
  { name: 'example.com', type: 'A', forward: true },
  { name: 'cluster.local.example.com', type: 'A', forward: true },
];

function answered(result: LookupResult): Exclude<LookupResult, { forward: true }> {
  assert.equal(result.forward, false, 'answered from the zone');
  return result;
}

void describe('cluster DNS lookup', () => {
  for (const c of cases) {
    test(`${c.type} ${c.name}`, () => {
      const result = lookup(records, { name: c.name, type: c.type, class: 'IN' }, config);
      if (c.forward) {
        assert.deepEqual(result, { forward: true });
        return;
      }
      const r = answered(result);
      assert.equal(r.rcode, c.rcode ?? 'NOERROR');
      if (c.answers) assert.deepEqual(r.answers.map(show), c.answers);
      if (c.additionals) assert.deepEqual(r.additionals.map(show), c.additionals);
      assert.deepEqual(r.authorities.map(show), c.soa ? [SOA] : []);
      for (const a of r.answers) {
        if (a.type !== 'TXT' && a.type !== 'OPT') assert.equal(a.ttl, 5);
        // Owner names keep the question's spelling (case), as the client compares them.
        if (!r.answers.some((x) => x.type === 'CNAME')) assert.equal(a.name, c.name);
      }
    });
  }

  test('a CNAME out of the zone is chased upstream, falling back to NODATA', () => {
    const r = answered(lookup(records, { name: 'Ext.team.svc.cluster.local', type: 'A' }, config));
    assert.deepEqual(r.answers.map(show), ['CNAME example.com']);
    assert.equal(r.answers[0]?.name, 'Ext.team.svc.cluster.local');
    assert.equal(r.chase?.name, 'example.com');
    assert.equal(r.chase?.type, 'A');
    assert.deepEqual(r.chase?.fallback.answers, []);
    assert.deepEqual(r.chase?.fallback.authorities.map(show), [SOA]);
  });

  test('before the records are listed a missing name is SERVFAIL, not NXDOMAIN', () => {
    const unsynced = recordsOf(['default'], [], []);
    const empty = recordsOf([], [], []);
    (unsynced as unknown as { isSynced: boolean }).isSynced = false;
    assert.equal(
      answered(lookup(unsynced, { name: 'x.default.svc.cluster.local', type: 'A' }, config)).rcode,
      'SERVFAIL',
    );
    assert.equal(
      answered(lookup(empty, { name: 'x.default.svc.cluster.local', type: 'A' }, config)).rcode,
      'NXDOMAIN',
    );
  });

  test('a class other than IN is forwarded', () => {
    assert.deepEqual(lookup(records, { name: 'version.bind', type: 'TXT', class: 'CH' }, config), {
      forward: true,
    });
  });

  test('another cluster domain', () => {
    const r = answered(
      lookup(
        records,
        { name: 'kubernetes.default.svc.tugboat.internal', type: 'A' },
        { ...config, zone: 'tugboat.internal' },
      ),
    );
    assert.deepEqual(r.answers.map(show), ['A 10.43.0.1']);
    assert.deepEqual(
      lookup(
        records,
        { name: 'kubernetes.default.svc.cluster.local', type: 'A' },
        { ...config, zone: 'tugboat.internal' },
      ),
      {
        forward: true,
      },
    );
  });
});
