/** The service range as plain numbers: the allocators do IPv4 arithmetic on every create. */
import { isIPv4 } from 'node:net';
import { bigIntToIp, ipToBigInt, parseCidr } from '../../util/cidr.js';

export interface Ipv4Range {
  cidr: string;
  /** Network address as an unsigned 32-bit number. */
  base: number;
  size: number;
}

export function parseIpv4(ip: string): number | undefined {
  return isIPv4(ip) ? Number(ipToBigInt(ip)) : undefined;
}

export function formatIpv4(n: number): string {
  return bigIntToIp(BigInt(n), 4);
}

export function parseServiceRange(cidr: string): Ipv4Range {
  let parsed;
  try {
    parsed = parseCidr(cidr);
  } catch {
    parsed = undefined;
  }
  if (parsed?.family !== 4 || parsed.prefix < 8 || parsed.prefix > 30) {
    throw new Error(
      `invalid service CIDR ${JSON.stringify(cidr)}: want an IPv4 network such as 10.43.0.0/16 (prefix /8 to /30)`,
    );
  }
  return { cidr, base: Number(parsed.network), size: 2 ** (32 - parsed.prefix) };
}

/** First usable address: the `kubernetes` service IP (e.g. 10.43.0.1). */
export function firstServiceIp(range: Ipv4Range): string {
  return formatIpv4(range.base + 1);
}

export function inRange(range: Ipv4Range, ip: string): boolean {
  const n = parseIpv4(ip);
  return n !== undefined && n > range.base && n < range.base + range.size - 1;
}
