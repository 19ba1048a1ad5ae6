/**
 * Where a webhook's `clientConfig.service` is served: a ready endpoint of the service's port, read from its
 * Endpoints (as kube-apiserver with `--enable-aggregator-routing`), so calls need no kube-proxy rules on the
 * API server's host; an ExternalName service at its external name.
 */
import type { Registry } from '../registry/index.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import type { ServiceResolver } from './call.js';

interface ServicePort {
  name?: string;
  port?: number;
  targetPort?: number | string;
}

interface EndpointSubset {
  addresses?: { ip?: string }[];
  ports?: { name?: string; port?: number }[];
}

export function endpointServiceResolver(storage: ObjectStorage, registry: Registry): ServiceResolver {
  return async (ref) => {
    const port = ref.port ?? 443;
    const svc = await storage.get(registry.mustGet('', 'services'), ref.namespace, ref.name);
    if (!svc) throw new Error(`service "${ref.name}" not found`);
    const spec = (svc.spec ?? {}) as { type?: string; externalName?: string; ports?: ServicePort[] };
    // As upstream's resolver: an ExternalName service is called at that name, on the reference's port.
    if (spec.type === 'ExternalName' && spec.externalName) return { host: spec.externalName, port };
    const ports = spec.ports ?? [];
    const svcPort = ports.find((p) => p.port === port);
    if (!svcPort) throw new Error(`no service port ${port} found for service "${ref.name}"`);
    const endpoints = await storage.get(registry.mustGet('', 'endpoints'), ref.namespace, ref.name);
    const subsets = ((endpoints?.subsets as EndpointSubset[] | undefined) ?? []).filter(
      (s) => (s.addresses ?? []).length > 0,
    );
    for (const subset of subsets) {
      const epPort = (subset.ports ?? []).find((p) => (p.name ?? '') === (svcPort.name ?? ''));
      if (!epPort?.port) continue;
      const addresses = (subset.addresses ?? []).filter((a) => a.ip);
      const pick = addresses[Math.floor(Math.random() * addresses.length)];
      if (pick?.ip) return { host: pick.ip, port: epPort.port };
    }
    throw new Error(`service "${ref.name}" does not have ready endpoints`);
  };
}
