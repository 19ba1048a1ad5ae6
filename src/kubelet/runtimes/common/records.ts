/**
 * JSON records in a directory, one file per id, written atomically so a crash never leaves half a record.
 * One runtime instance owns a directory: the files are read once, then served from memory (a relist reads
 * every record, and re-reading them per pod made pod starts quadratic).
 */
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export class RecordDir<T extends object> {
  private loading: Promise<Map<string, T>> | undefined;
  private readonly writes = new Map<string, Promise<void>>();

  constructor(private readonly dir: string) {}

  private file(id: string): string {
    if (!/^[A-Za-z0-9_.-]+$/.test(id)) throw new Error(`invalid record id ${JSON.stringify(id)}`);
    return path.join(this.dir, `${id}.json`);
  }

  private records(): Promise<Map<string, T>> {
    this.loading ??= this.load().catch((err: unknown) => {
      this.loading = undefined;
      throw err;
    });
    return this.loading;
  }

  private async load(): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
      throw err;
    }
    for (const n of names.filter((f) => f.endsWith('.json'))) {
      const id = n.slice(0, -'.json'.length);
      try {
        out.set(id, JSON.parse(await readFile(this.file(id), 'utf8')) as T);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    return out;
  }

  async get(id: string): Promise<T | undefined> {
    this.file(id);
    const rec = (await this.records()).get(id);
    return rec ? structuredClone(rec) : undefined;
  }

  /** Writes of one id run in call order, so the file ends as the last call left the record. */
  private serialized(id: string, op: () => Promise<void>): Promise<void> {
    const next = (this.writes.get(id) ?? Promise.resolve()).then(op, op);
    this.writes.set(id, next);
    const done = (): void => {
      if (this.writes.get(id) === next) this.writes.delete(id);
    };
    next.then(done, done);
    return next;
  }

  async put(id: string, record: T): Promise<void> {
    const file = this.file(id);
    (await this.records()).set(id, structuredClone(record));
    const text = JSON.stringify(record, null, 1);
    await this.serialized(id, async () => {
      await mkdir(this.dir, { recursive: true });
      const tmp = `${file}.tmp`;
      await writeFile(tmp, text);
      await rename(tmp, file);
    });
  }

  /**
   * Writes the record only if it still exists: a change noticed on a copy read before a concurrent delete
   * (an exit seen by a relist while the container is removed) must not bring the record back.
   */
  async update(id: string, record: T): Promise<boolean> {
    if (!(await this.records()).has(id)) return false;
    await this.put(id, record);
    return true;
  }

  async delete(id: string): Promise<void> {
    const file = this.file(id);
    (await this.records()).delete(id);
    await this.serialized(id, () => rm(file, { force: true }));
  }

  async list(): Promise<T[]> {
    return this.find(() => true);
  }

  /** Copies of the records that match, without copying the others. */
  async find(match: (record: Readonly<T>) => boolean): Promise<T[]> {
    const out: T[] = [];
    for (const r of (await this.records()).values()) if (match(r)) out.push(structuredClone(r));
    return out;
  }
}
