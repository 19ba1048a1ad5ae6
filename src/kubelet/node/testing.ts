import type { HostReadings } from './host-readings.js';

const Mi = 1024 * 1024;

/** Host readings of a 2-core, 4 GiB node with room to spare everywhere; `overrides` set what a test needs. */
export function plentifulReadings(overrides: Partial<HostReadings> = {}): HostReadings {
  return {
    cpuCores: 2,
    memoryTotalBytes: 4096 * Mi,
    memoryAvailableBytes: 2048 * Mi,
    fsCapacityBytes: 100_000 * Mi,
    fsAvailableBytes: 50_000 * Mi,
    fsInodes: 1_000_000,
    fsInodesFree: 900_000,
    pidMax: 32768,
    pidsInUse: 300,
    ...overrides,
  };
}
