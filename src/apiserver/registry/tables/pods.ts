import { isPlainObject, type KubeObject } from '../../../api/meta.js';
import type { TableConvertor } from '../types.js';
import { doc } from './docs.js';
import { age, ageColumn, arr, col, nameColumn, num, rec, since, str, type Obj } from './format.js';

const NODE_UNREACHABLE_POD_REASON = 'NodeLost';

function isRestartableInit(container: Obj | undefined): boolean {
  return container?.restartPolicy === 'Always';
}

function terminatedAt(status: Obj): number {
  const finished = str(rec(rec(status.lastState).terminated).finishedAt);
  const t = finished ? Date.parse(finished) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

function terminatedReason(term: Obj, prefix: string): string {
  if (str(term.reason)) return prefix + str(term.reason);
  if (num(term.signal) !== 0) return `${prefix}Signal:${num(term.signal)}`;
  return `${prefix}ExitCode:${num(term.exitCode)}`;
}

function conditionTrue(status: Obj, type: string): boolean {
  return arr(status.conditions).some((c) => c.type === type && c.status === 'True');
}

interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

/** Ready / Status / Restarts exactly as upstream's printPod. */
export function summarizePod(pod: KubeObject, now: number): PodSummary {
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  const phase = str(status.phase);
  let reason = str(status.reason) || phase;
  let totalContainers = arr(spec.containers).length;
  let readyContainers = 0;
  let restarts = 0;
  let restartableInitRestarts = 0;
  let lastRestart = 0;
  let lastRestartableInitRestart = 0;

  for (const c of arr(status.conditions)) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initSpecs = new Map<string, Obj>();
  const initContainers = arr(spec.initContainers);
  for (const c of initContainers) {
    initSpecs.set(str(c.name), c);
    if (isRestartableInit(c)) totalContainers++;
  }

  let initializing = false;
  const initStatuses = arr(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i] as Obj;
    const state = rec(cs.state);
    const restartable = isRestartableInit(initSpecs.get(str(cs.name)));
    restarts += num(cs.restartCount);
    lastRestart = Math.max(lastRestart, terminatedAt(cs));
    if (restartable) {
      restartableInitRestarts += num(cs.restartCount);
      lastRestartableInitRestart = Math.max(lastRestartableInitRestart, terminatedAt(cs));
    }
    const terminated = isPlainObject(state.terminated) ? rec(state.terminated) : undefined;
    const waiting = isPlainObject(state.waiting) ? rec(state.waiting) : undefined;
    if (terminated && num(terminated.exitCode) === 0) continue;
    if (restartable && cs.started === true) {
      if (cs.ready === true) readyContainers++;
      continue;
    }
    if (terminated) reason = terminatedReason(terminated, 'Init:');
    else if (waiting && str(waiting.reason) && waiting.reason !== 'PodInitializing')
      reason = `Init:${str(waiting.reason)}`;
    else reason = `Init:${i}/${initContainers.length}`;
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status, 'Initialized')) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses = arr(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i] as Obj;
      const state = rec(cs.state);
      restarts += num(cs.restartCount);
      lastRestart = Math.max(lastRestart, terminatedAt(cs));
      const terminated = isPlainObject(state.terminated) ? rec(state.terminated) : undefined;
      const waiting = isPlainObject(state.waiting) ? rec(state.waiting) : undefined;
      if (waiting && str(waiting.reason)) reason = str(waiting.reason);
      else if (terminated) reason = terminatedReason(terminated, '');
      else if (cs.ready === true && isPlainObject(state.running)) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A completed sidecar-style container while others still run: the pod is not "Completed".
    if (reason === 'Completed' && hasRunning) {
      reason = conditionTrue(status, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata?.deletionTimestamp && status.reason === NODE_UNREACHABLE_POD_REASON) reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed')
    reason = 'Terminating';

  let restartsText = String(restarts);
  if (restarts !== 0 && lastRestart !== 0)
    restartsText = `${restarts} (${since(new Date(lastRestart).toISOString(), now)} ago)`;

  return { ready: `${readyContainers}/${totalContainers}`, status: reason, restarts: restartsText };
}

function readinessGates(spec: Obj, status: Obj): string {
  const gates = arr(spec.readinessGates);
  if (gates.length === 0) return '<none>';
  let trueConditions = 0;
  for (const gate of gates) {
    const cond = arr(status.conditions).find((c) => c.type === gate.conditionType);
    if (cond?.status === 'True') trueConditions++;
  }
  return `${trueConditions}/${gates.length}`;
}

export const podTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'The aggregate status of the containers in this pod.'),
    col(
      'Restarts',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    ageColumn,
    col('IP', doc.podIP, 1),
    col('Node', doc.nodeName, 1),
    col('Nominated Node', doc.nominatedNodeName, 1),
    col('Readiness Gates', doc.readinessGates, 1),
  ],
  cells(pod, now) {
    const spec = rec(pod.spec);
    const status = rec(pod.status);
    const s = summarizePod(pod, now);
    const podIPs = arr(status.podIPs);
    // The internal type fills podIPs from podIP, so either field counts.
    const podIP = str(podIPs[0]?.ip) || str(status.podIP) || '<none>';
    return [
      pod.metadata?.name ?? '',
      s.ready,
      s.status,
      s.restarts,
      age(pod, now),
      podIP,
      str(spec.nodeName) || '<none>',
      str(status.nominatedNodeName) || '<none>',
      readinessGates(spec, status),
    ];
  },
};
