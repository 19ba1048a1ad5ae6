import { rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Node, PersistentVolume } from 'kubernetes-types/core/v1.js';
import { hasReason } from '../../api/errors.js';
import { nodeMatchesSelector } from '../../api/node-affinity.js';
import { ANN_LOCAL_PATH_DIR, LOCAL_PATH_PROVISIONER } from '../../api/storage-classes.js';
import { Informer, R, type ApiClient } from '../../client/index.js';
import { silentLogger, type Logger } from '../../util/logger.js';

const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
const RETRY_MS = 10_000;

export interface LocalPathCleanerOptions {
  client: ApiClient;
  nodeName: string;
  /** The node's `kubernetes.io/hostname` label, which provisioned volumes' node affinity names. */
  hostname: string;
  /** This node's local-path directory (`<agent data dir>/storage`). */
  dir: string;
  logger?: Logger;
  retryMs?: number;
}

/**
 * The node half of the local-path provisioner. Publishes this node's local-path directory on its Node (the
 * provisioner puts new volumes there) and, for every local-path volume of this node that is Released with
 * reclaim policy Delete, removes the directory and then deletes the PV: the data lives here, so only this
 * node can free it. A volume whose node never comes back stays Released until an admin deletes it.
 */
export class LocalPathCleaner {
  private readonly informer: Informer<PersistentVolume>;
  private readonly logger: Logger;
  private readonly dir: string;
  private readonly inFlight = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly o: LocalPathCleanerOptions) {
    this.logger = o.logger ?? silentLogger;
    this.dir = resolve(o.dir);
    this.informer = new Informer<PersistentVolume>(o.client.resource<PersistentVolume>(R.persistentVolumes), {
      logger: this.logger,
    });
    this.informer.addEventHandler({ add: (pv) => this.consider(pv), update: (_, pv) => this.consider(pv) });
  }

  /** Call after the Node is registered. Never fails: publishing the directory is retried until it succeeds. */
  start(): void {
    this.informer.start();
    void this.publishDirUntilDone();
  }

  private async publishDirUntilDone(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.publishDir();
        return;
      } catch (err) {
        this.logger.warn('local-path directory not published on the node yet', { error: String(err) });
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            this.timers.delete(t);
            resolve();
          }, this.o.retryMs ?? RETRY_MS);
          t.unref();
          this.timers.add(t);
        });
      }
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.informer.stop();
  }

  private async publishDir(): Promise<void> {
    const nodes = this.o.client.resource<Node>(R.nodes);
    const node = await nodes.get('', this.o.nodeName);
    if (node.metadata?.annotations?.[ANN_LOCAL_PATH_DIR] === this.dir) return;
    await nodes.patch('', this.o.nodeName, 'merge', {
      metadata: { annotations: { [ANN_LOCAL_PATH_DIR]: this.dir } },
    });
  }

  /** A provisioned, Released, Delete-policy volume of this node whose directory lies directly in ours. */
  isMine(pv: PersistentVolume): boolean {
    if (pv.metadata?.annotations?.[ANN_PROVISIONED_BY] !== LOCAL_PATH_PROVISIONER) return false;
    // Already deleted (waiting for its pv-protection finalizer to go): nothing left to do here.
    if (pv.metadata.deletionTimestamp) return false;
    if (pv.status?.phase !== 'Released' || pv.spec?.persistentVolumeReclaimPolicy !== 'Delete') return false;
    const path = pv.spec?.local?.path ?? pv.spec?.hostPath?.path;
    if (!path || dirname(resolve(path)) !== this.dir) return false;
    const required = pv.spec?.nodeAffinity?.required;
    const self: Node = {
      metadata: { name: this.o.nodeName, labels: { 'kubernetes.io/hostname': this.o.hostname } },
    };
    return !!required && nodeMatchesSelector(self, required);
  }

  private consider(pv: PersistentVolume): void {
    const name = pv.metadata?.name ?? '';
    if (this.stopped || this.inFlight.has(name) || !this.isMine(pv)) return;
    this.inFlight.add(name);
    void this.clean(pv)
      .catch((err: unknown) => {
        this.logger.warn('local-path volume not cleaned up; retrying', { pv: name, error: String(err) });
        const t = setTimeout(() => {
          this.timers.delete(t);
          const cur = this.informer.get('', name);
          if (cur) this.consider(cur);
        }, this.o.retryMs ?? RETRY_MS);
        t.unref();
        this.timers.add(t);
      })
      .finally(() => this.inFlight.delete(name));
  }

  private async clean(pv: PersistentVolume): Promise<void> {
    const path = resolve(pv.spec?.local?.path ?? pv.spec?.hostPath?.path ?? '');
    await rm(path, { recursive: true, force: true });
    this.logger.info('local-path volume removed', { pv: pv.metadata?.name, path });
    try {
      await this.o.client
        .resource<PersistentVolume>(R.persistentVolumes)
        .delete('', pv.metadata?.name ?? '', { preconditions: { uid: pv.metadata?.uid ?? '' } });
    } catch (err) {
      if (!hasReason(err, 'NotFound') && !hasReason(err, 'Conflict')) throw err;
    }
  }
}
