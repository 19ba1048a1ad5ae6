import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../util/clock.js';
import { silentLogger } from '../util/logger.js';
import { parseBindAddress } from './bind-address.js';
import { goTimeString, healthResponse, ProxyHealth, ProxyHealthServer } from './proxy-health.js';

const START = Date.parse('2026-12-07T10:00:00.250Z');

void describe('ProxyHealth', () => {
  void test('healthy while starting, while synced, and while a queued change is younger than the timeout', () => {
    const clock = new FakeClock(START);
    const health = new ProxyHealth(clock, 60_000);
    assert.ok(health.isHealthy(), 'starting up');
    health.updated();
    health.queuedUpdate();
    clock.advance(59_999);
    assert.ok(health.isHealthy());
    // A second change does not restart the wait.
    health.queuedUpdate();
    clock.advance(1);
    assert.deepEqual(health.state(), { healthy: false, lastUpdated: START });
    health.updated();
    assert.deepEqual(health.state(), { healthy: true, lastUpdated: START + 60_000 });
  });

  void test('a node being deleted or tainted for removal is not eligible', () => {
    const health = new ProxyHealth(new FakeClock(START), 60_000);
    assert.ok(health.eligible);
    health.syncNode({ metadata: { name: 'n', deletionTimestamp: '2026-12-07T10:00:00Z' } });
    assert.ok(!health.eligible);
    health.syncNode({
      metadata: { name: 'n' },
      spec: {
        taints: [{ key: 'ToBeDeletedByClusterAutoscaler', value: '1733565600', effect: 'NoSchedule' }],
      },
    });
    assert.ok(!health.eligible);
    health.syncNode({ metadata: { name: 'n' }, spec: { taints: [{ key: 'other', effect: 'NoSchedule' }] } });
    assert.ok(health.eligible);
  });
});

void describe('healthResponse', () => {
  const time = (text: string): string => text.replace(/ m=[-+][0-9.]+$/, '');

  void test("upstream's bodies: a healthy proxy reports now as its last update; /livez leaves the node out", () => {
    const clock = new FakeClock(START);
    const health = new ProxyHealth(clock, 60_000);
    health.updated();
    clock.advance(5_000);
    health.syncNode({ metadata: { name: 'n', deletionTimestamp: '2026-12-07T10:00:00Z' } });
    const healthz = healthResponse(health, '/healthz');
    assert.equal(healthz.status, 503);
    assert.match(
      healthz.body,
      /^\{"lastUpdated": "2026-12-07 10:00:00\.25 \+0000 UTC m=[-+]\d+\.\d{9}","currentTime": "2026-12-07 10:00:05\.25 \+0000 UTC m=[-+]\d+\.\d{9}", "nodeEligible": false\}$/,
    );
    const livez = healthResponse(health, '/livez');
    assert.equal(livez.status, 200);
    const body = JSON.parse(livez.body) as { lastUpdated: string; currentTime: string };
    assert.deepEqual(Object.keys(body), ['lastUpdated', 'currentTime']);
    assert.equal(time(body.lastUpdated), '2026-12-07 10:00:05.25 +0000 UTC');
    assert.equal(body.lastUpdated, body.currentTime);
  });

  void test('a proxy that never synced and fell behind reports Go’s zero time', () => {
    const clock = new FakeClock(START);
    const health = new ProxyHealth(clock, 10);
    health.queuedUpdate();
    health.updated();
    health.queuedUpdate();
    clock.advance(10);
    assert.equal(healthResponse(health, '/livez').status, 503);
    assert.equal(goTimeString(undefined), '0001-01-01 00:00:00 +0000 UTC');
  });

  void test("Go's time text: fraction without trailing zeros, none when whole, a monotonic reading", () => {
    assert.match(
      goTimeString(Date.parse('2026-01-02T03:04:05Z')),
      /^2026-01-02 03:04:05 \+0000 UTC m=[-+]\d+\.\d{9}$/,
    );
    assert.match(goTimeString(Date.parse('2026-01-02T03:04:05.100Z')), /^2026-01-02 03:04:05\.1 \+0000 UTC /);
    const now = goTimeString(Date.now());
    const seconds = Number(/ m=\+(\d+\.\d{9})$/.exec(now)?.[1]);
    assert.ok(Math.abs(seconds - process.uptime()) < 1, now);
  });
});

void describe('ProxyHealthServer', () => {
  void test('serves /healthz and /livez as JSON, other paths 404; a taken port is logged, not thrown', async () => {
    const health = new ProxyHealth(new FakeClock(START), 60_000);
    health.updated();
    const server = new ProxyHealthServer(health, silentLogger);
    await server.listen({ host: '127.0.0.1', port: 0 });
    const other = new ProxyHealthServer(health, silentLogger);
    try {
      const base = `http://127.0.0.1:${server.port}`;
      for (const path of ['/healthz', '/livez', '/healthz?verbose=1']) {
        const res = await fetch(base + path);
        assert.equal(res.status, 200, path);
        assert.equal(res.headers.get('content-type'), 'application/json');
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
        assert.ok(JSON.parse(await res.text()), path);
      }
      const missing = await fetch(`${base}/healthz/x`);
      assert.equal(missing.status, 404);
      assert.equal(await missing.text(), '404 page not found\n');
      await other.listen({ host: '127.0.0.1', port: server.port! });
      assert.equal(other.port, undefined);
    } finally {
      await server.close();
      await other.close();
    }
    assert.equal(server.port, undefined);
  });
});

void describe('parseBindAddress', () => {
  void test('IPv4 and bracketed IPv6 with a port', () => {
    assert.deepEqual(parseBindAddress('0.0.0.0:10256'), { host: '0.0.0.0', port: 10256 });
    assert.deepEqual(parseBindAddress('[::1]:0'), { host: '::1', port: 0 });
    for (const bad of [
      '10256',
      '0.0.0.0',
      'localhost:10256',
      '1.2.3.4:70000',
      '::1:10256',
      '1.2.3.4:',
      '999.1.1.1:80',
    ])
      assert.throws(() => parseBindAddress(bad), /is not IP:PORT/, bad);
  });
});
