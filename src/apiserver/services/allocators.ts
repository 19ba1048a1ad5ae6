import { fieldErr, type FieldError } from '../../api/errors.js';
import type { Store } from '../../store/types.js';
import { realClock, type Clock } from '../../util/clock.js';
import { silentLogger, type Logger } from '../../util/logger.js';
import { AddressPool, type PoolCodec } from './address-pool.js';
import { NODE_PORTS_PREFIX, SERVICE_IPS_PREFIX } from './allocation-store.js';
import { formatIpv4, inRange, parseIpv4, type Ipv4Range } from './cidr.js';

export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;

const ipCodec: PoolCodec = { format: formatIpv4, parse: parseIpv4 };
const portCodec: PoolCodec = {
  format: String,
  parse: (segment) => (/^\d{1,5}$/.test(segment) ? Number(segment) : undefined),
};

/** Cluster IPs of the service range, allocated through the store (see AddressPool). */
export class ClusterIpAllocator {
  readonly pool: AddressPool;

  constructor(
    readonly range: Ipv4Range,
    store: Store,
    clock: Clock = realClock,
  ) {
    this.pool = new AddressPool({
      store,
      prefix: SERVICE_IPS_PREFIX,
      // Neither the network nor the broadcast address; the first scan starts past the `kubernetes` Service's.
      first: range.base + 1,
      last: range.base + range.size - 2,
      start: range.base + 2,
      codec: ipCodec,
      clock,
    });
  }

  /** Reserve a specific IP; returns an error detail or undefined. */
  async reserve(ip: string, service?: string): Promise<string | undefined> {
    if (!inRange(this.range, ip)) {
      return `failed to allocate IP ${ip}: provided IP is not in the valid range. The range of valid IPs is ${this.range.cidr}`;
    }
    if (await this.pool.claim(parseIpv4(ip)!, service)) return undefined;
    return `failed to allocate IP ${ip}: provided IP is already allocated`;
  }

  /** A free IP (upstream picks randomly; the order is irrelevant to clients), or undefined when none is left. */
  async allocate(service?: string): Promise<string | undefined> {
    const n = await this.pool.allocate(service);
    return n === undefined ? undefined : formatIpv4(n);
  }

  async release(ip: string): Promise<void> {
    const n = parseIpv4(ip);
    if (n !== undefined) await this.pool.release(n);
  }
}

/** Node ports (30000-32767), allocated through the store (see AddressPool). */
export class NodePortAllocator {
  readonly pool: AddressPool;

  constructor(store: Store, clock: Clock = realClock) {
    this.pool = new AddressPool({
      store,
      prefix: NODE_PORTS_PREFIX,
      first: NODE_PORT_MIN,
      last: NODE_PORT_MAX,
      codec: portCodec,
      clock,
    });
  }

  async reserve(port: number, service?: string): Promise<string | undefined> {
    if (!Number.isInteger(port) || port < NODE_PORT_MIN || port > NODE_PORT_MAX) {
      return `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`;
    }
    return (await this.pool.claim(port, service)) ? undefined : 'provided port is already allocated';
  }

  allocate(service?: string): Promise<number | undefined> {
    return this.pool.allocate(service);
  }

  release(port: number): Promise<void> {
    return this.pool.release(port);
  }
}

interface ServicePort {
  port?: number;
  nodePort?: number;
}

export interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: ServicePort[];
  externalTrafficPolicy?: string;
  healthCheckNodePort?: number;
}

/** Allocation of a Service's cluster IP and node ports; undo() releases what this call reserved. */
export interface ServiceAllocation {
  errors: FieldError[];
  /** Never rejects (failures are logged; the repair pass frees what stays behind). */
  undo: () => Promise<void>;
}

function wantsNodePorts(type: string | undefined): boolean {
  return type === 'NodePort' || type === 'LoadBalancer';
}

/**
 * Who hands out Service addresses. The API server's main process allocates through the store; serving
 * processes beside it ask that one, hence the answer may be a promise.
 */
export interface ServiceAddresses {
  /** service: `namespace/name`, recorded with the allocation. */
  allocate(
    spec: ServiceSpec,
    old?: ServiceSpec,
    service?: string,
  ): ServiceAllocation | Promise<ServiceAllocation>;
  /** Release what `old` held and `now` no longer does (update) or everything (delete: now undefined). Never rejects. */
  releaseDropped(old: ServiceSpec | undefined, now?: ServiceSpec): Promise<void>;
}

/** A Service's cluster IP when it has one to allocate (not headless, not empty). */
export function clusterIpOf(spec: ServiceSpec | undefined): string | undefined {
  const ip = spec?.clusterIP;
  return ip && ip !== 'None' ? ip : undefined;
}

export function nodePortsOf(spec: ServiceSpec | undefined): number[] {
  return (spec?.ports ?? []).map((p) => p.nodePort).filter((p): p is number => !!p);
}

/** A LoadBalancer that keeps traffic on nodes with endpoints gets a port for the balancer's health checks. */
export function needsHealthCheckPort(spec: ServiceSpec | undefined): boolean {
  return spec?.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
}

/** Every node-port-range number a Service holds: its ports' node ports and its health check port. */
export function heldNodePortsOf(spec: ServiceSpec | undefined): number[] {
  const hc = spec?.healthCheckNodePort;
  return hc ? [...nodePortsOf(spec), hc] : nodePortsOf(spec);
}

/**
 * Service cluster IPs and node ports, recorded in the store (one key each): any number of API servers sharing
 * the store never hand out the same one. The store's create decides; the in-memory sets only pick candidates.
 */
export class ServiceAllocator implements ServiceAddresses {
  constructor(
    readonly ips: ClusterIpAllocator,
    readonly nodePorts: NodePortAllocator,
    private readonly logger: Logger = silentLogger,
  ) {}

  /** Fill and reserve clusterIP and nodePorts of a new or updated Service (old = stored version on update). */
  async allocate(spec: ServiceSpec, old?: ServiceSpec, service?: string): Promise<ServiceAllocation> {
    const errors: FieldError[] = [];
    const reservedIps: string[] = [];
    const reservedPorts: number[] = [];
    const undo = (): Promise<void> => this.release(reservedIps, reservedPorts);
    try {
      if (spec.type !== 'ExternalName') await this.allocateIp(spec, old, service, errors, reservedIps);
      if (wantsNodePorts(spec.type)) await this.allocatePorts(spec, old, service, errors, reservedPorts);
      else for (const p of spec.ports ?? []) delete p.nodePort;
      if (needsHealthCheckPort(spec))
        await this.allocateHealthCheckPort(spec, old, service, errors, reservedPorts);
    } catch (err) {
      await undo();
      throw err;
    }
    if (errors.length > 0) await undo();
    return { errors, undo };
  }

  async releaseDropped(old: ServiceSpec | undefined, now?: ServiceSpec): Promise<void> {
    if (!old) return;
    const ip = clusterIpOf(old);
    const ips = ip && ip !== now?.clusterIP ? [ip] : [];
    const kept = new Set(heldNodePortsOf(now));
    await this.release(
      ips,
      heldNodePortsOf(old).filter((p) => !kept.has(p)),
    );
  }

  private async allocateIp(
    spec: ServiceSpec,
    old: ServiceSpec | undefined,
    service: string | undefined,
    errors: FieldError[],
    reserved: string[],
  ): Promise<void> {
    const oldIp = old?.clusterIP;
    if (oldIp) {
      spec.clusterIP = oldIp;
    } else if (spec.clusterIP === undefined || spec.clusterIP === '') {
      const ip = await this.ips.allocate(service);
      if (ip === undefined) errors.push(fieldErr.invalid('spec.clusterIPs', [], 'range is full'));
      else {
        reserved.push(ip);
        spec.clusterIP = ip;
      }
    } else if (spec.clusterIP !== 'None') {
      const why = await this.ips.reserve(spec.clusterIP, service);
      if (why) errors.push(fieldErr.invalid('spec.clusterIPs', [spec.clusterIP], why));
      else reserved.push(spec.clusterIP);
    }
    if (spec.clusterIP !== undefined && spec.clusterIP !== '') spec.clusterIPs = [spec.clusterIP];
  }

  private async allocatePorts(
    spec: ServiceSpec,
    old: ServiceSpec | undefined,
    service: string | undefined,
    errors: FieldError[],
    reserved: number[],
  ): Promise<void> {
    const oldPorts = new Set(nodePortsOf(old));
    for (const [i, p] of (spec.ports ?? []).entries()) {
      if (p.nodePort && oldPorts.has(p.nodePort)) continue;
      const port = await this.takePort(p.nodePort, `spec.ports[${i}].nodePort`, service, errors, reserved);
      if (port !== undefined) p.nodePort = port;
    }
  }

  /**
   * The health check port, as upstream's allocator: the one the Service had, else the one asked for (refused
   * when taken), else the next free one of the node port range.
   */
  private async allocateHealthCheckPort(
    spec: ServiceSpec,
    old: ServiceSpec | undefined,
    service: string | undefined,
    errors: FieldError[],
    reserved: number[],
  ): Promise<void> {
    const wanted = spec.healthCheckNodePort;
    if (wanted && wanted === old?.healthCheckNodePort) return;
    const port = await this.takePort(wanted, 'spec.healthCheckNodePort', service, errors, reserved);
    if (port !== undefined) spec.healthCheckNodePort = port;
  }

  /** Reserves the port asked for (an error for `field` when taken) or the next free one; undefined on error. */
  private async takePort(
    wanted: number | undefined,
    field: string,
    service: string | undefined,
    errors: FieldError[],
    reserved: number[],
  ): Promise<number | undefined> {
    if (wanted) {
      const why = await this.nodePorts.reserve(wanted, service);
      if (why) {
        errors.push(fieldErr.invalid(field, wanted, why));
        return undefined;
      }
      reserved.push(wanted);
      return wanted;
    }
    const port = await this.nodePorts.allocate(service);
    if (port === undefined) errors.push(fieldErr.invalid(field, 0, 'range is full'));
    else reserved.push(port);
    return port;
  }

  /** Frees addresses; failures are logged, not thrown (the repair pass frees leaked keys later). */
  private async release(ips: readonly string[], ports: readonly number[]): Promise<void> {
    const what = [...ips.map((ip) => `IP ${ip}`), ...ports.map((port) => `node port ${port}`)];
    const results = await Promise.allSettled([
      ...ips.map((ip) => this.ips.release(ip)),
      ...ports.map((port) => this.nodePorts.release(port)),
    ]);
    results.forEach((result, i) => {
      if (result.status === 'rejected') {
        this.logger.warn(`releasing service ${what[i]} failed; the repair pass frees it later`, {
          error: String(result.reason),
        });
      }
    });
  }
}
