import { timingSafeEqual } from 'node:crypto';
import { isLostWrite, KeyExistsError, type Store } from '../../store/types.js';
import { sha256 } from '../auth/digest.js';
import { readIfExists } from '../auth/files.js';
import { NODE_PASSWORD_PREFIX } from '../bootstrap/keys.js';

/**
 * The node password each joined node name was claimed with (k3s's node-passwd): a random secret the agent
 * keeps, so a second machine that knows the join token still cannot take over an existing node's name and its
 * credentials. Kept in the store, one key per name holding the password's hex sha256, so every server of a
 * cluster sees the same claims; writes are compare-and-swap, so two servers racing on one name cannot both win.
 */
export class NodePasswords {
  constructor(private readonly store: Store) {}

  /**
   * Checks `password` for `nodeName`, recording it when the name is new or `mayReplace` says the old claim is
   * void (its Node is gone). Resolves to false when the name is held under another password.
   */
  async claim(nodeName: string, password: string, mayReplace: () => Promise<boolean>): Promise<boolean> {
    const key = nodePasswordKey(nodeName);
    const digest = sha256(password);
    const value = Buffer.from(digest.toString('hex'));
    // Each pass either decides or lost a race to another writer, whose claim the next pass reads.
    for (;;) {
      const held = await this.store.get(key);
      try {
        if (!held) {
          await this.store.create(key, value);
          return true;
        }
        if (sameDigest(held.value, digest)) return true;
        if (!(await mayReplace())) return false;
        await this.store.update(key, value, held.modRevision);
        return true;
      } catch (err) {
        if (!isLostWrite(err)) throw err;
      }
    }
  }
}

/**
 * Copies the claims of a node-passwd file (`digest,name` lines, where servers kept them before the store did)
 * into the store; names the store already holds keep their claim. Returns how many were copied.
 */
export async function importNodePasswordFile(store: Store, path: string): Promise<number> {
  let copied = 0;
  for (const line of ((await readIfExists(path)) ?? '').split('\n')) {
    const [digest, name] = line.trim().split(',');
    if (!digest || !name || !/^[0-9a-f]{64}$/.test(digest)) continue;
    try {
      await store.create(nodePasswordKey(name), Buffer.from(digest));
      copied++;
    } catch (err) {
      if (!(err instanceof KeyExistsError)) throw err;
    }
  }
  return copied;
}

function nodePasswordKey(nodeName: string): string {
  return `${NODE_PASSWORD_PREFIX}${nodeName}`;
}

function sameDigest(stored: Buffer, digest: Buffer): boolean {
  const held = Buffer.from(stored.toString('utf8'), 'hex');
  return held.length === digest.length && timingSafeEqual(held, digest);
}
