import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goArch, parseMeminfo, parseOsRelease, type HostReadings } from './host-readings.js';
import { DEFAULT_THRESHOLDS } from '../eviction/thresholds.js';
import {
  capacityAndAllocatable,
  nodeConditions,
  stampConditions,
  type NodeStatusInput,
} from './node-status.js';

const GiB = 1024 ** 3;
function input(r: Partial<HostReadings> = {}, extra: Partial<NodeStatusInput> = {}): NodeStatusInput {
  return {
    readings: {
      cpuCores: 2,
      memoryTotalBytes: 4 * GiB,
      memoryAvailableBytes: 2 * GiB,
      fsCapacityBytes: 10 * GiB,
      fsAvailableBytes: 5 * GiB,
      fsInodes: 1000,
      fsInodesFree: 500,
      pidMax: 1000,
      pidsInUse: 100,
      ...r,
    },
    info: {
      hostname: 'h',
      kernelVersion: '6.1',
      osImage: 'Debian',
      architecture: 'amd64',
      machineID: 'm',
      bootID: 'b',
    },
    nodeIP: '192.0.2.1',
    hostname: 'h',
    maxPods: 110,
    reserved: {},
    thresholds: DEFAULT_THRESHOLDS,
    runtime: {
      conditions: [
        { type: 'RuntimeReady', status: true },
        { type: 'NetworkReady', status: true },
      ],
      warnings: [],
      version: 'oci://1',
    },
    kubeletVersion: 'v1',
    kubeletPort: 10250,
    ...extra,
  };
}

const statusOf = (i: NodeStatusInput) => Object.fromEntries(nodeConditions(i).map((c) => [c.type, c.status]));

void test('/proc/meminfo and /etc/os-release parsing', () => {
  assert.deepEqual(
    parseMeminfo('MemTotal:       16316412 kB\nMemFree:  100 kB\nMemAvailable:    8000000 kB\n'),
    {
      total: 16316412 * 1024,
      available: 8000000 * 1024,
    },
  );
  assert.equal(
    parseOsRelease('NAME="Debian"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'),
    'Debian GNU/Linux 12 (bookworm)',
  );
  assert.equal(parseOsRelease(undefined), 'Linux');
  assert.equal(goArch('x64'), 'amd64');
  assert.equal(goArch('arm64'), 'arm64');
});

void test('allocatable is capacity minus reserved minus hard eviction thresholds', () => {
  const { capacity, allocatable } = capacityAndAllocatable(
    input({}, { reserved: { cpu: '250m', memory: '1Gi', 'ephemeral-storage': '1Gi' } }),
  );
  assert.deepEqual(capacity, {
    cpu: '2',
    memory: `${4 * 1024 * 1024}Ki`,
    pods: '110',
    'ephemeral-storage': `${10 * 1024 * 1024}Ki`,
  });
  assert.equal(allocatable.cpu, '1750m');
  assert.equal(allocatable.memory, `${3 * 1024 * 1024 - 100 * 1024}Ki`);
  assert.equal(allocatable['ephemeral-storage'], String(Math.floor(9 * GiB - GiB * 1)));
});

void test('pressure conditions from readings against thresholds', () => {
  assert.deepEqual(statusOf(input()), {
    MemoryPressure: 'False',
    DiskPressure: 'False',
    PIDPressure: 'False',
    Ready: 'True',
  });
  assert.equal(statusOf(input({ memoryAvailableBytes: 99 * 1024 * 1024 })).MemoryPressure, 'True');
  assert.equal(statusOf(input({ fsAvailableBytes: 0.09 * 10 * GiB })).DiskPressure, 'True');
  assert.equal(statusOf(input({ fsInodesFree: 40 })).DiskPressure, 'True');
  assert.equal(statusOf(input({ pidsInUse: 950 })).PIDPressure, 'True');
});

void test('Ready is False with the runtime reasons', () => {
  const i = input(
    {},
    {
      runtime: {
        conditions: [
          { type: 'RuntimeReady', status: false, reason: 'NoRunc', message: 'runc not found' },
          { type: 'NetworkReady', status: false, reason: 'NoCNI', message: 'no config' },
        ],
        warnings: [],
        version: 'oci://1',
      },
    },
  );
  const ready = nodeConditions(i).find((c) => c.type === 'Ready')!;
  assert.equal(ready.status, 'False');
  assert.equal(ready.reason, 'KubeletNotReady');
  assert.equal(
    ready.message,
    'container runtime not ready: RuntimeReady=false reason:NoRunc message:runc not found, container runtime network not ready: NetworkReady=false reason:NoCNI message:no config',
  );
});

void test('transition times stay while a condition keeps its status', () => {
  const conds = nodeConditions(input());
  const first = stampConditions(conds, undefined, Date.parse('2026-01-01T00:00:00Z'));
  const later = stampConditions(conds, first, Date.parse('2026-01-01T00:01:00Z'));
  assert.equal(later[0]!.lastTransitionTime, '2026-01-01T00:00:00Z');
  assert.equal(later[0]!.lastHeartbeatTime, '2026-01-01T00:01:00Z');
});
