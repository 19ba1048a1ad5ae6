import { fieldErr, type FieldError } from '../../api/errors.js';
import { formatIpv4, inRange, parseIpv4, type Ipv4Range } from './cidr.js';

export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;

/** In-memory record of cluster IPs in use, rebuilt from the stored Services at start. */
export class ClusterIpAllocator {
  private readonly used = new Set<number>();
  private next: number;

  constructor(readonly range: Ipv4Range) {
    this.next = range.base + 2;
  }

  /** Reserve a specific IP; returns an error detail or undefined. */
  reserve(ip: string): string | undefined {
    if (!inRange(this.range, ip)) {
      return `failed to allocate IP ${ip}: provided IP is not in the valid range. The range of valid IPs is ${this.range.cidr}`;
    }
    const n = parseIpv4(ip)!;
    if (this.used.has(n)) return `failed to allocate IP ${ip}: provided IP is already allocated`;
    this.used.add(n);
    return undefined;
  }

  /** Next free IP, scanning from the last allocation (upstream picks randomly; order is irrelevant to clients). */
  allocate(): string | undefined {
    const first = this.range.base + 1;
    const last = this.range.base + this.range.size - 2;
    const span = last - first + 1;
    for (let i = 0; i < span; i++) {
      const candidate = first + ((this.next - first + i) % span);
      if (!this.used.has(candidate)) {
        this.used.add(candidate);
        this.next = candidate + 1;
        return formatIpv4(candidate);
      }
    }
    return undefined;
  }

  release(ip: string): void {
    const n = parseIpv4(ip);
    if (n !== undefined) this.used.delete(n);
  }
}

export class NodePortAllocator {
  private readonly used = new Set<number>();
  private next = NODE_PORT_MIN;

  reserve(port: number): string | undefined {
    if (port < NODE_PORT_MIN || port > NODE_PORT_MAX) {
      return `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`;
    }
    if (this.used.has(port)) return 'provided port is already allocated';
    this.used.add(port);
    return undefined;
  }

  allocate(): number | undefined {
    const span = NODE_PORT_MAX - NODE_PORT_MIN + 1;
    for (let i = 0; i < span; i++) {
      const candidate = NODE_PORT_MIN + ((this.next - NODE_PORT_MIN + i) % span);
      if (!this.used.has(candidate)) {
        this.used.add(candidate);
        this.next = candidate + 1;
        return candidate;
      }
    }
    return undefined;
  }

  release(port: number): void {
    this.used.delete(port);
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
}

/** Allocation of a Service's cluster IP and node ports; undo() releases what this call reserved. */
export interface ServiceAllocation {
  errors: FieldError[];
  undo: () => void;
}

function wantsNodePorts(type: string | undefined): boolean {
  return type === 'NodePort' || type === 'LoadBalancer';
}

/**
 * Who hands out Service addresses. One process holds the allocation state (the API server's main process);
 * serving processes beside it ask that one, hence the answer may be a promise.
 */
export interface ServiceAddresses {
  adopt(spec: ServiceSpec | undefined): void;
  allocate(spec: ServiceSpec, old?: ServiceSpec): ServiceAllocation | Promise<ServiceAllocation>;
  releaseDropped(old: ServiceSpec | undefined, now?: ServiceSpec): void;
}

export class ServiceAllocator implements ServiceAddresses {
  constructor(
    readonly ips: ClusterIpAllocator,
    readonly nodePorts: NodePortAllocator,
  ) {}

  /** Record an existing Service's addresses (startup rebuild). */
  adopt(spec: ServiceSpec | undefined): void {
    if (!spec) return;
    if (spec.clusterIP && spec.clusterIP !== 'None') this.ips.reserve(spec.clusterIP);
    for (const p of spec.ports ?? []) if (p.nodePort) this.nodePorts.reserve(p.nodePort);
  }

  /** Fill and reserve clusterIP and nodePorts of a new or updated Service (old = stored version on update). */
  allocate(spec: ServiceSpec, old?: ServiceSpec): ServiceAllocation {
    const errors: FieldError[] = [];
    const reservedIps: string[] = [];
    const reservedPorts: number[] = [];
    const undo = (): void => {
      for (const ip of reservedIps) this.ips.release(ip);
      for (const p of reservedPorts) this.nodePorts.release(p);
    };
    if (spec.type !== 'ExternalName') {
      const oldIp = old?.clusterIP;
      if (oldIp) {
        spec.clusterIP = oldIp;
      } else if (spec.clusterIP === undefined || spec.clusterIP === '') {
        const ip = this.ips.allocate();
        if (ip === undefined) errors.push(fieldErr.invalid('spec.clusterIPs', [], 'range is full'));
        else {
          reservedIps.push(ip);
          spec.clusterIP = ip;
        }
      } else if (spec.clusterIP !== 'None') {
        const why = this.ips.reserve(spec.clusterIP);
        if (why) errors.push(fieldErr.invalid('spec.clusterIPs', [spec.clusterIP], why));
        else reservedIps.push(spec.clusterIP);
      }
      if (spec.clusterIP !== undefined && spec.clusterIP !== '') spec.clusterIPs = [spec.clusterIP];
    }
    const oldPorts = new Set((old?.ports ?? []).map((p) => p.nodePort).filter((p): p is number => !!p));
    if (wantsNodePorts(spec.type)) {
      (spec.ports ?? []).forEach((p, i) => {
        if (p.nodePort && oldPorts.has(p.nodePort)) return;
        if (p.nodePort) {
          const why = this.nodePorts.reserve(p.nodePort);
          if (why) errors.push(fieldErr.invalid(`spec.ports[${i}].nodePort`, p.nodePort, why));
          else reservedPorts.push(p.nodePort);
        } else {
          const port = this.nodePorts.allocate();
          if (port === undefined)
            errors.push(fieldErr.invalid(`spec.ports[${i}].nodePort`, 0, 'range is full'));
          else {
            reservedPorts.push(port);
            p.nodePort = port;
          }
        }
      });
    } else {
      for (const p of spec.ports ?? []) delete p.nodePort;
    }
    if (errors.length > 0) undo();
    return { errors, undo };
  }

  /** Release what `old` held and `now` no longer does (update) or everything (delete: now undefined). */
  releaseDropped(old: ServiceSpec | undefined, now?: ServiceSpec): void {
    if (!old) return;
    if (old.clusterIP && old.clusterIP !== 'None' && old.clusterIP !== now?.clusterIP)
      this.ips.release(old.clusterIP);
    const kept = new Set((now?.ports ?? []).map((p) => p.nodePort));
    for (const p of old.ports ?? [])
      if (p.nodePort && !kept.has(p.nodePort)) this.nodePorts.release(p.nodePort);
  }
}
