/**
 * Writes pod status through the status subresource, only when it changed, one write in flight per pod and
 * the newest status winning (upstream status_manager.go). Also confirms a graceful deletion (DELETE with
 * grace 0 and the pod's uid as precondition) once the kubelet says the pod's containers are gone.
 */
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { hasReason } from '../api/errors.js';
import { podStatusGist } from '../api/pods.js';
import { R, type ApiClient } from '../client/index.js';
import type { Logger } from '../util/logger.js';

interface Entry {
  uid: string;
  namespace: string;
  name: string;
  status: PodStatus;
  /** The status last written (or read from the API), as JSON. */
  written?: string;
  writing?: Promise<void>;
  dirty: boolean;
  /** Writes failed in a row, and the timer of the next attempt. */
  failures: number;
  retry?: NodeJS.Timeout;
}

/** A failed write is tried again after 1 s, doubling up to upstream's status sync period. */
const RETRY_MS = 1000;
const MAX_RETRY_MS = 10_000;

/** Status JSON without fields that do not count as a change. */
function comparable(s: PodStatus | undefined): string {
  return JSON.stringify(s ?? {});
}

export class StatusManager {
  private readonly entries = new Map<string, Entry>();
  private stopped = false;

  constructor(
    private readonly client: ApiClient,
    private readonly logger: Logger,
    private readonly retryMs = RETRY_MS,
  ) {}

  /** The status the kubelet last decided for the pod (newer than the informer's copy). */
  get(uid: string): PodStatus | undefined {
    return this.entries.get(uid)?.status;
  }

  /** Records the pod's status and writes it unless the API already has it. */
  set(pod: Pod, status: PodStatus): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    let e = this.entries.get(uid);
    if (!e) {
      e = {
        uid,
        namespace: pod.metadata?.namespace ?? '',
        name: pod.metadata?.name ?? '',
        status,
        written: comparable(pod.status),
        dirty: false,
        failures: 0,
      };
      this.entries.set(uid, e);
    }
    e.status = status;
    if (comparable(status) === e.written) return e.writing ?? Promise.resolve();
    e.dirty = true;
    if (!e.writing) e.writing = this.flush(e);
    return e.writing;
  }

  /**
   * The API's copy of the pod changed without us (upstream needsReconcile): when it disagrees with the status
   * we decided (the node lifecycle controller marked the pod not ready while we could not report), ours is
   * written again.
   */
  reconcile(pod: Pod): void {
    const e = this.entries.get(pod.metadata?.uid ?? '');
    if (!e || e.writing || podStatusGist(pod.status) === podStatusGist(e.status)) return;
    e.written = comparable(pod.status);
    e.dirty = true;
    e.writing = this.flush(e);
  }

  private async flush(e: Entry): Promise<void> {
    try {
      while (e.dirty) {
        e.dirty = false;
        const status = e.status;
        const text = comparable(status);
        if (text === e.written) continue;
        try {
          await this.client
            .resource<Pod>(R.pods)
            .patch(e.namespace, e.name, 'merge', { status: nullMissing(status) }, { subresource: 'status' });
          e.written = text;
          e.failures = 0;
        } catch (err) {
          if (hasReason(err, 'NotFound')) return;
          this.logger.warn('pod status update failed', {
            pod: `${e.namespace}/${e.name}`,
            error: err instanceof Error ? err.message : String(err),
          });
          // Not left to the next sync: a pod that ended (Failed by its deadline, say) is not synced again.
          this.retryLater(e);
          return;
        }
      }
    } finally {
      e.writing = undefined;
    }
  }

  private retryLater(e: Entry): void {
    clearTimeout(e.retry);
    const delay = Math.min(this.retryMs * 2 ** e.failures, MAX_RETRY_MS);
    e.failures++;
    e.retry = setTimeout(() => {
      e.retry = undefined;
      if (this.stopped || this.entries.get(e.uid) !== e || e.writing) return;
      e.dirty = true;
      e.writing = this.flush(e);
    }, delay);
    e.retry.unref();
  }

  /** Waits for any write of the pod in flight. */
  async settle(uid: string): Promise<void> {
    await this.entries.get(uid)?.writing;
  }

  /** DELETE with grace 0: the kubelet's confirmation that a gracefully deleted pod is gone. */
  async confirmDeletion(pod: Pod): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    await this.settle(uid);
    try {
      await this.client
        .resource<Pod>(R.pods)
        .delete(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', {
          gracePeriodSeconds: 0,
          preconditions: { uid },
        });
    } catch (err) {
      if (!hasReason(err, 'NotFound') && !hasReason(err, 'Conflict')) throw err;
    }
    this.forget(uid);
  }

  forget(uid: string): void {
    clearTimeout(this.entries.get(uid)?.retry);
    this.entries.delete(uid);
  }

  /** Stops retrying failed writes (the kubelet is stopping). */
  stop(): void {
    this.stopped = true;
    for (const e of this.entries.values()) clearTimeout(e.retry);
  }
}

/**
 * A merge patch leaves fields it does not mention: fields a kubelet-generated status no longer has (a pod IP
 * after the sandbox went, a reason) are cleared explicitly.
 */
function nullMissing(status: PodStatus): Record<string, unknown> {
  const out: Record<string, unknown> = { ...status };
  for (const k of ['podIP', 'podIPs', 'reason', 'message', 'initContainerStatuses']) {
    if (!(k in out)) out[k] = null;
  }
  return out;
}
