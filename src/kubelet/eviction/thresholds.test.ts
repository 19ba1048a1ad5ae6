import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostReadings } from '../node/host-readings.js';
import { pressureSignals } from './ranking.js';
import { DEFAULT_THRESHOLDS, parseEvictionHard, parseEvictionSoft } from './thresholds.js';

const Mi = 1024 * 1024;
const GiB = 1024 * Mi;

test('--eviction-hard: quantities and percentages per signal; the signals named replace the defaults', () => {
  assert.deepEqual(parseEvictionHard('memory.available<500Mi, nodefs.available<5%'), {
    'memory.available': { quantity: 500 * Mi },
    'nodefs.available': { fraction: 0.05 },
  });
  assert.deepEqual(parseEvictionHard('pid.available<1000,nodefs.inodesFree<0.5%'), {
    'pid.available': { quantity: 1000 },
    'nodefs.inodesFree': { fraction: 0.005 },
  });
  assert.deepEqual(parseEvictionHard(''), {});
  for (const [text, message] of [
    ['memory.available>1Gi', /invalid eviction threshold syntax memory\.available>1Gi/],
    ['imagefs.available<15%', /unsupported eviction signal imagefs\.available/],
    [
      'memory.available<1Gi,memory.available<2Gi',
      /duplicate eviction threshold for signal memory\.available/,
    ],
    ['nodefs.available<150%', /must be >= 0% and <= 100%/],
    ['memory.available<lots', /invalid eviction threshold value "lots"/],
  ] as const) {
    assert.throws(() => parseEvictionHard(text), message, text);
  }
});

test('thresholds of either kind apply to the readings; a signal without one is never pressure', () => {
  const readings: HostReadings = {
    cpuCores: 2,
    memoryTotalBytes: 4 * GiB,
    memoryAvailableBytes: 300 * Mi,
    fsCapacityBytes: 100 * GiB,
    fsAvailableBytes: 8 * GiB,
    fsInodes: 1000,
    fsInodesFree: 900,
    pidMax: 1000,
    pidsInUse: 100,
  };
  assert.deepEqual(
    pressureSignals(readings, DEFAULT_THRESHOLDS).map((s) => s.signal),
    ['nodefs.available'],
  );
  const custom = parseEvictionHard('memory.available<10%,nodefs.available<5Gi');
  const signals = pressureSignals(readings, custom);
  assert.deepEqual(
    signals.map((s) => [s.signal, s.threshold, s.available]),
    [['memory.available', '10%', '300Mi']],
  );
  assert.deepEqual(pressureSignals({ ...readings, pidsInUse: 999 }, custom), signals);
});

test('--eviction-soft needs a grace period per signal; periods of other signals are ignored', () => {
  assert.deepEqual(
    parseEvictionSoft(
      'memory.available<1.5Gi,nodefs.available<15%',
      'memory.available=1m30s, nodefs.available=2m,pid.available=5s',
    ),
    {
      thresholds: { 'memory.available': { quantity: 1.5 * GiB }, 'nodefs.available': { fraction: 0.15 } },
      gracePeriodsMs: { 'memory.available': 90_000, 'nodefs.available': 120_000 },
    },
  );
  assert.deepEqual(parseEvictionSoft('', ''), { thresholds: {}, gracePeriodsMs: {} });
  for (const [soft, grace, message] of [
    [
      'memory.available<1Gi',
      '',
      /grace period must be specified for the soft eviction threshold memory\.available/,
    ],
    [
      'memory.available<1Gi',
      'memory.available',
      /invalid eviction grace period syntax memory\.available, expected <signal>=<duration>/,
    ],
    ['memory.available<1Gi', 'memory.available=soon', /time: invalid duration "soon"/],
    [
      'memory.available<1Gi',
      'memory.available=-1s',
      /invalid eviction grace period specified: -1s, must be a positive value/,
    ],
    [
      'memory.available<1Gi',
      'memory.available=1s,memory.available=2s',
      /duplicate eviction grace period specified for memory\.available/,
    ],
    ['memory.available<1Gi', 'imagefs.available=1s', /unsupported eviction signal imagefs\.available/],
    ['memory.available>1Gi', 'memory.available=1s', /invalid eviction threshold syntax/],
  ] as const) {
    assert.throws(() => parseEvictionSoft(soft, grace), message, `${soft} / ${grace}`);
  }
});
