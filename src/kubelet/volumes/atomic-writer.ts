/**
 * Writes a set of files into a directory so readers never see a half-updated set (upstream atomic_writer.go):
 * the files go into a fresh timestamped directory, a `..data` symlink is swapped to it with one rename, and
 * each visible top-level name is a symlink through `..data`. Unchanged payloads are not rewritten.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';

export interface FileProjection {
  data: Buffer;
  /** Permission bits, e.g. 0o644. */
  mode: number;
}

export type Payload = Map<string, FileProjection>;

const DATA_DIR = '..data';
const DATA_TMP = '..data_tmp';

/** Rejects absolute paths, `..` elements and names starting with `..` (upstream validatePath). */
export function validatePayloadPath(p: string): void {
  if (p === '') throw new Error('invalid path: must not be empty');
  if (p.startsWith('/')) throw new Error(`invalid path: must be relative path: ${p}`);
  if (p.length > 4096) throw new Error('invalid path: must be less than or equal to 4096 characters');
  const parts = p.split('/');
  if (parts.includes('..')) throw new Error(`invalid path: must not contain '..': ${p}`);
  if (p.startsWith('..')) throw new Error(`invalid path: must not start with '..': ${p}`);
}

async function readOld(dir: string): Promise<Payload | undefined> {
  const payload: Payload = new Map();
  const walk = async (base: string, rel: string): Promise<void> => {
    for (const ent of await fs.readdir(join(base, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) await walk(base, r);
      else {
        const full = join(base, r);
        const st = await fs.stat(full);
        payload.set(r, { data: await fs.readFile(full), mode: st.mode & 0o7777 });
      }
    }
  };
  try {
    await walk(await fs.realpath(join(dir, DATA_DIR)), '');
    return payload;
  } catch {
    return undefined;
  }
}

function samePayload(a: Payload, b: Payload): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const o = b.get(k);
    if (!o || o.mode !== v.mode || !o.data.equals(v.data)) return false;
  }
  return true;
}

function topLevel(paths: Iterable<string>): Set<string> {
  return new Set([...paths].map((p) => normalize(p).split(sep)[0]!));
}

/** Returns true when the files changed. */
export async function writeAtomic(dir: string, payload: Payload, now: Date = new Date()): Promise<boolean> {
  for (const p of payload.keys()) validatePayloadPath(p);
  await fs.mkdir(dir, { recursive: true });
  const old = await readOld(dir);
  if (old && samePayload(old, payload)) return false;

  const stamp = now.toISOString().replace(/[-:]/g, '_').replace('T', '_').slice(0, 19);
  const tsName = `..${stamp}.${randomBytes(5).toString('hex')}`;
  const tsDir = join(dir, tsName);
  await fs.mkdir(tsDir, { mode: 0o755 });
  for (const [rel, f] of payload) {
    const full = join(tsDir, rel);
    await fs.mkdir(dirname(full), { recursive: true });
    await fs.writeFile(full, f.data);
    await fs.chmod(full, f.mode);
  }
  let oldTsName: string | undefined;
  try {
    oldTsName = await fs.readlink(join(dir, DATA_DIR));
  } catch {
    oldTsName = undefined;
  }
  const tmp = join(dir, DATA_TMP);
  await fs.rm(tmp, { force: true });
  await fs.symlink(tsName, tmp);
  await fs.rename(tmp, join(dir, DATA_DIR));

  const wanted = topLevel(payload.keys());
  for (const name of wanted) {
    const link = join(dir, name);
    try {
      await fs.lstat(link);
    } catch {
      await fs.symlink(join(DATA_DIR, name), link);
    }
  }
  const oldNames = old ? topLevel(old.keys()) : new Set<string>();
  for (const name of oldNames) if (!wanted.has(name)) await fs.rm(join(dir, name), { force: true });
  if (oldTsName && oldTsName !== tsName) await fs.rm(join(dir, oldTsName), { recursive: true, force: true });
  return true;
}
