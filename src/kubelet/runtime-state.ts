/** What the runtime says about one pod: its sandboxes and containers, read back via the kubelet's labels. */
import type { RuntimeService } from './cri/services.js';
import type { ContainerState, PodSandboxStatus } from './cri/types.js';
import {
  TERMINATION_MESSAGE_FILE_ANNOTATION,
  TERMINATION_MESSAGE_POLICY_ANNOTATION,
  readTerminationMessage,
} from './termination-message.js';
import {
  CONTAINER_HASH_ANNOTATION,
  CONTAINER_NAME_LABEL,
  POD_UID_LABEL,
  RESTART_COUNT_ANNOTATION,
} from './labels.js';

export interface ObservedContainer {
  id: string;
  name: string;
  state: ContainerState;
  restartCount: number;
  hash: string;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  reason?: string;
  message?: string;
  image: string;
  imageRef: string;
  /** Host file behind the container's terminationMessagePath. */
  terminationMessageFile?: string;
}

export interface ObservedPod {
  uid: string;
  /** Newest first. */
  sandboxes: PodSandboxStatus[];
  /** Newest first. */
  containers: ObservedContainer[];
}

export function emptyObservedPod(uid: string): ObservedPod {
  return { uid, sandboxes: [], containers: [] };
}

/** The newest container of that name (upstream's FindContainerStatusByName). */
export function findContainer(observed: ObservedPod, name: string): ObservedContainer | undefined {
  return observed.containers.find((c) => c.name === name);
}

export function sortNewestFirst<T extends { createdAt: number }>(list: T[]): T[] {
  return list.sort((a, b) => b.createdAt - a.createdAt);
}

/**
 * Statuses by id, reused while the listed state is unchanged (a status only changes with its state), so a
 * relist costs one list call per kind plus a status call per change.
 */
export class StatusCache {
  readonly sandboxes = new Map<string, PodSandboxStatus>();
  readonly containers = new Map<string, ObservedContainer>();

  /** Drops entries whose ids were not listed. */
  retain(sandboxIds: Set<string>, containerIds: Set<string>): void {
    for (const id of this.sandboxes.keys()) if (!sandboxIds.has(id)) this.sandboxes.delete(id);
    for (const id of this.containers.keys()) if (!containerIds.has(id)) this.containers.delete(id);
  }
}

/** Reads one pod's sandboxes and containers. */
export async function observePod(runtime: RuntimeService, uid: string): Promise<ObservedPod> {
  return (await observeAll(runtime, uid)).get(uid) ?? emptyObservedPod(uid);
}

/** Reads every pod's state in one pass over the runtime (the PLEG relist), keyed by pod uid. */
export async function observeAll(
  runtime: RuntimeService,
  onlyUid?: string,
  cache?: StatusCache,
): Promise<Map<string, ObservedPod>> {
  const selector = onlyUid ? { labelSelector: { [POD_UID_LABEL]: onlyUid } } : undefined;
  const pods = new Map<string, ObservedPod>();
  const of = (uid: string): ObservedPod => {
    let p = pods.get(uid);
    if (!p) pods.set(uid, (p = emptyObservedPod(uid)));
    return p;
  };
  const sandboxIds = new Set<string>();
  const containerIds = new Set<string>();
  for (const sb of await runtime.listPodSandbox(selector)) {
    const uid = sb.labels[POD_UID_LABEL];
    if (!uid) continue;
    sandboxIds.add(sb.id);
    const cached = cache?.sandboxes.get(sb.id);
    if (cached && cached.state === sb.state) {
      of(uid).sandboxes.push(cached);
      continue;
    }
    try {
      const st = await runtime.podSandboxStatus(sb.id);
      cache?.sandboxes.set(sb.id, st);
      of(uid).sandboxes.push(st);
    } catch {
      // Removed between list and status.
    }
  }
  for (const c of await runtime.listContainers(selector)) {
    const uid = c.labels[POD_UID_LABEL];
    const name = c.labels[CONTAINER_NAME_LABEL];
    if (!uid || !name) continue;
    containerIds.add(c.id);
    const cached = cache?.containers.get(c.id);
    if (cached && cached.state === c.state) {
      of(uid).containers.push(cached);
      continue;
    }
    try {
      const s = await runtime.containerStatus(c.id);
      if (s.state === 'exited') {
        const extra = await readTerminationMessage({
          file: s.annotations[TERMINATION_MESSAGE_FILE_ANNOTATION],
          policy: s.annotations[TERMINATION_MESSAGE_POLICY_ANNOTATION],
          exitCode: s.exitCode ?? 0,
          logPath: s.logPath,
        });
        if (extra) s.message = s.message ? `${s.message}: ${extra}` : extra;
      }
      const observed: ObservedContainer = {
        id: s.id,
        name,
        state: s.state,
        restartCount: Number(s.annotations[RESTART_COUNT_ANNOTATION] ?? 0) || 0,
        hash: s.annotations[CONTAINER_HASH_ANNOTATION] ?? '',
        createdAt: s.createdAt,
        ...(s.startedAt !== undefined ? { startedAt: s.startedAt } : {}),
        ...(s.finishedAt !== undefined ? { finishedAt: s.finishedAt } : {}),
        ...(s.exitCode !== undefined ? { exitCode: s.exitCode } : {}),
        ...(s.reason !== undefined ? { reason: s.reason } : {}),
        ...(s.message !== undefined ? { message: s.message } : {}),
        image: s.image.userSpecifiedImage ?? s.image.image,
        imageRef: s.imageRef,
      };
      const tm = s.annotations[TERMINATION_MESSAGE_FILE_ANNOTATION];
      if (tm) observed.terminationMessageFile = tm;
      cache?.containers.set(c.id, observed);
      of(uid).containers.push(observed);
    } catch {
      // Removed between list and status.
    }
  }
  if (cache && !onlyUid) cache.retain(sandboxIds, containerIds);
  for (const p of pods.values()) {
    sortNewestFirst(p.sandboxes);
    sortNewestFirst(p.containers);
  }
  return pods;
}

/** A digest of what PLEG compares between relists: ids and states. */
export function observedDigest(p: ObservedPod): string {
  return [
    ...p.sandboxes.map((s) => `${s.id}:${s.state}`),
    ...p.containers.map((c) => `${c.id}:${c.state}`),
  ].join(',');
}
