import { podClaims } from '../../api/ephemeral-volumes.js';
import type { Pod, PodAffinityTerm, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { labelSelectorFromObject, type LabelSelector } from '../../api/labels.js';
import { parseQuantity, quantityMilliValue } from '../../api/quantity.js';
import { podRequestsMilli } from '../../api/pods.js';

/** One required or preferred (anti-)affinity term, compiled once per pod. */
export interface AffinityTerm {
  selector: LabelSelector;
  /** Explicit namespaces; the pod's own when neither namespaces nor namespaceSelector is given. */
  namespaces: ReadonlySet<string>;
  namespaceSelector: LabelSelector | undefined;
  topologyKey: string;
  weight: number;
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** Pods without cpu/memory requests still count this much for scoring (upstream non-zero defaults). */
export const DEFAULT_MILLI_CPU = 100;
export const DEFAULT_MEMORY_MILLI = 200 * 1024 * 1024 * 1000;

/**
 * What the scheduler needs of a pod, computed once when the pod is seen (upstream framework.PodInfo):
 * requests as parallel arrays of resource names and milli-values, host ports, compiled affinity terms.
 */
const NO_CLAIMS: readonly string[] = [];

export class PodInfo {
  readonly key: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly resourceNames: string[] = [];
  readonly resourceValues: number[] = [];
  readonly requestCpu: number;
  readonly requestMemory: number;
  readonly nonZeroCpu: number;
  readonly nonZeroMemory: number;
  readonly hostPorts: HostPort[] = [];
  readonly requiredAffinity: AffinityTerm[];
  readonly requiredAntiAffinity: AffinityTerm[];
  readonly preferredAffinity: AffinityTerm[];
  readonly preferredAntiAffinity: AffinityTerm[];
  /** `namespace/name` of every claim the pod's volumes use (persistentVolumeClaim and ephemeral). */
  readonly claimKeys: readonly string[];

  constructor(
    readonly pod: Pod,
    readonly priority: number,
  ) {
    const meta = pod.metadata ?? {};
    this.namespace = meta.namespace ?? '';
    this.key = `${this.namespace}/${meta.name ?? ''}`;
    this.labels = meta.labels ?? {};
    for (const [name, v] of podRequestsMilli(pod)) {
      if (v === 0n) continue;
      this.resourceNames.push(name);
      this.resourceValues.push(Number(v));
    }
    this.requestCpu = this.request('cpu');
    this.requestMemory = this.request('memory');
    let cpu = 0;
    let mem = 0;
    for (const c of pod.spec?.containers ?? []) {
      const req = c.resources?.requests ?? {};
      cpu += req.cpu !== undefined ? milli(req.cpu) : DEFAULT_MILLI_CPU;
      mem += req.memory !== undefined ? milli(req.memory) : DEFAULT_MEMORY_MILLI;
      for (const p of c.ports ?? []) {
        if (p.hostPort && p.hostPort > 0) {
          this.hostPorts.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
        }
      }
    }
    this.nonZeroCpu = cpu;
    this.nonZeroMemory = mem;
    const aff = pod.spec?.affinity;
    this.requiredAffinity = compileTerms(
      aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
      this.namespace,
    );
    this.requiredAntiAffinity = compileTerms(
      aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
      this.namespace,
    );
    this.preferredAffinity = compileWeighted(
      aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
      this.namespace,
    );
    this.preferredAntiAffinity = compileWeighted(
      aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
      this.namespace,
    );
    // Nearly every pod has volumes (the service account token's), few have claims.
    const claims = podClaims(pod);
    this.claimKeys = claims.length ? claims.map((c) => `${this.namespace}/${c.name}`) : NO_CLAIMS;
  }

  get name(): string {
    return this.pod.metadata?.name ?? '';
  }

  get uid(): string {
    return this.pod.metadata?.uid ?? '';
  }

  hasAffinity(): boolean {
    return (
      this.requiredAffinity.length > 0 ||
      this.requiredAntiAffinity.length > 0 ||
      this.preferredAffinity.length > 0 ||
      this.preferredAntiAffinity.length > 0
    );
  }

  request(resource: string): number {
    const i = this.resourceNames.indexOf(resource);
    return i < 0 ? 0 : this.resourceValues[i]!;
  }
}

function milli(v: string | number): number {
  return Number(quantityMilliValue(parseQuantity(v)));
}

function compileTerm(t: PodAffinityTerm, ownNamespace: string, weight: number): AffinityTerm {
  const explicit = t.namespaces ?? [];
  const nsSel = t.namespaceSelector ? labelSelectorFromObject(t.namespaceSelector) : undefined;
  const namespaces = new Set(explicit);
  if (explicit.length === 0 && !t.namespaceSelector) namespaces.add(ownNamespace);
  return {
    selector: labelSelectorFromObject(t.labelSelector),
    namespaces,
    namespaceSelector: nsSel,
    topologyKey: t.topologyKey,
    weight,
  };
}

function compileTerms(terms: PodAffinityTerm[] | undefined, ns: string): AffinityTerm[] {
  return (terms ?? []).map((t) => compileTerm(t, ns, 1));
}

function compileWeighted(terms: WeightedPodAffinityTerm[] | undefined, ns: string): AffinityTerm[] {
  return (terms ?? []).map((t) => compileTerm(t.podAffinityTerm, ns, t.weight));
}

/** Whether `term` (of some pod) selects `target`, a pod in `namespace` with `labels`. */
export function termMatches(
  term: AffinityTerm,
  target: PodInfo,
  namespaceLabels: (ns: string) => Record<string, string> | undefined,
): boolean {
  if (!term.namespaces.has(target.namespace)) {
    if (!term.namespaceSelector) return false;
    if (!term.namespaceSelector.empty && !term.namespaceSelector.matches(namespaceLabels(target.namespace))) {
      return false;
    }
  }
  return term.selector.matches(target.labels);
}
