import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { SERVICE_NAME_LABEL } from './slice-meta.js';

const DELETION_EXPECTED = -1;

const rv = (slice: EndpointSlice): number => Number(slice.metadata?.resourceVersion ?? 0);
const uid = (slice: EndpointSlice): string => slice.metadata?.uid ?? '';

/** `namespace/service` of the Service a slice belongs to, by its service-name label. */
export function serviceKeyOf(slice: EndpointSlice): string | undefined {
  const name = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
  return name ? `${slice.metadata?.namespace ?? ''}/${name}` : undefined;
}

/**
 * Upstream EndpointSliceTracker: the slices this controller last wrote per Service, so that a sync from a cache
 * that has not caught up with those writes is put off instead of acting twice, and so that the controller's own
 * writes coming back through the informer do not trigger syncs. Upstream tracks generations; Tugboat's
 * EndpointSlices have none, so this tracks resourceVersions, which grow with every write (as the Job controller
 * relies on too).
 */
export class SliceTracker {
  private readonly byService = new Map<string, { serviceUid: string; slices: Map<string, number> }>();

  private slicesOf(slice: EndpointSlice): Map<string, number> | undefined {
    const key = serviceKeyOf(slice);
    return key === undefined ? undefined : this.byService.get(key)?.slices;
  }

  /** A slice event is news (worth a sync) unless it is one of our own writes or older. */
  shouldSync(slice: EndpointSlice): boolean {
    const tracked = this.slicesOf(slice)?.get(uid(slice));
    return tracked === undefined || rv(slice) > tracked;
  }

  /**
   * Whether the cached slices of the Service lag behind our writes: one is older than we wrote it, one we
   * deleted is still there, or one we wrote is missing. A new Service of the same name forgets the old one's.
   */
  stale(serviceKey: string, serviceUid: string, slices: readonly EndpointSlice[]): boolean {
    const entry = this.byService.get(serviceKey);
    if (!entry) return false;
    if (entry.serviceUid !== serviceUid) {
      this.byService.delete(serviceKey);
      return false;
    }
    const seen = new Set<string>();
    for (const slice of slices) {
      seen.add(uid(slice));
      const tracked = entry.slices.get(uid(slice));
      if (tracked !== undefined && (tracked === DELETION_EXPECTED || tracked > rv(slice))) return true;
    }
    for (const [id, tracked] of entry.slices) if (tracked !== DELETION_EXPECTED && !seen.has(id)) return true;
    return false;
  }

  /** Records a slice this controller created or updated (as the API server returned it). */
  written(serviceKey: string, serviceUid: string, slice: EndpointSlice): void {
    this.entry(serviceKey, serviceUid).set(uid(slice), rv(slice));
  }

  expectDeletion(serviceKey: string, serviceUid: string, slice: EndpointSlice): void {
    this.entry(serviceKey, serviceUid).set(uid(slice), DELETION_EXPECTED);
  }

  /**
   * Forgets a deleted slice; true when this controller deleted it. Upstream also takes a slice it never tracked
   * (one untouched since a restart) as expected; here its deletion is news, so the Service is looked at again.
   */
  handleDeletion(slice: EndpointSlice): boolean {
    const slices = this.slicesOf(slice);
    const tracked = slices?.get(uid(slice));
    slices?.delete(uid(slice));
    return tracked === DELETION_EXPECTED;
  }

  deleteService(serviceKey: string): void {
    this.byService.delete(serviceKey);
  }

  private entry(serviceKey: string, serviceUid: string): Map<string, number> {
    let entry = this.byService.get(serviceKey);
    if (!entry || entry.serviceUid !== serviceUid) {
      entry = { serviceUid, slices: new Map() };
      this.byService.set(serviceKey, entry);
    }
    return entry.slices;
  }
}
