/** Pod IPs of one node's /24 (.1 is the node's gateway; .2–.254 go to pods). */
export class IpPool {
  private readonly used = new Set<number>();
  private readonly base: string;

  constructor(cidr: string) {
    const [addr] = cidr.split('/');
    const parts = (addr ?? '10.42.0.0').split('.');
    this.base = parts.slice(0, 3).join('.');
  }

  allocate(): string | undefined {
    for (let host = 2; host < 255; host++) {
      if (!this.used.has(host)) {
        this.used.add(host);
        return `${this.base}.${host}`;
      }
    }
    return undefined;
  }

  /** Marks an address (from an earlier run) as taken; false if it is not in this range. */
  claim(ip: string): boolean {
    if (!ip.startsWith(`${this.base}.`)) return false;
    const host = Number(ip.slice(this.base.length + 1));
    if (!Number.isInteger(host) || host < 2 || host > 254) return false;
    this.used.add(host);
    return true;
  }

  release(ip: string): void {
    if (ip.startsWith(`${this.base}.`)) this.used.delete(Number(ip.slice(this.base.length + 1)));
  }
}
