/**
 * Which pod goes first when the node runs short (upstream eviction helpers.go): pods using more than they
 * requested, then lower priority, then by how far usage exceeds the request. Pure.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { formatQuantity, parseQuantity, quantityFromNanos, quantityValue } from '../../api/quantity.js';
import type { HostReadings } from '../node/host-readings.js';
import { thresholdAmount, type ThresholdValue, type Thresholds } from './thresholds.js';

export type StarvedResource = 'memory' | 'ephemeral-storage' | 'pids';

export interface PressureSignal {
  resource: StarvedResource;
  /** Upstream's signal name, e.g. `memory.available`. */
  signal: string;
  threshold: string;
  available: string;
}

export interface PodUsage {
  pod: Pod;
  /** Bytes (memory, ephemeral-storage) per container name; none for pids. */
  containers: Map<string, number>;
}

const bytes = (n: number): string =>
  formatQuantity(quantityFromNanos(BigInt(Math.max(0, Math.round(n))) * 1_000_000_000n, 'BinarySI'));
const percent = (f: number): string => `${Math.round(f * 100)}%`;

/** How upstream prints a threshold: the quantity, or the percentage. */
function shownThreshold(value: ThresholdValue, asBytes: boolean): string {
  if ('fraction' in value) return percent(value.fraction);
  return asBytes ? bytes(value.quantity) : String(value.quantity);
}

export type PressureCondition = 'MemoryPressure' | 'DiskPressure' | 'PIDPressure';

/** The node conditions the signals raise, in upstream's order. */
export function pressureConditionsOf(signals: readonly PressureSignal[]): PressureCondition[] {
  const starved = new Set(signals.map((s) => s.resource));
  const out: PressureCondition[] = [];
  if (starved.has('memory')) out.push('MemoryPressure');
  if (starved.has('ephemeral-storage')) out.push('DiskPressure');
  if (starved.has('pids')) out.push('PIDPressure');
  return out;
}

/** The hard thresholds the readings cross, in upstream's order of precedence (memory first). */
export function pressureSignals(r: HostReadings, t: Thresholds): PressureSignal[] {
  const out: PressureSignal[] = [];
  const check = (
    signal: keyof Thresholds,
    resource: StarvedResource,
    available: number,
    capacity: number,
    asBytes: boolean,
  ): void => {
    const value = t[signal];
    if (!value || capacity <= 0 || available >= thresholdAmount(value, capacity)) return;
    out.push({
      resource,
      signal,
      threshold: shownThreshold(value, asBytes),
      available: asBytes ? bytes(available) : String(available),
    });
  };
  check('memory.available', 'memory', r.memoryAvailableBytes, r.memoryTotalBytes, true);
  check('nodefs.available', 'ephemeral-storage', r.fsAvailableBytes, r.fsCapacityBytes, true);
  check('nodefs.inodesFree', 'ephemeral-storage', r.fsInodesFree, r.fsInodes, false);
  check('pid.available', 'pids', r.pidMax - r.pidsInUse, r.pidMax, false);
  return out;
}

function requestOf(pod: Pod, container: string, resource: StarvedResource): number {
  const c = pod.spec?.containers.find((x) => x.name === container);
  const q = resource === 'pids' ? undefined : c?.resources?.requests?.[resource];
  return q === undefined ? 0 : Number(quantityValue(parseQuantity(q)));
}

function podRequest(pod: Pod, resource: StarvedResource): number {
  return (pod.spec?.containers ?? []).reduce((sum, c) => sum + requestOf(pod, c.name, resource), 0);
}

const total = (u: PodUsage): number => [...u.containers.values()].reduce((a, b) => a + b, 0);

/** Pods in eviction order for the starved resource. */
export function rankForEviction(resource: StarvedResource, pods: PodUsage[]): PodUsage[] {
  const exceeds = (u: PodUsage): boolean => resource !== 'pids' && total(u) > podRequest(u.pod, resource);
  const priority = (u: PodUsage): number => u.pod.spec?.priority ?? 0;
  const overRequest = (u: PodUsage): number => total(u) - podRequest(u.pod, resource);
  return [...pods].sort(
    (a, b) =>
      Number(exceeds(b)) - Number(exceeds(a)) || priority(a) - priority(b) || overRequest(b) - overRequest(a),
  );
}

/** Upstream's eviction message: what ran short, by how much, and which containers used more than requested. */
export function evictionMessage(signal: PressureSignal, usage: PodUsage): string {
  let message =
    `The node was low on resource: ${signal.resource}. ` +
    `Threshold quantity: ${signal.threshold}, available: ${signal.available}. `;
  if (signal.resource === 'pids') return message;
  for (const c of usage.pod.spec?.containers ?? []) {
    const used = usage.containers.get(c.name);
    if (used === undefined) continue;
    const request = requestOf(usage.pod, c.name, signal.resource);
    if (used > request) {
      message += `Container ${c.name} was using ${bytes(used)}, request is ${bytes(request)}, has larger consumption of ${signal.resource}. `;
    }
  }
  return message;
}
