/** Resolves the uid, gid and groups a container runs as, from its securityContext and the image's USER. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LinuxContainerSecurityContext } from '../../cri/types.js';

export interface ProcessUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

export class RunAsNonRootError extends Error {
  constructor(detail: string) {
    super(`container has runAsNonRoot and image will run as root (${detail})`);
    this.name = 'RunAsNonRootError';
  }
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

async function readColonFile(rootfs: string, file: string): Promise<string[][]> {
  try {
    const text = await readFile(path.join(rootfs, file), 'utf8');
    return text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(':'));
  } catch {
    return [];
  }
}

async function passwd(rootfs: string): Promise<PasswdEntry[]> {
  return (await readColonFile(rootfs, 'etc/passwd')).map((f) => ({
    name: f[0] ?? '',
    uid: Number(f[2]),
    gid: Number(f[3]),
  }));
}

async function groupId(rootfs: string, name: string): Promise<number> {
  if (/^\d+$/.test(name)) return Number(name);
  const entry = (await readColonFile(rootfs, 'etc/group')).find((f) => f[0] === name);
  if (!entry) throw new Error(`unable to find group ${name} in the image's /etc/group`);
  return Number(entry[2]);
}

/** `imageUser` is the image config's User: `name`, `uid`, `name:group` or `uid:gid` (empty = root). */
export async function resolveUser(
  imageUser: string,
  sc: LinuxContainerSecurityContext,
  rootfs: string,
): Promise<ProcessUser> {
  const [userPart = '', groupPart] = imageUser.split(':');
  const users = await passwd(rootfs);
  let uid: number;
  let primaryGid: number | undefined;
  if (sc.runAsUser !== undefined) {
    uid = sc.runAsUser;
    primaryGid = users.find((u) => u.uid === uid)?.gid;
  } else if (userPart === '') {
    uid = 0;
    primaryGid = 0;
  } else if (/^\d+$/.test(userPart)) {
    uid = Number(userPart);
    primaryGid = users.find((u) => u.uid === uid)?.gid;
  } else {
    const entry = users.find((u) => u.name === userPart);
    if (!entry) throw new Error(`unable to find user ${userPart} in the image's /etc/passwd`);
    uid = entry.uid;
    primaryGid = entry.gid;
  }
  if (sc.runAsNonRoot && uid === 0) {
    throw new RunAsNonRootError(
      sc.runAsUser !== undefined ? 'runAsUser is 0' : `image user ${JSON.stringify(imageUser || 'root')}`,
    );
  }
  let gid = primaryGid ?? 0;
  if (sc.runAsGroup !== undefined) gid = sc.runAsGroup;
  else if (groupPart !== undefined && sc.runAsUser === undefined) gid = await groupId(rootfs, groupPart);
  return { uid, gid, additionalGids: [...new Set(sc.supplementalGroups)] };
}
