import { timingSafeEqual } from 'node:crypto';
import { sha256 } from '../auth/digest.js';
import { readIfExists, writeFileAtomic } from '../auth/files.js';

/**
 * The node password each joined node name was claimed with (k3s's node-passwd file): a random secret the agent
 * keeps, so a second machine that knows the join token still cannot take over an existing node's name and its
 * credentials. Stored as sha256 digests, one `digest,name` line per node.
 */
export class NodePasswords {
  private digests: Map<string, Buffer> | undefined;
  /** Serializes read-modify-write of the file. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly path: string) {}

  /**
   * Checks `password` for `nodeName`, recording it when the name is new or `mayReplace` says the old claim is
   * void (its Node is gone). Resolves to false when the name is held under another password.
   */
  claim(nodeName: string, password: string, mayReplace: () => Promise<boolean>): Promise<boolean> {
    const run = this.queue.then(async () => {
      const digests = await this.load();
      const digest = sha256(password);
      const held = digests.get(nodeName);
      if (held && timingSafeEqual(held, digest)) return true;
      if (held && !(await mayReplace())) return false;
      digests.set(nodeName, digest);
      await this.save(digests);
      return true;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<Map<string, Buffer>> {
    if (this.digests) return this.digests;
    const digests = new Map<string, Buffer>();
    for (const line of ((await readIfExists(this.path)) ?? '').split('\n')) {
      const [digest, name] = line.trim().split(',');
      if (digest && name && /^[0-9a-f]{64}$/.test(digest)) digests.set(name, Buffer.from(digest, 'hex'));
    }
    this.digests = digests;
    return digests;
  }

  private save(digests: Map<string, Buffer>): Promise<void> {
    const lines = [...digests].map(([name, digest]) => `${digest.toString('hex')},${name}\n`);
    return writeFileAtomic(this.path, lines.join(''), 0o600);
  }
}
