/** The agent's node-local DNS wiring: which server pods get, and when ours starts and stops. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import dnsPacket from 'dns-packet';
import { NodeDns, type NodeDnsOptions } from '../../src/cli/node-dns.js';
import { udpQuery } from '../../src/dns/testing.js';
import type { Logger } from '../../src/util/logger.js';
import { silentLogger } from '../../src/util/logger.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

function recordingLogger(lines: string[]): Logger {
  const log: Logger = {
    ...silentLogger,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
    child: () => log,
  };
  return log;
}

function options(extra: Partial<NodeDnsOptions>): NodeDnsOptions {
  return {
    nodeName: 'n1',
    client: { server: server.url },
    clusterDns: [],
    clusterDomain: 'cluster.local',
    ensureGateway: () => Promise.resolve('127.0.0.1'),
    upstreams: () => [],
    logger: silentLogger,
    port: 0,
    ...extra,
  };
}

test('our server starts on the gateway once the node has a pod CIDR, and stops', async () => {
  const ensured: string[] = [];
  const dns = new NodeDns(
    options({
      ensureGateway: (cidr) => {
        ensured.push(cidr);
        return Promise.resolve('127.0.0.1');
      },
    }),
  );
  assert.equal(dns.current(), undefined, 'no pod CIDR yet: pods would get the host resolver');
  await dns.onPodCidr('10.42.0.0/24');
  assert.deepEqual(ensured, ['10.42.0.0/24']);
  assert.deepEqual(dns.current(), { servers: ['127.0.0.1'], domain: 'cluster.local' });
  await dns.onPodCidr('10.42.0.0/24');
  assert.deepEqual(ensured, ['10.42.0.0/24'], 'the same CIDR again changes nothing');
  await dns.stop();
  assert.equal(dns.current(), undefined);
});

test('the server answers for the configured cluster domain', async () => {
  // Port 0 is chosen by the kernel: find it by asking NodeDns's server through its log line.
  const lines: string[] = [];
  const log = recordingLogger(lines);
  let port = 0;
  log.info = (m, fields) => {
    lines.push(`info ${m}`);
    const address = (fields as { address?: string } | undefined)?.address;
    if (address) port = Number(address.split(':').pop());
  };
  const dns = new NodeDns(options({ clusterDomain: 'tugboat.internal', logger: log }));
  await dns.onPodCidr('10.42.0.0/24');
  try {
    assert.ok(port > 0, lines.join('\n'));
    const r = await udpQuery(port, {
      type: 'query',
      id: 1,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ name: 'kubernetes.default.svc.tugboat.internal', type: 'A' }],
    });
    assert.equal(r.answers?.[0]?.type, 'A');
  } finally {
    await dns.stop();
  }
});

test('--cluster-dns: pods get the given servers and we serve none', async () => {
  let asked = false;
  const dns = new NodeDns(
    options({
      clusterDns: ['10.43.0.10'],
      ensureGateway: () => {
        asked = true;
        return Promise.resolve('127.0.0.1');
      },
    }),
  );
  await dns.onPodCidr('10.42.0.0/24');
  assert.deepEqual(dns.current(), { servers: ['10.43.0.10'], domain: 'cluster.local' });
  assert.equal(asked, false);
});

test('the process runtime: no server, and the log says why', async () => {
  const lines: string[] = [];
  const dns = new NodeDns(options({ ensureGateway: undefined, logger: recordingLogger(lines) }));
  await dns.onPodCidr('10.42.0.0/24');
  assert.equal(dns.current(), undefined);
  assert.match(lines.join('\n'), /process runtime.*host's \/etc\/resolv\.conf/);
});

test('a server that cannot start leaves pods on the host resolver, loudly', async () => {
  const lines: string[] = [];
  const dns = new NodeDns(
    options({ ensureGateway: () => Promise.reject(new Error('no bridge')), logger: recordingLogger(lines) }),
  );
  await dns.onPodCidr('10.42.0.0/24');
  assert.equal(dns.current(), undefined);
  assert.match(lines.join('\n'), /^error cluster DNS not started/m);
});
