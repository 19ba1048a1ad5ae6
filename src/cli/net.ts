import { hostname, networkInterfaces } from 'node:os';

export { bigIntToIp, firstHostAddress, formatCidr, ipToBigInt, parseCidr, type Cidr } from '../util/cidr.js';

export function hostAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80:')) continue;
      out.push(a.address);
    }
  }
  return [...new Set(out)];
}

/** The first non-loopback IPv4 address, else the first non-loopback address, else 127.0.0.1. */
export function primaryAddress(): string {
  const external = Object.values(networkInterfaces())
    .flatMap((l) => l ?? [])
    .filter((a) => !a.internal && !(a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80:')));
  return (external.find((a) => a.family === 'IPv4') ?? external[0])?.address ?? '127.0.0.1';
}

export function hostName(): string {
  return hostname().toLowerCase();
}
