import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EndpointAddress, EndpointPort, EndpointSubset } from 'kubernetes-types/core/v1.js';
import { MAX_ENDPOINTS_ADDRESSES, repackSubsets, truncateSubsets } from './subsets.js';

const addr = (ip: string, uid = `uid-${ip}`): EndpointAddress => ({ ip, targetRef: { kind: 'Pod', uid } });
const port = (name: string, p: number): EndpointPort => ({ name, port: p, protocol: 'TCP' });

void test('repack: addresses with the same ports share one subset, sorted by IP', () => {
  const http = port('http', 80);
  const out = repackSubsets([
    { addresses: [addr('10.0.0.2')], ports: [http] },
    { addresses: [addr('10.0.0.1')], ports: [http] },
    { notReadyAddresses: [addr('10.0.0.3')], ports: [http] },
  ]);
  assert.deepEqual(out, [
    { addresses: [addr('10.0.0.1'), addr('10.0.0.2')], notReadyAddresses: [addr('10.0.0.3')], ports: [http] },
  ]);
});

void test('repack: ports offered by the same addresses are grouped; a pod lacking a port gets its own subset', () => {
  const http = port('http', 80);
  const metrics = port('metrics', 9090);
  const out = repackSubsets([
    { addresses: [addr('10.0.0.1')], ports: [metrics] },
    { addresses: [addr('10.0.0.1')], ports: [http] },
    { addresses: [addr('10.0.0.2')], ports: [http] },
  ]);
  assert.deepEqual(out, [
    { addresses: [addr('10.0.0.1'), addr('10.0.0.2')], ports: [http] },
    { addresses: [addr('10.0.0.1')], ports: [metrics] },
  ]);
});

void test('repack: not ready for a port wins over ready; same IP with another pod UID stays apart', () => {
  const http = port('http', 80);
  const out = repackSubsets([
    { notReadyAddresses: [addr('10.0.0.1')], ports: [http] },
    { addresses: [addr('10.0.0.1')], ports: [http] },
    { addresses: [addr('10.0.0.1', 'other')], ports: [http] },
  ]);
  assert.deepEqual(out, [
    { addresses: [addr('10.0.0.1', 'other')], notReadyAddresses: [addr('10.0.0.1')], ports: [http] },
  ]);
});

void test('repack: addresses without ports (headless Service without ports) are kept, with no ports', () => {
  const out = repackSubsets([
    { addresses: [addr('10.0.0.2')], ports: [] },
    { addresses: [addr('10.0.0.1')] },
  ]);
  assert.deepEqual(out, [{ addresses: [addr('10.0.0.1'), addr('10.0.0.2')] }]);
});

void test('repack is independent of input order', () => {
  const subsets: EndpointSubset[] = [];
  for (let i = 0; i < 20; i++) {
    subsets.push({
      [i % 3 ? 'addresses' : 'notReadyAddresses']: [addr(`10.0.${i % 4}.${i}`)],
      ports: [port('a', 1)],
    });
    if (i % 2) subsets.push({ addresses: [addr(`10.0.${i % 4}.${i}`)], ports: [port('b', 2)] });
  }
  const reversed = [...subsets].reverse();
  assert.equal(JSON.stringify(repackSubsets(subsets)), JSON.stringify(repackSubsets(reversed)));
});

const many = (prefix: string, n: number): EndpointAddress[] =>
  Array.from({ length: n }, (_, i) => addr(`${prefix}.${Math.floor(i / 250)}.${i % 250}`));

void test('truncate: nothing at capacity', () => {
  assert.equal(
    truncateSubsets([{ addresses: many('10.1', MAX_ENDPOINTS_ADDRESSES), ports: [port('a', 1)] }]),
    undefined,
  );
});

void test('truncate: not-ready addresses go first, shared in proportion', () => {
  const out = truncateSubsets([
    { addresses: many('10.1', 800), notReadyAddresses: many('10.2', 300), ports: [port('a', 1)] },
    { notReadyAddresses: many('10.3', 100), ports: [port('b', 2)] },
  ])!;
  assert.equal(out[0]?.addresses?.length, 800);
  // 200 places left for 400 not-ready addresses: 300/400 and 100/400 of them.
  assert.equal(out[0]?.notReadyAddresses?.length, 150);
  assert.equal(out[1]?.notReadyAddresses?.length, 50);
});

void test('truncate: too many ready addresses: ready ones shared, not-ready ones dropped', () => {
  const out = truncateSubsets([
    { addresses: many('10.1', 900), notReadyAddresses: many('10.2', 10), ports: [port('a', 1)] },
    { addresses: many('10.3', 300), ports: [port('b', 2)] },
  ])!;
  // ceil(900/1200*1000) = 750, then what is left: 250.
  assert.equal(out[0]?.addresses?.length, 750);
  assert.equal(out[0]?.notReadyAddresses, undefined);
  assert.equal(out[1]?.addresses?.length, 250);
});
