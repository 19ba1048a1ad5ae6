import { isIP } from 'node:net';

/** CIDR ranges and IP arithmetic (IPv4 and IPv6), as Go's net package does them. */
export interface Cidr {
  family: 4 | 6;
  /** Network address (host bits cleared). */
  network: bigint;
  prefix: number;
}

/**
 * Parse `a.b.c.d/n` or `v6::/n` as Go's net.ParseCIDR does (host bits may be set; they are masked off).
 * Throws with a message fit for the command line.
 */
export function parseCidr(text: string): Cidr {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? '' : text.slice(slash + 1);
  const family = isIP(addr);
  if ((family !== 4 && family !== 6) || !/^\d{1,3}$/.test(prefixText)) {
    throw new Error(`invalid CIDR address: ${text}`);
  }
  const bits = family === 4 ? 32 : 128;
  const prefix = Number(prefixText);
  if (prefix > bits) throw new Error(`invalid CIDR address: ${text}`);
  const hostBits = BigInt(bits - prefix);
  const network = (ipToBigInt(addr) >> hostBits) << hostBits;
  return { family, network, prefix };
}

/** The first usable address of a range: the `kubernetes` service IP of a service CIDR (10.43.0.0/16 → 10.43.0.1). */
export function firstHostAddress(cidr: Cidr): string {
  return bigIntToIp(cidr.network + 1n, cidr.family);
}

/** Whether a valid address lies in the range (`a.b.c.d/n` text); false for text that is not a CIDR. */
export function cidrContains(cidrText: string, ip: string): boolean {
  let cidr: Cidr;
  try {
    cidr = parseCidr(cidrText);
  } catch {
    return false;
  }
  if (isIP(ip) !== cidr.family) return false;
  const hostBits = BigInt((cidr.family === 4 ? 32 : 128) - cidr.prefix);
  return (ipToBigInt(ip) >> hostBits) << hostBits === cidr.network;
}

/**
 * The range less the excepted ones, as the fewest CIDRs that cover exactly what is left (a NetworkPolicy
 * ipBlock's `cidr` and `except`): halves are split until each lies wholly inside or outside the exceptions.
 */
export function cidrMinus(cidrText: string, exceptTexts: string[]): string[] {
  const range = parseCidr(cidrText);
  const bits = range.family === 4 ? 32 : 128;
  const excepts = exceptTexts.map(parseCidr).filter((e) => e.family === range.family);
  const span = (c: Cidr): [bigint, bigint] => [c.network, c.network + (1n << BigInt(bits - c.prefix)) - 1n];
  const out: string[] = [];
  const visit = (c: Cidr): void => {
    const [lo, hi] = span(c);
    const overlapping = excepts.filter((e) => {
      const [elo, ehi] = span(e);
      return elo <= hi && ehi >= lo;
    });
    if (overlapping.length === 0) return void out.push(formatCidr(c));
    if (overlapping.some((e) => e.prefix <= c.prefix)) return; // wholly excepted
    const prefix = c.prefix + 1;
    visit({ family: c.family, network: c.network, prefix });
    visit({ family: c.family, network: c.network + (1n << BigInt(bits - prefix)), prefix });
  };
  visit(range);
  return out;
}

export function formatCidr(cidr: Cidr): string {
  return `${bigIntToIp(cidr.network, cidr.family)}/${cidr.prefix}`;
}

/**
 * An address (already known to be valid) as a number. IPv6 text always has a colon and IPv4 text never does:
 * net.isIPv6 would also tell them apart, but runs a regular expression big enough that V8 keeps ~135 KiB of
 * machine code for it in each thread that calls it twice.
 */
export function ipToBigInt(ip: string): bigint {
  if (!ip.includes(':')) {
    return ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  }
  let text = ip;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const n = ipToBigInt(v4[1]);
    text = text.slice(0, -v4[1].length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].reduce(
    (acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)),
    0n,
  );
}

export function bigIntToIp(n: bigint, family: 4 | 6): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.');
  }
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((n >> s) & 0xffffn).toString(16));
  // Let the URL parser produce the canonical compressed form.
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

/** The host's addresses worth putting in a serving certificate (no link-local IPv6, which needs a zone). */
