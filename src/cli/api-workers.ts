import type { ChildProcess } from 'node:child_process';
import type { Server } from 'node:net';
import type { MetricsProvider } from '../apiserver/metrics/provider.js';
import type { ServiceAddresses } from '../apiserver/services/allocators.js';
import { serveServiceAddresses } from '../apiserver/services/remote-addresses.js';
import type { Stoppable } from '../client/index.js';
import { serveStore } from '../store/remote/serve-store.js';
import type { Store } from '../store/types.js';
import { IpcRpc } from '../util/ipc-rpc.js';
import type { Logger } from '../util/logger.js';
import { forkModule } from '../util/module-process.js';
import type { ApiWorkerControl, ApiWorkerData, ApiWorkerReport } from './api-worker.js';
import type { AuditBackends } from '../apiserver/audit/backends.js';

export interface ApiWorkersOptions {
  /** The main API server's listening socket; each worker accepts on a copy of it. */
  listener: Server;
  store: Store;
  services: ServiceAddresses;
  metrics: MetricsProvider;
  data: ApiWorkerData;
  /** Where the workers' audit events go: this process's backends. */
  audit?: Pick<AuditBackends, 'writeJson'>;
  logger: Logger;
  /** A worker died on its own: the server stops (as when its control-plane thread dies). */
  onFailure: (err: Error) => void;
}

const STOP_TIMEOUT_MS = 10_000;

interface RunningWorker {
  child: ChildProcess;
  rpc: IpcRpc;
  exited: Promise<void>;
}

/**
 * API worker processes: API servers over this process's store that accept connections on the same socket.
 * Node runs one JavaScript thread per process, so one API server uses one core however many the machine has.
 */
export class ApiWorkers implements Stoppable {
  private readonly running: RunningWorker[] = [];
  private stopping = false;

  constructor(private readonly opts: ApiWorkersOptions) {}

  /** Starts `count` workers now. */
  async start(count: number): Promise<void> {
    for (let i = 0; i < count; i++) await this.startOne();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.running.map(async (w) => {
        w.child.send({ type: 'stop' } satisfies ApiWorkerControl);
        const timer = setTimeout(() => w.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await w.exited;
        clearTimeout(timer);
      }),
    );
    this.running.length = 0;
  }

  private async startOne(): Promise<void> {
    if (this.stopping) return;
    const { logger, onFailure } = this.opts;
    const child = forkModule('./api-worker.js', import.meta.url);
    const rpc = new IpcRpc(child);
    const endWatches = serveStore(this.opts.store, rpc);
    serveServiceAddresses(this.opts.services, rpc);
    rpc.handle('metrics.nodes', (names: string[]) => this.opts.metrics.getNodeMetrics(names));
    const audit = this.opts.audit;
    if (audit) rpc.handle('audit.event', (json: string) => audit.writeJson(json));
    rpc.handle('metrics.pods', (pods: { namespace: string; name: string }[]) =>
      this.opts.metrics.getPodMetrics(pods),
    );
    let started = false;
    const exited = new Promise<void>((resolve) =>
      child.once('exit', (code, signal) => {
        endWatches();
        rpc.close();
        const i = this.running.findIndex((w) => w.child === child);
        if (i >= 0) this.running.splice(i, 1);
        if (started && !this.stopping) {
          onFailure(new Error(`API worker process ${child.pid} exited (${signal ?? `code ${code}`})`));
        }
        resolve();
      }),
    );
    const serving = new Promise<void>((resolve, reject) => {
      const onReport = (m: ApiWorkerReport): void => {
        if (m.type === 'started') {
          started = true;
          child.off('message', onReport);
          resolve();
        } else if (m.type === 'failed') reject(new Error(m.error));
      };
      child.on('message', onReport);
      child.once('exit', (code) =>
        reject(new Error(`API worker process exited with code ${code} before serving`)),
      );
      child.send({ type: 'start', data: this.opts.data } satisfies ApiWorkerControl, this.opts.listener);
    });
    try {
      await serving;
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    this.running.push({ child, rpc, exited });
    logger.info('API worker process serving', { pid: child.pid });
  }
}
