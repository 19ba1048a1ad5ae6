/** The wire server on 127.0.0.1: UDP and TCP, truncation, forwarding to a fake upstream, SERVFAIL. */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import dnsPacket, { type Answer, type Packet, type RecordType } from 'dns-packet';
import { silentLogger } from '../util/logger.js';
import { Forwarder, type UpstreamServer } from './forwarder.js';
import { Resolver } from './resolver.js';
import { DnsListener } from './server.js';
import {
  clusterIpService,
  endpointSlice,
  externalNameService,
  FakeUpstream,
  headlessService,
  recordsOf,
  tcpQueries,
  udpQuery,
} from './testing.js';

// 60 A records: some 2,600 bytes (dns-packet does not compress names), over 512 and 1232, under 4096.
const WIDE = 60;
const records = recordsOf(
  ['default', 'team'],
  [
    clusterIpService('default', 'kubernetes', ['10.43.0.1'], [{ name: 'https', port: 443 }]),
    headlessService('team', 'wide', [{ port: 80 }]),
    externalNameService('team', 'ext', 'example.com'),
  ],
  [
    endpointSlice(
      'team',
      'wide-1',
      'wide',
      Array.from({ length: WIDE }, (_, i) => ({
        addresses: [`10.42.${Math.floor(i / 200)}.${(i % 200) + 1}`],
      })),
      [{ port: 80 }],
    ),
  ],
);

const upstream = new FakeUpstream((q): Answer[] | undefined => {
  if (q.name === 'example.com' && q.type === 'A')
    return [{ name: q.name, type: 'A', ttl: 60, data: '192.0.2.10' }];
  if (q.name === 'big.example.com' && q.type === 'TXT') {
    return Array.from({ length: 20 }, (_, i) => ({
      name: q.name,
      type: 'TXT' as const,
      ttl: 60,
      data: `${i} ${'x'.repeat(40)}`,
    }));
  }
  return undefined;
});

let nextId = 1;
function query(name: string, type: RecordType, edns?: number): Packet {
  return {
    type: 'query',
    id: nextId++,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type, class: 'IN' }],
    ...(edns
      ? {
          additionals: [
            {
              name: '.',
              type: 'OPT',
              udpPayloadSize: edns,
              extendedRcode: 0,
              ednsVersion: 0,
              flags: 0,
              flag_do: false,
              options: [],
            },
          ],
        }
      : {}),
  };
}

async function startServer(servers: UpstreamServer[], timeoutMs = 2000): Promise<DnsListener> {
  const resolver = new Resolver(
    records,
    { zone: 'cluster.local', ttl: 5, nameservers: ['127.0.0.1'] },
    new Forwarder({ servers, timeoutMs }),
    silentLogger,
  );
  const listener = new DnsListener({
    address: '127.0.0.1',
    port: 0,
    handler: (m, t) => resolver.resolve(m, t),
    logger: silentLogger,
  });
  await listener.listen();
  return listener;
}

/** A port on 127.0.0.1 with nobody behind it. */
async function closedPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const dataOf = (answers: Answer[] | undefined): string[] =>
  (answers ?? []).map((a) =>
    a.type === 'OPT'
      ? 'OPT'
      : `${a.type} ${typeof a.data === 'string' ? a.data : Array.isArray(a.data) ? a.data.join('') : JSON.stringify(a.data)}`,
  );

void describe('DNS server', () => {
  let server: DnsListener;

  before(async () => {
    await upstream.start();
    server = await startServer([{ address: '127.0.0.1', port: upstream.port }]);
  });

  after(async () => {
    await server.close();
    await upstream.stop();
  });

  test('answers over UDP, authoritatively, with the query id', async () => {
    const q = query('kubernetes.default.svc.cluster.local', 'A');
    const r = await udpQuery(server.port, q);
    assert.equal(r.id, q.id);
    assert.equal(r.flag_qr, true);
    assert.equal(r.flag_aa, true);
    assert.equal(r.flag_rd, true);
    assert.equal((r as unknown as { rcode: string }).rcode, 'NOERROR');
    assert.deepEqual(dataOf(r.answers), ['A 10.43.0.1']);
  });

  test('a name that does not exist: NXDOMAIN with the SOA', async () => {
    const r = await udpQuery(server.port, query('nope.default.svc.cluster.local', 'A'));
    assert.equal((r as unknown as { rcode: string }).rcode, 'NXDOMAIN');
    assert.deepEqual(
      r.authorities?.map((a) => a.type),
      ['SOA'],
    );
  });

  test('answers several queries on one TCP connection, split across writes', async () => {
    const a = query('kubernetes.default.svc.cluster.local', 'A');
    const b = query('_https._tcp.kubernetes.default.svc.cluster.local', 'SRV');
    const c = query('example.com', 'A');
    const replies = await tcpQueries(server.port, [a, b, c]);
    assert.deepEqual(dataOf(replies.get(a.id!)?.answers), ['A 10.43.0.1']);
    assert.deepEqual(
      replies.get(b.id!)?.answers?.map((x) => x.type === 'SRV' && `${x.data.port} ${x.data.target}`),
      ['443 kubernetes.default.svc.cluster.local'],
    );
    assert.deepEqual(dataOf(replies.get(c.id!)?.answers), ['A 192.0.2.10']);
  });

  test('a UDP answer over the limit is truncated (TC); EDNS raises the limit; TCP has all', async () => {
    const plain = await udpQuery(server.port, query('wide.team.svc.cluster.local', 'A'));
    assert.equal(plain.flag_tc, true);
    assert.ok(plain.size <= 512, `${plain.size} bytes`);
    assert.ok((plain.answers?.length ?? 0) > 0 && (plain.answers?.length ?? 0) < WIDE);

    const edns = await udpQuery(server.port, query('wide.team.svc.cluster.local', 'A', 4096));
    assert.equal(edns.flag_tc, false);
    assert.equal(edns.answers?.length, WIDE);
    const opt = edns.additionals?.find((a) => a.type === 'OPT');
    assert.ok(opt, 'an EDNS query gets an OPT record back');

    const small = await udpQuery(server.port, query('wide.team.svc.cluster.local', 'A', 1232));
    assert.equal(small.flag_tc, true);
    assert.ok(small.size <= 1232);
    assert.ok(
      small.additionals?.some((a) => a.type === 'OPT'),
      'the OPT record stays',
    );

    const q = query('wide.team.svc.cluster.local', 'A');
    const tcp = await tcpQueries(server.port, [q]);
    assert.equal(tcp.get(q.id!)?.flag_tc, false);
    assert.equal(tcp.get(q.id!)?.answers?.length, WIDE);
  });

  test('names outside the zone are forwarded; a truncated upstream answer is asked again over TCP', async () => {
    const q = query('example.com', 'A');
    const r = await udpQuery(server.port, q);
    assert.equal(r.id, q.id);
    assert.deepEqual(dataOf(r.answers), ['A 192.0.2.10']);

    upstream.seen.length = 0;
    const big = await udpQuery(server.port, query('big.example.com', 'TXT', 4096));
    assert.deepEqual(upstream.seen, ['udp TXT big.example.com', 'tcp TXT big.example.com']);
    assert.equal(big.answers?.length, 20);
    assert.equal(big.flag_tc, false);

    // Without EDNS the client gets what fits in 512 bytes, with TC, and asks again over TCP.
    const plain = await udpQuery(server.port, query('big.example.com', 'TXT'));
    assert.equal(plain.flag_tc, true);
    assert.ok(plain.size <= 512);

    const missing = await udpQuery(server.port, query('nope.example.com', 'A'));
    assert.equal((missing as unknown as { rcode: string }).rcode, 'NXDOMAIN');
  });

  test('an ExternalName CNAME is followed upstream', async () => {
    const r = await udpQuery(server.port, query('ext.team.svc.cluster.local', 'A'));
    assert.deepEqual(dataOf(r.answers), ['CNAME example.com', 'A 192.0.2.10']);
    assert.equal(r.flag_aa, true);
  });

  test('malformed queries get FORMERR, unknown EDNS versions BADVERS', async () => {
    const garbage = Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x05, 0x61]);
    const reply = await new Promise<Buffer>((resolve) => {
      const s = createSocket('udp4');
      s.on('message', (m) => {
        s.close();
        resolve(m);
      });
      s.send(garbage, server.port, '127.0.0.1');
    });
    assert.equal(reply.readUInt16BE(0), 0x1234);
    assert.equal(reply.readUInt16BE(2) & 0xf, 1, 'FORMERR');

    const q = query('kubernetes.default.svc.cluster.local', 'A', 1232);
    (q.additionals![0] as { ednsVersion: number }).ednsVersion = 1;
    const r = await udpQuery(server.port, q);
    const opt = r.additionals?.find((a) => a.type === 'OPT');
    assert.equal(opt?.type === 'OPT' && opt.extendedRcode, 1, 'BADVERS is 16: 1 in the OPT record');
    assert.deepEqual(r.answers, []);
  });

  test('SERVFAIL when the upstream is down or silent, never a hang', async () => {
    const down = await startServer([{ address: '127.0.0.1', port: await closedPort() }]);
    const silentUpstream = new FakeUpstream(() => []);
    await silentUpstream.start();
    silentUpstream.silent = true;
    const silent = await startServer([{ address: '127.0.0.1', port: silentUpstream.port }], 300);
    const none = await startServer([]);
    try {
      for (const s of [down, silent, none]) {
        const r = await udpQuery(s.port, query('example.com', 'A'));
        assert.equal((r as unknown as { rcode: string }).rcode, 'SERVFAIL');
        assert.equal(r.flag_aa, false);
      }
      // The cluster zone does not depend on the upstream.
      const inZone = await udpQuery(down.port, query('kubernetes.default.svc.cluster.local', 'A'));
      assert.deepEqual(dataOf(inZone.answers), ['A 10.43.0.1']);
      // An ExternalName whose target cannot be resolved: NODATA rather than a dangling CNAME.
      const ext = await udpQuery(down.port, query('ext.team.svc.cluster.local', 'A'));
      assert.equal((ext as unknown as { rcode: string }).rcode, 'NOERROR');
      assert.deepEqual(ext.answers, []);
      assert.deepEqual(
        ext.authorities?.map((a) => a.type),
        ['SOA'],
      );
    } finally {
      await Promise.all([down.close(), silent.close(), none.close(), silentUpstream.stop()]);
    }
  });
});
