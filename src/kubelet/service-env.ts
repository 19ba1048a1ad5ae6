/**
 * Service link variables (upstream pkg/kubelet/envvars): for the `kubernetes` service in `default` always,
 * and for every service of the pod's namespace when enableServiceLinks (default true): `<NAME>_SERVICE_HOST`,
 * `<NAME>_SERVICE_PORT[_<PORTNAME>]` and the Docker-link `<NAME>_PORT…` family.
 */
import type { Pod, Service } from 'kubernetes-types/core/v1.js';

const envName = (s: string): string => s.replace(/-/g, '_').toUpperCase();

function hasClusterIP(s: Service): boolean {
  const ip = s.spec?.clusterIP;
  return Boolean(ip) && ip !== 'None';
}

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export function serviceVariables(services: Service[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of services) {
    const ports = s.spec?.ports ?? [];
    if (!hasClusterIP(s) || ports.length === 0) continue;
    const ip = s.spec!.clusterIP!;
    const prefix = envName(s.metadata?.name ?? '');
    out.set(`${prefix}_SERVICE_HOST`, ip);
    out.set(`${prefix}_SERVICE_PORT`, String(ports[0]!.port));
    for (const p of ports) if (p.name) out.set(`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port));
    ports.forEach((p, i) => {
      const proto = (p.protocol ?? 'TCP').toLowerCase();
      const url = `${proto}://${hostPort(ip, p.port)}`;
      if (i === 0) out.set(`${prefix}_PORT`, url);
      const pp = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
      out.set(pp, url);
      out.set(`${pp}_PROTO`, proto);
      out.set(`${pp}_PORT`, String(p.port));
      out.set(`${pp}_ADDR`, ip);
    });
  }
  return out;
}

/** The services whose variables a pod gets. */
export function servicesForPod(pod: Pod, all: Service[]): Service[] {
  const ns = pod.metadata?.namespace ?? '';
  const links = pod.spec?.enableServiceLinks ?? true;
  const byName = new Map<string, Service>();
  for (const s of all) {
    if (!hasClusterIP(s)) continue;
    const name = s.metadata?.name ?? '';
    if (s.metadata?.namespace === 'default' && name === 'kubernetes') {
      if (!byName.has(name)) byName.set(name, s);
    } else if (s.metadata?.namespace === ns && links) byName.set(name, s);
  }
  return [...byName.values()];
}
