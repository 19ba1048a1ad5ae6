/** The kubelet-owned pod conditions, after upstream pkg/kubelet/status/generate.go. */
import type { ContainerStatus, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { isSidecar } from './sidecars.js';

type Phase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

const list = (names: string[]): string => `[${names.join(' ')}]`;

export function initializedCondition(pod: Pod, statuses: ContainerStatus[], phase: Phase): PodCondition {
  const inits = pod.spec?.initContainers ?? [];
  if (inits.length === 0) return { type: 'Initialized', status: 'True' };
  const byName = new Map(statuses.map((s) => [s.name, s]));
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const c of inits) {
    const s = byName.get(c.name);
    if (!s) unknown.push(c.name);
    else if (isSidecar(c)) {
      if (!s.started) incomplete.push(c.name);
    } else if (s.state?.terminated?.exitCode !== 0) incomplete.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) {
    return { type: 'Initialized', status: 'True', reason: 'PodCompleted' };
  }
  const regular = new Set((pod.spec?.containers ?? []).map((c) => c.name));
  if (statuses.some((s) => regular.has(s.name) && (s.state?.running || s.state?.terminated))) {
    return { type: 'Initialized', status: 'True' };
  }
  const msgs: string[] = [];
  if (unknown.length) msgs.push(`containers with unknown status: ${list(unknown)}`);
  if (incomplete.length) msgs.push(`containers with incomplete status: ${list(incomplete)}`);
  if (msgs.length) {
    return {
      type: 'Initialized',
      status: 'False',
      reason: 'ContainersNotInitialized',
      message: msgs.join(', '),
    };
  }
  return { type: 'Initialized', status: 'True' };
}

export function containersReadyCondition(pod: Pod, statuses: ContainerStatus[], phase: Phase): PodCondition {
  const byName = new Map(statuses.map((s) => [s.name, s]));
  const unknown: string[] = [];
  const unready: string[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []).filter(isSidecar), ...(pod.spec?.containers ?? [])]) {
    const s = byName.get(c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) {
    return { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' };
  }
  const msgs: string[] = [];
  if (unknown.length) msgs.push(`containers with unknown status: ${list(unknown)}`);
  if (unready.length) msgs.push(`containers with unready status: ${list(unready)}`);
  if (msgs.length) {
    return {
      type: 'ContainersReady',
      status: 'False',
      reason: 'ContainersNotReady',
      message: msgs.join(', '),
    };
  }
  return { type: 'ContainersReady', status: 'True' };
}

export function readyCondition(
  pod: Pod,
  containersReady: PodCondition,
  conditions: PodCondition[],
): PodCondition {
  if (containersReady.status !== 'True') return { ...containersReady, type: 'Ready' };
  const msgs: string[] = [];
  for (const gate of pod.spec?.readinessGates ?? []) {
    const c = conditions.find((x) => x.type === gate.conditionType);
    if (!c)
      msgs.push(`corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`);
    else if (c.status !== 'True') {
      msgs.push(`the status of pod readiness gate "${gate.conditionType}" is not "True", but ${c.status}`);
    }
  }
  if (msgs.length) {
    return { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: msgs.join(', ') };
  }
  return { type: 'Ready', status: 'True' };
}

const KUBELET_CONDITIONS = new Set([
  'PodScheduled',
  'Ready',
  'Initialized',
  'ContainersReady',
  'PodReadyToStartContainers',
]);

export function isKubeletCondition(type: string): boolean {
  return KUBELET_CONDITIONS.has(type);
}
