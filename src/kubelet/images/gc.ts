/**
 * Image garbage collection at disk thresholds, as the kubelet does it: when the image filesystem is at or
 * above `highThresholdPercent` used, remove unused images, least recently used first, until usage is
 * below `lowThresholdPercent`. Images in use by containers and images younger than `minAgeMs` stay.
 */
import { statfs } from 'node:fs/promises';
import type { Clock } from '../../util/clock.js';
import type { ImageStore } from './image-store.js';

export interface DiskUsage {
  capacityBytes: number;
  availableBytes: number;
}

export interface ImageGcPolicy {
  /** Kubelet defaults: 85 and 80. */
  highThresholdPercent: number;
  lowThresholdPercent: number;
  /** Images first seen less than this long ago are kept (kubelet default: 2 minutes). */
  minAgeMs?: number;
}

export interface ImageGcResult {
  /** Usage in percent when collection started. */
  usagePercent: number;
  removed: string[];
  /** Still at or above the low threshold after removing everything removable. */
  insufficient: boolean;
}

export async function statfsUsage(path: string): Promise<DiskUsage> {
  const s = await statfs(path);
  return { capacityBytes: s.blocks * s.bsize, availableBytes: s.bavail * s.bsize };
}

export function usedPercent(u: DiskUsage): number {
  if (u.capacityBytes <= 0) return 0;
  return ((u.capacityBytes - u.availableBytes) / u.capacityBytes) * 100;
}

export async function collectImageGarbage(
  store: ImageStore,
  policy: ImageGcPolicy,
  inUseImageIds: ReadonlySet<string>,
  clock: Clock,
  measure: () => Promise<DiskUsage> = () => statfsUsage(store.root),
): Promise<ImageGcResult> {
  if (!(policy.lowThresholdPercent < policy.highThresholdPercent))
    throw new Error('image GC: the low threshold must be below the high threshold');
  await store.pruneUnreferenced();
  const start = usedPercent(await measure());
  const result: ImageGcResult = { usagePercent: start, removed: [], insufficient: false };
  if (start < policy.highThresholdPercent) return result;

  const minAge = policy.minAgeMs ?? 0;
  const now = clock.now();
  const candidates = (await store.list())
    .filter((img) => !inUseImageIds.has(img.id) && now - img.createdAt >= minAge)
    .sort((a, b) => a.lastUsedAt - b.lastUsedAt || a.createdAt - b.createdAt);
  let usage = start;
  for (const img of candidates) {
    if (usage < policy.lowThresholdPercent) break;
    // Shared layers stay with the images that still use them, so measure what a removal really freed.
    await store.remove(img.id);
    result.removed.push(img.id);
    usage = usedPercent(await measure());
  }
  result.insufficient = usage >= policy.lowThresholdPercent;
  return result;
}
