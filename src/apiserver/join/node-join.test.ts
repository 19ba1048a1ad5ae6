import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../api/errors.js';
import { MemoryStore } from '../../store/memory/memory-store.js';
import { NodeJoin, type ClusterSettings } from './node-join.js';
import { NodePasswords } from './node-passwords.js';

const cluster: ClusterSettings = {
  clusterCidr: '10.42.0.0/16',
  serviceCidr: '10.43.0.0/16',
  clusterDomain: 'cluster.local',
  clusterDns: [],
  disableKubeProxy: false,
  disableNetworkPolicy: true,
};

async function withJoin(
  fn: (join: NodeJoin, issued: { node: string; hosts: string[]; ips: string[] }[]) => Promise<void>,
): Promise<void> {
  const store = new MemoryStore();
  const issued: { node: string; hosts: string[]; ips: string[] }[] = [];
  let inFlight = 0;
  try {
    const nodeJoin = new NodeJoin({
      caPem: 'CA',
      password: 'join-secret',
      passwords: new NodePasswords(store),
      issue: async (node, hosts, ips) => {
        inFlight++;
        assert.ok(inFlight <= 2, 'at most two certificate processes at once');
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        issued.push({ node, hosts, ips });
        return {
          client: { certPem: `client-${node}`, keyPem: 'ck' },
          serving: { certPem: 'sc', keyPem: 'sk' },
        };
      },
      nodeExists: () => Promise.resolve(true),
      cluster,
    });
    await fn(nodeJoin, issued);
  } finally {
    await store.close();
  }
}

function status(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof ApiError ? err.code : -1;
  }
  return undefined;
}

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof ApiError, `expected an ApiError, got ${String(err)}`);
  return err;
}

const request = (nodeName: string, nodePassword = 'p'.repeat(32)) => ({
  nodeName,
  nodePassword,
  hostnames: ['host-a'],
  addresses: ['192.0.2.10'],
});

test('the join password is required as a bearer token', async () => {
  await withJoin((j) => {
    for (const header of [undefined, 'Bearer wrong', 'Basic am9pbi1zZWNyZXQ=']) {
      assert.equal(
        status(() => j.authenticate(header)),
        401,
        String(header),
      );
    }
    assert.equal(
      status(() => j.authenticate('Bearer join-secret')),
      undefined,
    );
    return Promise.resolve();
  });
});

test('a joining node gets credentials for its names and the cluster settings', async () => {
  await withJoin(async (j, issued) => {
    const res = await j.join(request('n1'));
    assert.equal(res.caCert, 'CA');
    assert.equal(res.clientCert, 'client-n1');
    assert.deepEqual(res.cluster, cluster);
    assert.deepEqual(issued, [{ node: 'n1', hosts: ['host-a'], ips: ['192.0.2.10'] }]);
  });
});

test('bad join requests get 400 naming the field', async () => {
  await withJoin(async (j) => {
    const bad = async (body: unknown, field: RegExp): Promise<void> => {
      const err = await rejection(j.join(body));
      assert.equal(err.code, 400);
      assert.match(err.message, field);
    };
    await bad('x', /JSON object/);
    await bad({ ...request('n1'), nodeName: 'Not_A_Name' }, /nodeName/);
    await bad({ ...request('n1'), nodePassword: 'short' }, /nodePassword/);
    await bad({ ...request('n1'), addresses: ['300.1.1.1'] }, /addresses/);
    await bad({ ...request('n1'), hostnames: [42] }, /hostnames/);
  });
});

test('a node name joined from one machine is refused to another while its Node exists', async () => {
  await withJoin(async (j, issued) => {
    await j.join(request('n1', 'a'.repeat(32)));
    await j.join(request('n1', 'a'.repeat(32)));
    const err = await rejection(j.join(request('n1', 'b'.repeat(32))));
    assert.equal(err.code, 403);
    assert.match(err.message, /node "n1" already joined from a machine with another node password/);
    assert.equal(issued.length, 2);
  });
});

test('joins are issued at most two at a time', async () => {
  await withJoin(async (j, issued) => {
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((n) => j.join(request(`n-${n}`))));
    assert.equal(issued.length, 5);
  });
});
