/**
 * Health check node ports, as kube-proxy serves them: a LoadBalancer Service with `externalTrafficPolicy: Local`
 * has a `spec.healthCheckNodePort`, and every node answers HTTP on it with how many ready endpoints of the
 * Service it holds: 200 when at least one (and the proxy is healthy), 503 otherwise, so an external load balancer
 * sends traffic only to nodes that keep it. The body is upstream's JSON. Listeners open and close as Services come
 * and go; a port that cannot be opened is logged and tried again at the next sync.
 */
import { createServer, type Server } from 'node:http';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../util/logger.js';
import { closeHealth, listenHealth } from './health-listener.js';
import { portKey, servicePorts, type EndpointInfo, type ServicePortInfo } from './service-ports.js';

/** `namespace/name` → its health check port, for the Services this proxy serves. */
export function healthCheckPorts(services: readonly Service[]): Map<string, number> {
  const ports = new Map<string, number>();
  for (const svc of services) {
    const spec = svc.spec;
    const port = spec?.healthCheckNodePort;
    if (!port || spec.type !== 'LoadBalancer' || spec.externalTrafficPolicy !== 'Local') continue;
    // Only the Services whose traffic this proxy handles (not headless, not another proxy's, IPv4).
    if (servicePorts(svc).length === 0) continue;
    ports.set(`${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`, port);
  }
  return ports;
}

/**
 * `namespace/name` → this node's ready endpoints of each of `services`, counted by address (a pod serving two
 * ports is one endpoint), as upstream's LocalReadyEndpoints; from the ports and endpoints the rule set was built
 * from. Terminating endpoints do not count: the node should stop
 * getting new traffic while they drain.
 */
export function localReadyEndpoints(
  ports: readonly ServicePortInfo[],
  endpoints: ReadonlyMap<string, EndpointInfo[]>,
  services: ReadonlySet<string>,
): Map<string, number> {
  const addresses = new Map<string, Set<string>>();
  for (const p of ports) {
    const service = `${p.namespace}/${p.serviceName}`;
    if (!services.has(service)) continue;
    for (const ep of endpoints.get(portKey(p.namespace, p.serviceName, p.portName, p.protocol)) ?? []) {
      if (!ep.local || !ep.ready) continue;
      let set = addresses.get(service);
      if (!set) addresses.set(service, (set = new Set()));
      set.add(ep.ip);
    }
  }
  return new Map([...addresses].map(([service, set]) => [service, set.size]));
}

/** upstream's body, byte for byte (tab-indented JSON). */
export function healthCheckBody(service: string, localEndpoints: number, proxyHealthy: boolean): string {
  const slash = service.indexOf('/');
  return [
    '{',
    '\t"service": {',
    `\t\t"namespace": ${JSON.stringify(service.slice(0, slash))},`,
    `\t\t"name": ${JSON.stringify(service.slice(slash + 1))}`,
    '\t},',
    `\t"localEndpoints": ${localEndpoints},`,
    `\t"serviceProxyHealthy": ${proxyHealthy}`,
    '}',
  ].join('\n');
}

export interface ServiceHealthServerOptions {
  logger: Logger;
  /** Whether the proxy's rules are current (kube-proxy's own health). */
  proxyHealthy: () => boolean;
  /** Where to listen; default every address (kube-proxy without --nodeport-addresses). */
  address?: string;
}

interface Listener {
  port: number;
  server: Server;
}

export class ServiceHealthServer {
  private readonly listeners = new Map<string, Listener>();
  private endpoints = new Map<string, number>();

  constructor(private readonly opts: ServiceHealthServerOptions) {}

  /** Opens the ports of new Services, closes those of Services gone or moved. */
  async syncServices(wanted: ReadonlyMap<string, number>): Promise<void> {
    for (const [service, listener] of [...this.listeners]) {
      if (wanted.get(service) === listener.port) continue;
      this.listeners.delete(service);
      await closeHealth(listener.server);
      this.opts.logger.info('closed a health check port', { service, port: listener.port });
    }
    for (const [service, port] of wanted) {
      if (this.listeners.has(service)) continue;
      try {
        this.listeners.set(service, { port, server: await this.listen(service, port) });
        this.opts.logger.info('serving a health check port', { service, port });
      } catch (err) {
        this.opts.logger.warn(
          'cannot open the health check port of a Service; trying again at the next sync',
          {
            service,
            port,
            error: err instanceof Error ? err.message : String(err),
          },
        );
      }
    }
  }

  /** The local ready endpoints per Service; Services missing from the map have none. */
  syncEndpoints(counts: Map<string, number>): void {
    this.endpoints = counts;
  }

  async close(): Promise<void> {
    const servers = [...this.listeners.values()].map((l) => l.server);
    this.listeners.clear();
    await Promise.all(servers.map(closeHealth));
  }

  /** Ports listened on now, by Service. */
  get ports(): Map<string, number> {
    return new Map([...this.listeners].map(([service, l]) => [service, l.port]));
  }

  private listen(service: string, port: number): Promise<Server> {
    const server = createServer((_req, res) => {
      const count = this.endpoints.get(service) ?? 0;
      const healthy = this.opts.proxyHealthy();
      const body = healthCheckBody(service, count, healthy);
      res.writeHead(count > 0 && healthy ? 200 : 503, {
        'Content-Type': 'application/json',
        'X-Content-Type-Options': 'nosniff',
        'Content-Length': Buffer.byteLength(body),
      });
      res.end(body);
    });
    return listenHealth(server, { host: this.opts.address ?? '0.0.0.0', port }).then(() => server);
  }
}
