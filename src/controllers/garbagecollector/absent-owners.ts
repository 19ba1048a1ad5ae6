/** Owners confirmed absent by a live lookup (upstream's absentOwnerCache): a small LRU of `namespace|uid`. */
export class AbsentOwners {
  private readonly keys = new Set<string>();
  constructor(private readonly capacity = 500) {}

  has(namespace: string, uid: string): boolean {
    const key = `${namespace}|${uid}`;
    if (!this.keys.has(key)) return false;
    this.keys.delete(key);
    this.keys.add(key);
    return true;
  }

  add(namespace: string, uid: string): void {
    const key = `${namespace}|${uid}`;
    this.keys.delete(key);
    this.keys.add(key);
    if (this.keys.size > this.capacity) {
      const oldest = this.keys.values().next().value;
      if (oldest !== undefined) this.keys.delete(oldest);
    }
  }
}
