/** Domain names and the IP address forms the cluster DNS schema uses. Names are compared lower-cased, without the final dot. */
import { isIP } from 'node:net';
import { bigIntToIp, ipToBigInt } from '../util/cidr.js';

/** `Foo.Cluster.Local.` → `foo.cluster.local` (the root stays ''). */
export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** Whether `name` is `zone` or below it (both normalized). */
export function isSubdomain(name: string, zone: string): boolean {
  return zone === '' || name === zone || name.endsWith(`.${zone}`);
}

/** The labels of `name` left of `zone` (both normalized): `a.b.cluster.local` in `cluster.local` → `a.b`. */
export function relativeName(name: string, zone: string): string {
  if (name === zone) return '';
  return name.slice(0, name.length - zone.length - 1);
}

/** One canonical text per address (`fd00:0::1` → `fd00::1`); undefined when `text` is no IP address. */
export function canonicalIp(text: string): string | undefined {
  const family = isIP(text);
  if (family !== 4 && family !== 6) return undefined;
  return bigIntToIp(ipToBigInt(text), family);
}

export function ipFamily(ip: string): 4 | 6 | undefined {
  const family = isIP(ip);
  return family === 4 || family === 6 ? family : undefined;
}

export const REVERSE_ZONES = ['in-addr.arpa', 'ip6.arpa'];

/** `4.3.2.1.in-addr.arpa` → `1.2.3.4`, 32 nibbles `.ip6.arpa` → the IPv6 address; undefined for anything else. */
export function addressFromReverseName(name: string): string | undefined {
  if (name.endsWith('.in-addr.arpa')) {
    const parts = relativeName(name, 'in-addr.arpa').split('.');
    if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) < 256))
      return undefined;
    return parts.reverse().join('.');
  }
  if (name.endsWith('.ip6.arpa')) {
    const nibbles = relativeName(name, 'ip6.arpa').split('.');
    if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return undefined;
    const hex = nibbles.reverse().join('');
    return bigIntToIp(BigInt(`0x${hex}`), 6);
  }
  return undefined;
}

/** The reverse-lookup name of an address: `1.2.3.4` → `4.3.2.1.in-addr.arpa`. */
export function reverseName(ip: string): string {
  if (ipFamily(ip) === 4) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const hex = ipToBigInt(ip).toString(16).padStart(32, '0');
  return `${[...hex].reverse().join('.')}.ip6.arpa`;
}

/** An endpoint's name when it has no hostname: its address with `-` for `.` or `:` (`10-42-0-5`, `fd00--5`). */
export function dashedAddress(ip: string): string {
  return ip.replace(/[.:]/g, '-');
}

/**
 * The address a pod name stands for (`10-42-0-5` → `10.42.0.5`, `fd00--5` → `fd00::5`), as CoreDNS reads it:
 * three dashes and no `--` make an IPv4 address, anything else is read as IPv6. Undefined when it is no address.
 */
export function addressFromDashed(label: string): string | undefined {
  const dashes = label.split('-').length - 1;
  const text = dashes === 3 && !label.includes('--') ? label.replace(/-/g, '.') : label.replace(/-/g, ':');
  return ipFamily(text) ? text : undefined;
}
