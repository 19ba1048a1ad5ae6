import type { FieldError } from '../../api/errors.js';
import type { IpcRpc } from '../../util/ipc-rpc.js';
import type { ServiceAddresses, ServiceAllocation, ServiceSpec } from './allocators.js';

interface Allocated {
  spec: ServiceSpec;
  errors: FieldError[];
}

/**
 * Service addresses for a serving process: the main process's allocator decides, so two processes never hand
 * out the same cluster IP or node port. What it filled in (clusterIP, clusterIPs, nodePorts, the health check
 * port) is copied back.
 */
export class RemoteServiceAddresses implements ServiceAddresses {
  constructor(private readonly rpc: IpcRpc) {}

  async allocate(spec: ServiceSpec, old?: ServiceSpec, service?: string): Promise<ServiceAllocation> {
    const answer = await this.rpc.call<Allocated>('services.allocate', spec, old, service);
    for (const key of ['clusterIP', 'clusterIPs', 'ports', 'healthCheckNodePort'] as const) {
      if (answer.spec[key] === undefined) delete spec[key];
      else (spec as Record<string, unknown>)[key] = answer.spec[key];
    }
    // What this call reserved is what the filled-in spec holds beyond the old one.
    return { errors: answer.errors, undo: () => this.release(answer.spec, old) };
  }

  releaseDropped(old: ServiceSpec | undefined, now?: ServiceSpec): Promise<void> {
    return this.release(old, now);
  }

  /** Answered once the main process has freed them, so a create right after a delete finds them free. */
  private async release(old: ServiceSpec | undefined, now: ServiceSpec | undefined): Promise<void> {
    // The main process logs its own failures; a gone main process frees nothing (its repair pass will).
    await this.rpc.call('services.release', old, now).catch(() => {});
  }
}

/** The main process's side of RemoteServiceAddresses. */
export function serveServiceAddresses(allocator: ServiceAddresses, rpc: IpcRpc): void {
  // JSON turns an undefined argument into null.
  rpc.handle(
    'services.allocate',
    async (spec: ServiceSpec, old: ServiceSpec | null, service: string | null): Promise<Allocated> => {
      const result = await allocator.allocate(spec, old ?? undefined, service ?? undefined);
      return { spec, errors: result.errors };
    },
  );
  rpc.handle('services.release', (old: ServiceSpec | null, now: ServiceSpec | null) =>
    allocator.releaseDropped(old ?? undefined, now ?? undefined),
  );
}
