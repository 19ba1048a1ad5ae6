import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { servicesSelecting, servicesToUpdateOnPodChange } from './pod-services.js';

const svc = (name: string, selector?: Record<string, string>): Service => ({
  metadata: { name, namespace: 'ns' },
  spec: selector ? { selector } : {},
});
const services = [svc('web', { app: 'web' }), svc('all-v1', { v: '1' }), svc('manual'), svc('empty', {})];

const pod = (rv: string, labels: Record<string, string>, ready = true, ip = '10.0.0.1'): Pod => ({
  metadata: { name: 'p', namespace: 'ns', resourceVersion: rv, labels },
  status: { podIP: ip, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

const sorted = (s: Set<string>): string[] => [...s].sort();

void test('services selecting a pod: services without selector select nothing', () => {
  assert.deepEqual(sorted(servicesSelecting(services, { app: 'web', v: '1' })), ['ns/all-v1', 'ns/web']);
  assert.deepEqual(sorted(servicesSelecting(services, {})), []);
});

void test('pod updates: resyncs and irrelevant changes sync nothing', () => {
  const a = pod('1', { app: 'web' });
  assert.deepEqual(sorted(servicesToUpdateOnPodChange(services, a, a)), []);
  const annotated = { ...pod('2', { app: 'web' }), spec: { containers: [], nodeName: 'n' } };
  assert.deepEqual(sorted(servicesToUpdateOnPodChange(services, a, annotated)), []);
});

void test('pod updates: readiness, IP or deletion sync the selecting services', () => {
  const a = pod('1', { app: 'web' });
  assert.deepEqual(sorted(servicesToUpdateOnPodChange(services, a, pod('2', { app: 'web' }, false))), [
    'ns/web',
  ]);
  assert.deepEqual(
    sorted(servicesToUpdateOnPodChange(services, a, pod('2', { app: 'web' }, true, '10.0.0.9'))),
    ['ns/web'],
  );
  const plain = pod('2', { app: 'web' });
  const deleting = { ...plain, metadata: { ...plain.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
  assert.deepEqual(sorted(servicesToUpdateOnPodChange(services, a, deleting)), ['ns/web']);
});

void test('pod updates: a label change syncs the services gained or lost, or all when the pod changed too', () => {
  const a = pod('1', { app: 'web', v: '1' });
  const relabelled = pod('2', { app: 'web', v: '2' });
  assert.deepEqual(sorted(servicesToUpdateOnPodChange(services, a, relabelled)), ['ns/all-v1']);
  const relabelledUnready = pod('2', { app: 'web', v: '2' }, false);
  assert.deepEqual(sorted(servicesToUpdateOnPodChange(services, a, relabelledUnready)), [
    'ns/all-v1',
    'ns/web',
  ]);
});
