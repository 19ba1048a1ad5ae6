import { bigIntToIp, parseCidr, type Cidr } from '../../util/cidr.js';

/**
 * The node subnets of a cluster CIDR (upstream's cidrset): subnet i is the i-th block of `maskSize` bits.
 * Allocation takes the lowest free block, so a restarted controller that re-occupies what nodes hold
 * hands out the same blocks as before.
 */
export class CidrSet {
  readonly cluster: Cidr;
  private readonly blocks: number;
  private readonly used = new Set<number>();

  constructor(
    clusterCidr: string,
    readonly maskSize: number,
  ) {
    this.cluster = parseCidr(clusterCidr);
    const bits = this.cluster.family === 4 ? 32 : 128;
    if (maskSize < this.cluster.prefix || maskSize > bits) {
      throw new Error(`node CIDR mask size /${maskSize} does not fit cluster CIDR ${clusterCidr}`);
    }
    // More than 2^20 nodes is far beyond any cluster; cap the count so the numbers stay small.
    this.blocks = 2 ** Math.min(maskSize - this.cluster.prefix, 20);
  }

  /** The lowest free subnet, or undefined when all are taken. */
  allocate(): string | undefined {
    for (let i = 0; i < this.blocks; i++) {
      if (this.used.has(i)) continue;
      this.used.add(i);
      return this.format(i);
    }
    return undefined;
  }

  /** Marks a subnet a node already holds as taken; false when it is not one of this set's subnets. */
  occupy(cidr: string): boolean {
    const i = this.indexOf(cidr);
    if (i === undefined) return false;
    this.used.add(i);
    return true;
  }

  release(cidr: string): void {
    const i = this.indexOf(cidr);
    if (i !== undefined) this.used.delete(i);
  }

  get free(): number {
    return this.blocks - this.used.size;
  }

  private indexOf(cidr: string): number | undefined {
    let parsed: Cidr;
    try {
      parsed = parseCidr(cidr);
    } catch {
      return undefined;
    }
    if (parsed.family !== this.cluster.family || parsed.prefix !== this.maskSize) return undefined;
    const bits = BigInt((this.cluster.family === 4 ? 32 : 128) - this.maskSize);
    const i = (parsed.network - this.cluster.network) >> bits;
    return i >= 0n && i < BigInt(this.blocks) ? Number(i) : undefined;
  }

  private format(i: number): string {
    const bits = BigInt((this.cluster.family === 4 ? 32 : 128) - this.maskSize);
    return `${bigIntToIp(this.cluster.network + (BigInt(i) << bits), this.cluster.family)}/${this.maskSize}`;
  }
}
