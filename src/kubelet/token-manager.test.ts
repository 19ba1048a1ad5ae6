import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../util/clock.js';
import { TokenManager, type TokenRequestSpec } from './token-manager.js';

const pod: Pod = {
  metadata: { name: 'p', namespace: 'ns', uid: 'u1' },
  spec: { serviceAccountName: 'sa', containers: [] },
};

function setUp() {
  const clock = new FakeClock();
  const calls: { ns: string; sa: string; spec: TokenRequestSpec }[] = [];
  let fail = false;
  const manager = new TokenManager((ns, sa, spec) => {
    if (fail) return Promise.reject(new Error('API down'));
    calls.push({ ns, sa, spec });
    return Promise.resolve({
      token: `t${calls.length}`,
      expiresAt: clock.now() + spec.expirationSeconds * 1000,
    });
  }, clock);
  return { clock, calls, manager, setFail: (f: boolean) => (fail = f) };
}

void test('asks for a pod-bound token with the source audience and lifetime', async () => {
  const { calls, manager } = setUp();
  assert.equal(await manager.token(pod, { path: 'token', audience: 'vault', expirationSeconds: 7200 }), 't1');
  assert.deepEqual(calls, [
    {
      ns: 'ns',
      sa: 'sa',
      spec: {
        audiences: ['vault'],
        expirationSeconds: 7200,
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u1' },
      },
    },
  ]);
  assert.equal(await manager.token(pod, { path: 'token' }), 't2', 'another source, another token');
  assert.equal(calls[1]?.spec.expirationSeconds, 3600);
  assert.equal(calls[1]?.spec.audiences, undefined);
});

void test('refreshes after 80 % of the lifetime and keeps the old token while a refresh fails', async () => {
  const { clock, calls, manager, setFail } = setUp();
  const src = { path: 'token', expirationSeconds: 3607 };
  assert.equal(await manager.token(pod, src), 't1');
  clock.advance(0.79 * 3607_000);
  assert.equal(await manager.token(pod, src), 't1');
  clock.advance(0.02 * 3607_000);
  setFail(true);
  assert.equal(await manager.token(pod, src), 't1', 'still valid: served while the API fails');
  setFail(false);
  assert.equal(await manager.token(pod, src), 't2');
  assert.equal(calls.length, 2);
  clock.advance(3607_000 + 1);
  setFail(true);
  await assert.rejects(manager.token(pod, src), /API down/);
});

void test('refreshes a long-lived token after 24 h, and forgets a pod', async () => {
  const { clock, calls, manager } = setUp();
  const src = { path: 'token', expirationSeconds: 7 * 24 * 3600 };
  await manager.token(pod, src);
  clock.advance(23 * 3600_000);
  assert.equal(await manager.token(pod, src), 't1');
  clock.advance(3600_000 + 1);
  assert.equal(await manager.token(pod, src), 't2');
  manager.forgetPod('u1');
  assert.equal(await manager.token(pod, src), 't3');
  assert.equal(calls.length, 3);
});
