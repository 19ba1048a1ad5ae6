import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/meta.js';
import { podTable } from './pods.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');

function pod(
  spec: Record<string, unknown>,
  status: Record<string, unknown>,
  meta: Record<string, unknown> = {},
) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'default', creationTimestamp: '2026-01-01T11:55:00Z', ...meta },
    spec,
    status,
  } as KubeObject;
}

const running = { running: { startedAt: '2026-01-01T11:55:10Z' } };

void describe('pod table', () => {
  void test('running pod with two ready containers, wide columns', () => {
    const p = pod(
      { nodeName: 'node-1', containers: [{ name: 'app' }, { name: 'sidecar' }] },
      {
        phase: 'Running',
        podIP: '10.244.0.5',
        podIPs: [{ ip: '10.244.0.5' }],
        containerStatuses: [
          { name: 'app', ready: true, restartCount: 0, state: running },
          { name: 'sidecar', ready: true, restartCount: 0, state: running },
        ],
      },
    );
    assert.deepEqual(podTable.cells(p, NOW), [
      'web-1',
      '2/2',
      'Running',
      '0',
      '5m',
      '10.244.0.5',
      'node-1',
      '<none>',
      '<none>',
    ]);
    assert.equal(podTable.columns.length, 9);
    assert.deepEqual(
      podTable.columns.filter((c) => c.priority === 1).map((c) => c.name),
      ['IP', 'Node', 'Nominated Node', 'Readiness Gates'],
    );
  });

  void test('pending pod without status prints <none> for ip and node', () => {
    const cells = podTable.cells(pod({ containers: [{ name: 'app' }] }, { phase: 'Pending' }), NOW);
    assert.deepEqual(cells.slice(0, 7), ['web-1', '0/1', 'Pending', '0', '5m', '<none>', '<none>']);
  });

  void test('CrashLoopBackOff shows the restart count with the age of the last restart', () => {
    const p = pod(
      { containers: [{ name: 'app' }] },
      {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            restartCount: 4,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-01-01T11:58:00Z' } },
          },
        ],
      },
    );
    const [, ready, status, restarts] = podTable.cells(p, NOW);
    assert.equal(ready, '0/1');
    assert.equal(status, 'CrashLoopBackOff');
    assert.equal(restarts, '4 (2m ago)');
  });

  void test('a finished pod shows Completed', () => {
    const p = pod(
      { containers: [{ name: 'job' }] },
      {
        phase: 'Succeeded',
        containerStatuses: [
          {
            name: 'job',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 0, reason: 'Completed' } },
          },
        ],
      },
    );
    assert.equal(podTable.cells(p, NOW)[2], 'Completed');
  });

  void test('terminated without reason prints the exit code or signal', () => {
    const p = pod(
      { containers: [{ name: 'a' }] },
      {
        phase: 'Running',
        containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 137, signal: 9 } } }],
      },
    );
    assert.equal(podTable.cells(p, NOW)[2], 'Signal:9');
  });

  void test('init containers: Init:1/2, then Init:CrashLoopBackOff, then Init:Error', () => {
    const spec = { initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'app' }] };
    const done = { name: 'i1', state: { terminated: { exitCode: 0, reason: 'Completed' } }, restartCount: 0 };
    const runningInit = pod(spec, {
      phase: 'Pending',
      initContainerStatuses: [done, { name: 'i2', state: running, restartCount: 0 }],
      containerStatuses: [{ name: 'app', state: { waiting: { reason: 'PodInitializing' } } }],
    });
    assert.equal(podTable.cells(runningInit, NOW)[2], 'Init:1/2');
    const crashing = pod(spec, {
      phase: 'Pending',
      initContainerStatuses: [
        done,
        { name: 'i2', state: { waiting: { reason: 'CrashLoopBackOff' } }, restartCount: 3 },
      ],
    });
    assert.deepEqual(podTable.cells(crashing, NOW).slice(1, 4), ['0/1', 'Init:CrashLoopBackOff', '3']);
    const failed = pod(spec, {
      phase: 'Failed',
      initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 2, reason: 'Error' } } }],
    });
    assert.equal(podTable.cells(failed, NOW)[2], 'Init:Error');
  });

  void test('a started sidecar (restartable init container) counts as a container', () => {
    const p = pod(
      { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }], containers: [{ name: 'app' }] },
      {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }],
        initContainerStatuses: [
          { name: 'proxy', started: true, ready: true, state: running, restartCount: 1 },
        ],
        containerStatuses: [{ name: 'app', ready: true, state: running, restartCount: 0 }],
      },
    );
    assert.deepEqual(podTable.cells(p, NOW).slice(1, 4), ['2/2', 'Running', '1']);
  });

  void test('deletion timestamp: Terminating, except for finished pods', () => {
    const meta = { deletionTimestamp: '2026-01-01T11:59:00Z' };
    const live = pod({ containers: [{ name: 'a' }] }, { phase: 'Running' }, meta);
    assert.equal(podTable.cells(live, NOW)[2], 'Terminating');
    const done = pod({ containers: [{ name: 'a' }] }, { phase: 'Succeeded' }, meta);
    assert.equal(podTable.cells(done, NOW)[2], 'Succeeded');
    const lost = pod({ containers: [{ name: 'a' }] }, { phase: 'Running', reason: 'NodeLost' }, meta);
    assert.equal(podTable.cells(lost, NOW)[2], 'Unknown');
  });

  void test('scheduling gates and readiness gates', () => {
    const p = pod(
      {
        containers: [{ name: 'a' }],
        readinessGates: [{ conditionType: 'x/ready' }, { conditionType: 'y/ready' }],
      },
      {
        phase: 'Pending',
        nominatedNodeName: 'node-2',
        conditions: [
          { type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' },
          { type: 'x/ready', status: 'True' },
        ],
      },
    );
    const cells = podTable.cells(p, NOW);
    assert.equal(cells[2], 'SchedulingGated');
    assert.deepEqual(cells.slice(7), ['node-2', '1/2']);
  });
});
