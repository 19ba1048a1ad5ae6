/** IPv4 CIDR arithmetic for the service range. */
export interface Ipv4Range {
  cidr: string;
  /** Network address as an unsigned 32-bit number. */
  base: number;
  size: number;
}

export function parseIpv4(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseCidr(cidr: string): Ipv4Range {
  const [ip, bitsText] = cidr.split('/');
  const base = ip === undefined ? undefined : parseIpv4(ip);
  const bits = Number(bitsText);
  if (base === undefined || !Number.isInteger(bits) || bits < 8 || bits > 30) {
    throw new Error(
      `invalid service CIDR ${JSON.stringify(cidr)}: want an IPv4 network such as 10.43.0.0/16 (prefix /8 to /30)`,
    );
  }
  const size = 2 ** (32 - bits);
  const mask = size - 1;
  return { cidr, base: base - (base & mask), size };
}

/** First usable address: the `kubernetes` service IP (e.g. 10.43.0.1). */
export function firstServiceIp(range: Ipv4Range): string {
  return formatIpv4(range.base + 1);
}

export function inRange(range: Ipv4Range, ip: string): boolean {
  const n = parseIpv4(ip);
  return n !== undefined && n > range.base && n < range.base + range.size - 1;
}
