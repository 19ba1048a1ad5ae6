/** JSON records in a directory, one file per id, written atomically so a crash never leaves half a record. */
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export class RecordDir<T extends object> {
  constructor(private readonly dir: string) {}

  private file(id: string): string {
    if (!/^[A-Za-z0-9_.-]+$/.test(id)) throw new Error(`invalid record id ${JSON.stringify(id)}`);
    return path.join(this.dir, `${id}.json`);
  }

  async get(id: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(this.file(id), 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async put(id: string, record: T): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = `${this.file(id)}.tmp`;
    await writeFile(tmp, JSON.stringify(record, null, 1));
    await rename(tmp, this.file(id));
  }

  async delete(id: string): Promise<void> {
    await rm(this.file(id), { force: true });
  }

  async list(): Promise<T[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: T[] = [];
    for (const n of names.filter((f) => f.endsWith('.json'))) {
      const rec = await this.get(n.slice(0, -'.json'.length));
      if (rec) out.push(rec);
    }
    return out;
  }
}
