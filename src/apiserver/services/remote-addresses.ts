import type { FieldError } from '../../api/errors.js';
import type { IpcRpc } from '../../util/ipc-rpc.js';
import type { ServiceAddresses, ServiceAllocation, ServiceSpec } from './allocators.js';

interface Allocated {
  spec: ServiceSpec;
  errors: FieldError[];
}

/**
 * Service addresses for a serving process: the main process's allocator decides, so two processes never hand
 * out the same cluster IP or node port. What it filled in (clusterIP, clusterIPs, nodePorts) is copied back.
 */
export class RemoteServiceAddresses implements ServiceAddresses {
  constructor(private readonly rpc: IpcRpc) {}

  /** The main process rebuilt its state from the store itself. */
  adopt(): void {}

  async allocate(spec: ServiceSpec, old?: ServiceSpec): Promise<ServiceAllocation> {
    const answer = await this.rpc.call<Allocated>('services.allocate', spec, old);
    for (const key of ['clusterIP', 'clusterIPs', 'ports'] as const) {
      if (answer.spec[key] === undefined) delete spec[key];
      else (spec as Record<string, unknown>)[key] = answer.spec[key];
    }
    // What this call reserved is what the filled-in spec holds beyond the old one.
    return { errors: answer.errors, undo: () => this.rpc.notify('services.release', answer.spec, old) };
  }

  releaseDropped(old: ServiceSpec | undefined, now?: ServiceSpec): void {
    this.rpc.notify('services.release', old, now);
  }
}

/** The main process's side of RemoteServiceAddresses. */
export function serveServiceAddresses(allocator: ServiceAddresses, rpc: IpcRpc): void {
  // JSON turns an undefined argument into null.
  rpc.handle('services.allocate', async (spec: ServiceSpec, old: ServiceSpec | null): Promise<Allocated> => {
    const result = await allocator.allocate(spec, old ?? undefined);
    return { spec, errors: result.errors };
  });
  rpc.handle('services.release', (old: ServiceSpec | null, now: ServiceSpec | null) =>
    allocator.releaseDropped(old ?? undefined, now ?? undefined),
  );
}
