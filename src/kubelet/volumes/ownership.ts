/**
 * fsGroup ownership (upstream pkg/volume/volume_linux.go SetVolumeOwnership): every file and directory of
 * the volume gets the group, group read/write (read only for read-only volumes), and directories setgid so
 * new files inherit the group. Symlinks are left alone. OnRootMismatch skips the walk when the root is set.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';

const RW = 0o660;
const RO = 0o440;
const EXEC = 0o110;
const SETGID = 0o2000;

async function fix(path: string, gid: number, readOnly: boolean): Promise<void> {
  const st = await fs.lstat(path);
  if (st.isSymbolicLink()) return;
  await fs.lchown(path, st.uid, gid);
  let mask = readOnly ? RO : RW;
  if (st.isDirectory()) mask |= SETGID | EXEC;
  await fs.chmod(path, (st.mode & 0o7777) | mask);
}

async function walk(dir: string, gid: number, readOnly: boolean): Promise<void> {
  await fix(dir, gid, readOnly);
  for (const ent of await fs.readdir(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) await walk(p, gid, readOnly);
    else await fix(p, gid, readOnly);
  }
}

export async function setVolumeOwnership(
  dir: string,
  fsGroup: number,
  opts: { readOnly?: boolean; policy?: string } = {},
): Promise<void> {
  const readOnly = opts.readOnly ?? false;
  if (opts.policy === 'OnRootMismatch') {
    const st = await fs.stat(dir);
    const want = (readOnly ? RO : RW) | SETGID | EXEC;
    if (st.gid === fsGroup && (st.mode & want) === want) return;
  }
  await walk(dir, fsGroup, readOnly);
}
