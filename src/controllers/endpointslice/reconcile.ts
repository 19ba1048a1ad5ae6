import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { cloneJson, deepEqual } from '../../api/meta.js';
import { shouldPodBeInEndpoints } from '../endpointutil/pod-inclusion.js';
import { addressTypesForService, endpointKey, endpointPorts, podToEndpoint } from './slice-endpoint.js';
import { newEndpointSlice, ownedBy, portMapKey, sliceLabels, type AddressType } from './slice-meta.js';

export interface SliceChanges {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
  /** Pods left out because their node is unknown: the sync is retried after the writes (as upstream). */
  podsWithoutNode: string[];
}

export interface ReconcileInput {
  service: Service;
  pods: readonly Pod[];
  /** The Service's slices managed by this controller, not being deleted. */
  existing: readonly EndpointSlice[];
  node(name: string): Node | undefined;
  maxEndpointsPerSlice: number;
}

/**
 * Upstream Reconciler.Reconcile without the API calls: which slices to create, update and delete so that the
 * Service's slices list its pods, per address type and per set of ports, touching as few slices as it can.
 * Nothing here modifies the inputs; changed slices are copies.
 */
export function reconcileSlices(input: ReconcileInput): SliceChanges {
  const types = addressTypesForService(input.service);
  const out: SliceChanges = { create: [], update: [], delete: [], podsWithoutNode: [] };
  const byType = new Map<AddressType, EndpointSlice[]>();
  for (const slice of sortByName(input.existing)) {
    const type = slice.addressType as AddressType;
    if (!types.has(type)) {
      out.delete.push(slice);
      continue;
    }
    let list = byType.get(type);
    if (!list) byType.set(type, (list = []));
    list.push(slice);
  }
  for (const type of [...types].sort()) {
    const changes = reconcileAddressType(input, byType.get(type) ?? [], type);
    out.create.push(...changes.create);
    out.update.push(...changes.update);
    out.delete.push(...changes.delete);
    out.podsWithoutNode.push(...changes.podsWithoutNode);
  }
  return out;
}

interface PortGroup {
  ports: EndpointPort[];
  /** Desired endpoints by endpointKey, in pod order. */
  endpoints: Map<string, Endpoint>;
}

function reconcileAddressType(
  input: ReconcileInput,
  existing: EndpointSlice[],
  type: AddressType,
): SliceChanges {
  const { service } = input;
  const out: SliceChanges = { create: [], update: [], delete: [], podsWithoutNode: [] };
  const existingByPorts = new Map<string, EndpointSlice[]>();
  for (const slice of existing) {
    if (!ownedBy(slice, service)) {
      out.delete.push(slice);
      continue;
    }
    const key = portMapKey(slice.ports);
    let list = existingByPorts.get(key);
    if (!list) existingByPorts.set(key, (list = []));
    list.push(slice);
  }

  const desired = new Map<string, PortGroup>();
  for (const pod of sortByName(input.pods)) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPorts(service, pod);
    const key = portMapKey(ports);
    let group = desired.get(key);
    if (!group) desired.set(key, (group = { ports, endpoints: new Map() }));
    const node = input.node(pod.spec?.nodeName ?? '');
    if (!node && service.spec?.publishNotReadyAddresses !== true) {
      out.podsWithoutNode.push(pod.metadata?.name ?? '');
      continue;
    }
    const endpoint = podToEndpoint(pod, node, service, type);
    if (endpoint.addresses.length > 0) group.endpoints.set(endpointKey(endpoint), endpoint);
  }

  for (const [key, group] of desired) {
    const changes = reconcilePortGroup(
      service,
      existingByPorts.get(key) ?? [],
      group,
      type,
      input.maxEndpointsPerSlice,
    );
    out.create.push(...changes.create);
    out.update.push(...changes.update);
    out.delete.push(...changes.delete);
  }
  for (const [key, slices] of existingByPorts) if (!desired.has(key)) out.delete.push(...slices);

  // A Service without endpoints keeps one empty slice (upstream's placeholder), reused when it is there.
  if (existing.length === out.delete.length && out.create.length === 0) {
    const placeholder = newEndpointSlice(service, [], type);
    const only = out.delete.length === 1 ? out.delete[0] : undefined;
    if (only && isPlaceholder(only, placeholder)) out.delete = [];
    else out.create.push(placeholder);
  }
  return reuseDeletedSlices(service, out);
}

/**
 * Upstream reconcileByPortMapping for one set of ports: (1) keep the endpoints of existing slices that are still
 * wanted, updating those that changed, and drop the rest (a slice left empty goes); (2) fill the slices already
 * being updated, fullest first; (3) put what is left into the one unchanged slice it fits best, else new slices.
 */
function reconcilePortGroup(
  service: Service,
  existing: EndpointSlice[],
  group: PortGroup,
  type: AddressType,
  max: number,
): { create: EndpointSlice[]; update: EndpointSlice[]; delete: EndpointSlice[] } {
  const wanted = new Map(group.endpoints);
  const toUpdate = new Map<string, EndpointSlice>();
  const unchanged = new Map<string, EndpointSlice>();
  const toDelete: EndpointSlice[] = [];

  for (const slice of existing) {
    const kept: Endpoint[] = [];
    let endpointChanged = false;
    for (const ep of slice.endpoints ?? []) {
      const key = endpointKey(ep);
      const want = wanted.get(key);
      if (!want) continue;
      kept.push(want);
      if (!sameBeyondKey(want, ep)) endpointChanged = true;
      wanted.delete(key);
    }
    const { labels, changed: labelsChanged } = sliceLabels(slice, service);
    const name = slice.metadata?.name ?? '';
    if (endpointChanged || kept.length !== (slice.endpoints ?? []).length) {
      if (kept.length === 0) toDelete.push(slice);
      else toUpdate.set(name, withEndpoints(slice, kept, labels));
    } else if (labelsChanged) {
      toUpdate.set(name, withEndpoints(slice, slice.endpoints ?? [], labels));
    } else {
      unchanged.set(name, slice);
    }
  }

  const pop = (): Endpoint => {
    const [key, ep] = wanted.entries().next().value as [string, Endpoint];
    wanted.delete(key);
    return ep;
  };
  if (wanted.size > 0 && toUpdate.size > 0) {
    const fullestFirst = [...toUpdate.values()].sort(
      (a, b) => (b.endpoints ?? []).length - (a.endpoints ?? []).length,
    );
    for (const slice of fullestFirst) {
      const eps = (slice.endpoints ??= []);
      while (wanted.size > 0 && eps.length < max) eps.push(pop());
    }
  }

  const toCreate: EndpointSlice[] = [];
  while (wanted.size > 0) {
    let slice: EndpointSlice | undefined;
    if (wanted.size < max && unchanged.size > 0) {
      const fit = sliceToFill([...unchanged.values()], wanted.size, max);
      if (fit) {
        slice = cloneJson(fit);
        unchanged.delete(fit.metadata?.name ?? '');
        toUpdate.set(fit.metadata?.name ?? '', slice);
      }
    }
    if (!slice) {
      slice = newEndpointSlice(service, group.ports, type);
      toCreate.push(slice);
    }
    const eps = (slice.endpoints ??= []);
    while (wanted.size > 0 && eps.length < max) eps.push(pop());
  }
  return { create: toCreate, update: [...toUpdate.values()], delete: toDelete };
}

/** Upstream getSliceToFill: the slice closest to full once `count` endpoints are added, if any fits them. */
function sliceToFill(slices: EndpointSlice[], count: number, max: number): EndpointSlice | undefined {
  let best: EndpointSlice | undefined;
  let bestRoom = max;
  for (const slice of slices) {
    const room = max - (count + (slice.endpoints ?? []).length);
    if (room >= 0 && room < bestRoom) {
      best = slice;
      bestRoom = room;
      if (room === 0) break;
    }
  }
  return best;
}

/**
 * Upstream finalize's first step: rather than creating a slice and deleting another, update the one that
 * would go (same address type and owned by this Service) to the new contents under its name.
 */
function reuseDeletedSlices(service: Service, changes: SliceChanges): SliceChanges {
  const remaining: EndpointSlice[] = [];
  for (const old of changes.delete) {
    const fresh = changes.create.at(-1);
    if (fresh && old.addressType === fresh.addressType && ownedBy(old, service)) {
      changes.create.pop();
      fresh.metadata = { ...fresh.metadata, name: old.metadata?.name ?? '' };
      delete fresh.metadata.generateName;
      changes.update.push(fresh);
    } else {
      remaining.push(old);
    }
  }
  changes.delete = remaining;
  return changes;
}

function withEndpoints(
  slice: EndpointSlice,
  endpoints: Endpoint[],
  labels: Record<string, string>,
): EndpointSlice {
  const copy = cloneJson(slice);
  copy.endpoints = [...endpoints];
  copy.metadata = { ...copy.metadata, labels };
  return copy;
}

/** Upstream EndpointsEqualBeyondHash: node, zone, conditions and target (its resourceVersion aside). */
function sameBeyondKey(a: Endpoint, b: Endpoint): boolean {
  const ref = (e: Endpoint): unknown =>
    e.targetRef ? { ...e.targetRef, resourceVersion: undefined } : undefined;
  return (
    a.nodeName === b.nodeName &&
    a.zone === b.zone &&
    a.conditions?.ready === b.conditions?.ready &&
    a.conditions?.serving === b.conditions?.serving &&
    a.conditions?.terminating === b.conditions?.terminating &&
    deepEqual(ref(a), ref(b))
  );
}

/** Upstream placeholderSliceCompare: the same namespace, labels, owners, type, and no ports or endpoints. */
function isPlaceholder(slice: EndpointSlice, placeholder: EndpointSlice): boolean {
  return (
    slice.metadata?.namespace === placeholder.metadata?.namespace &&
    deepEqual(slice.metadata?.labels ?? {}, placeholder.metadata?.labels ?? {}) &&
    deepEqual(slice.metadata?.ownerReferences ?? [], placeholder.metadata?.ownerReferences ?? []) &&
    slice.addressType === placeholder.addressType &&
    (slice.ports ?? []).length === 0 &&
    (slice.endpoints ?? []).length === 0
  );
}

function sortByName<T extends { metadata?: { name?: string } }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => {
    const x = a.metadata?.name ?? '';
    const y = b.metadata?.name ?? '';
    return x < y ? -1 : x > y ? 1 : 0;
  });
}
