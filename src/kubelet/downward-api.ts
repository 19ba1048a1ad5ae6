/** Downward API values shared by env (fieldRef, resourceFieldRef) and the downwardAPI volume. */
import type { Container, ObjectFieldSelector, Pod, ResourceFieldSelector } from 'kubernetes-types/core/v1.js';
import { parseQuantity, quantityMilliValue, quantityValue } from '../api/quantity.js';

export interface DownwardContext {
  pod: Pod;
  podIPs: string[];
  hostIPs: string[];
  /** Node allocatable: the limit of a container that sets none. */
  allocatable: Record<string, string>;
}

/** `key="value"` lines, sorted by key (upstream fieldpath.FormatMap). */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join('\n');
}

export function fieldRefValue(ref: ObjectFieldSelector, ctx: DownwardContext): string {
  const { pod } = ctx;
  const path = ref.fieldPath;
  switch (path) {
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      return ctx.hostIPs[0] ?? '';
    case 'status.hostIPs':
      return ctx.hostIPs.join(',');
    case 'status.podIP':
      return ctx.podIPs[0] ?? '';
    case 'status.podIPs':
      return ctx.podIPs.join(',');
    case 'metadata.annotations':
      return formatMap(pod.metadata?.annotations);
    case 'metadata.labels':
      return formatMap(pod.metadata?.labels);
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
  }
  const m = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(path);
  if (m) {
    const map = m[1] === 'metadata.labels' ? pod.metadata?.labels : pod.metadata?.annotations;
    return map?.[m[2]!] ?? '';
  }
  throw new Error(`unsupported fieldPath: ${path}`);
}

function ceilDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new Error('divisor must be positive');
  return (a + b - 1n) / b;
}

export function resourceFieldRefValue(
  ref: ResourceFieldSelector,
  container: Container,
  ctx: DownwardContext,
): string {
  const divisor = parseQuantity(ref.divisor === undefined || ref.divisor === '0' ? '1' : String(ref.divisor));
  const [kind, name] = ref.resource.split('.', 2) as [string, string | undefined];
  if ((kind !== 'limits' && kind !== 'requests') || !name) {
    throw new Error(`unsupported container resource : ${ref.resource}`);
  }
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  let raw: string | undefined;
  if (kind === 'limits') raw = limits[name] ?? ctx.allocatable[name];
  else raw = requests[name] ?? limits[name];
  if (name !== 'cpu' && name !== 'memory' && name !== 'ephemeral-storage' && !name.startsWith('hugepages-')) {
    throw new Error(`unsupported container resource : ${ref.resource}`);
  }
  const q = parseQuantity(raw ?? '0');
  if (name === 'cpu') return ceilDiv(quantityMilliValue(q), quantityMilliValue(divisor)).toString();
  return ceilDiv(quantityValue(q), quantityValue(divisor)).toString();
}
