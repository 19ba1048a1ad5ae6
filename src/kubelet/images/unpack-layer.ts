/**
 * Unpacks one layer tar into an empty directory so layers can be stacked with overlayfs:
 * OCI whiteouts become overlayfs whiteouts when privileged (`.wh.NAME` → character device 0:0 named NAME,
 * `.wh..wh..opq` → `trusted.overlay.opaque=y` on the directory). Without privilege (not root) no device
 * nodes, ownership or trusted xattrs can be made: whiteouts and opaque directories are only reported in
 * the result (and kept in the layer's metadata), devices are skipped and files belong to the caller.
 *
 * Entries never escape the directory: `..` components are refused, and an entry whose parent was
 * created as a symlink or file earlier in the same layer fails the layer instead of following it.
 */
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { chmod, link, lchown, lutimes, mkdir, open, rm, symlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import * as tar from 'tar-stream';

const run = promisify(execFile);

export interface UnpackOptions {
  /** Root: chown to the tar's ids, make device nodes, overlayfs whiteouts and trusted/security xattrs. */
  privileged: boolean;
}

export interface UnpackResult {
  entries: number;
  /** Bytes of regular file content written. */
  bytes: number;
  /** Paths (relative, no leading slash) this layer deletes from the layers below. */
  whiteouts: string[];
  /** Directories (relative; '' is the root) whose lower-layer contents this layer hides. */
  opaqueDirs: string[];
  /** Device nodes and FIFOs not created because we are not privileged. */
  skippedDevices: number;
}

export class LayerFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LayerFormatError';
  }
}

const OPAQUE = '.wh..wh..opq';
/** Files up to this size are buffered and written in the background, several at a time. */
const SMALL_FILE = 1 << 20;
const MAX_WRITES_IN_FLIGHT = 16;
const WHITEOUT_PREFIX = '.wh.';

/** Normalized relative path of a tar entry ('' for the root), or throws on `..`. */
export function entryPath(name: string): string {
  const parts: string[] = [];
  for (const p of name.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') throw new LayerFormatError(`tar entry "${name}" leaves the layer`);
    parts.push(p);
  }
  return parts.join('/');
}

interface Xattr {
  path: string;
  name: string;
  value: Buffer;
}

export async function unpackLayer(
  source: Readable | AsyncIterable<Buffer>,
  dir: string,
  opts: UnpackOptions,
): Promise<UnpackResult> {
  const result: UnpackResult = { entries: 0, bytes: 0, whiteouts: [], opaqueDirs: [], skippedDevices: 0 };
  // What this layer has created so far: directories may be entered, anything else may not.
  const created = new Map<string, 'dir' | 'other'>([['', 'dir']]);
  const dirAttrs = new Map<string, { mode: number; mtime?: Date }>();
  const xattrs: Xattr[] = [];
  const abs = (rel: string): string => (rel === '' ? dir : join(dir, rel));

  const ensureParents = async (rel: string): Promise<void> => {
    const parts = rel.split('/');
    parts.pop();
    let prefix = '';
    for (const part of parts) {
      prefix = prefix === '' ? part : `${prefix}/${part}`;
      const kind = created.get(prefix);
      if (kind === 'dir') continue;
      if (kind === 'other')
        throw new LayerFormatError(`tar entry "${rel}" goes through non-directory "${prefix}"`);
      await mkdir(abs(prefix), { mode: 0o755 });
      created.set(prefix, 'dir');
    }
  };
  const clear = async (rel: string): Promise<void> => {
    const kind = created.get(rel);
    if (kind === undefined) return;
    await writes.all();
    await rm(abs(rel), { recursive: true, force: true });
    for (const key of [...created.keys()]) if (key === rel || key.startsWith(`${rel}/`)) created.delete(key);
  };
  const mknod = async (
    rel: string,
    type: 'c' | 'b' | 'p',
    mode: number,
    major = 0,
    minor = 0,
  ): Promise<void> => {
    const args = ['-m', (mode & 0o7777).toString(8), abs(rel), type];
    if (type !== 'p') args.push(String(major), String(minor));
    await run('mknod', args);
  };

  const writes = new BackgroundWrites(MAX_WRITES_IN_FLIGHT);
  const extract = tar.extract();
  const feeding = pipeline(source, extract);
  feeding.catch(() => undefined);

  for await (const entry of extract) {
    const h = entry.header;
    result.entries++;
    const rel = entryPath(h.name);
    const base = posix.basename(rel);
    const mode = h.mode ?? 0o644;

    if (base.startsWith(WHITEOUT_PREFIX)) {
      entry.resume();
      await ensureParents(rel);
      const parent = posix.dirname(rel) === '.' ? '' : posix.dirname(rel);
      if (base === OPAQUE) {
        result.opaqueDirs.push(parent);
        if (opts.privileged)
          xattrs.push({ path: abs(parent), name: 'trusted.overlay.opaque', value: Buffer.from('y') });
      } else if (!base.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) {
        const target = parent === '' ? base.slice(4) : `${parent}/${base.slice(4)}`;
        result.whiteouts.push(target);
        if (opts.privileged) {
          await clear(target);
          await mknod(target, 'c', 0o000, 0, 0);
          created.set(target, 'other');
        }
      }
      continue;
    }

    if (rel !== '') await ensureParents(rel);
    let kind: 'dir' | 'other' = 'other';
    switch (h.type) {
      case 'directory':
        kind = 'dir';
        if (created.get(rel) !== 'dir') {
          await clear(rel);
          await mkdir(abs(rel), { mode: 0o700 });
        }
        entry.resume();
        dirAttrs.set(rel, h.mtime ? { mode, mtime: h.mtime } : { mode });
        break;
      case 'file':
      case 'contiguous-file':
      case null:
      case undefined:
        await clear(rel);
        result.bytes += h.size ?? 0;
        if ((h.size ?? 0) <= SMALL_FILE) {
          const data = await readAll(entry);
          const p = abs(rel);
          created.set(rel, 'other');
          if (opts.privileged)
            collectPaxXattrs(entry as unknown as { header: { pax?: Record<string, string> } }, p, xattrs);
          await writes.add(rel, () => writeSmallFile(p, data, { ...h, mode }, opts.privileged));
          continue;
        }
        await pipeline(entry, createWriteStream(abs(rel), { flags: 'wx', mode: 0o600 }));
        break;
      case 'symlink':
        entry.resume();
        await clear(rel);
        await symlink(h.linkname ?? '', abs(rel));
        break;
      case 'link': {
        entry.resume();
        const target = entryPath(h.linkname ?? '');
        if (created.get(target) !== 'other')
          throw new LayerFormatError(
            `hard link "${rel}" points to "${target}", not an earlier file of the layer`,
          );
        await writes.settled(target);
        await clear(rel);
        await link(abs(target), abs(rel));
        created.set(rel, 'other');
        continue; // shares the target's inode and attributes
      }
      case 'character-device':
      case 'block-device':
      case 'fifo':
        entry.resume();
        if (!opts.privileged) {
          result.skippedDevices++;
          continue;
        }
        await clear(rel);
        await mknod(
          rel,
          h.type === 'fifo' ? 'p' : h.type === 'block-device' ? 'b' : 'c',
          mode,
          h.devmajor ?? 0,
          h.devminor ?? 0,
        );
        break;
      default:
        entry.resume();
        continue;
    }
    created.set(rel, kind);
    const p = abs(rel);
    // chown before chmod: chown clears setuid and setgid bits.
    if (opts.privileged) await lchown(p, h.uid ?? 0, h.gid ?? 0);
    if (kind === 'dir') continue; // mode and times once its children are written
    if (h.type !== 'symlink') await chmod(p, mode & 0o7777);
    if (h.mtime) await lutimes(p, h.mtime, h.mtime);
    if (opts.privileged)
      collectPaxXattrs(entry as unknown as { header: { pax?: Record<string, string> } }, p, xattrs);
  }
  await feeding;
  await writes.all();

  for (const [rel, attrs] of [...dirAttrs].reverse()) {
    const p = abs(rel);
    await chmod(p, attrs.mode & 0o7777);
    if (attrs.mtime) await lutimes(p, attrs.mtime, attrs.mtime);
  }
  if (xattrs.length > 0) await restoreXattrs(xattrs);
  return result;
}

async function readAll(entry: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of entry) chunks.push(c as Buffer);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

interface FileAttrs {
  mode: number;
  uid?: number;
  gid?: number;
  mtime?: Date;
}

/** One open file handle for content, owner, mode and times. */
async function writeSmallFile(path: string, data: Buffer, a: FileAttrs, privileged: boolean): Promise<void> {
  const fh = await open(path, 'wx', 0o600);
  try {
    if (data.length > 0) await fh.writeFile(data);
    // chown before chmod: chown clears setuid and setgid bits.
    if (privileged) await fh.chown(a.uid ?? 0, a.gid ?? 0);
    await fh.chmod(a.mode & 0o7777);
    if (a.mtime) await fh.utimes(a.mtime, a.mtime);
  } finally {
    await fh.close();
  }
}

/** File writes that run while the tar keeps streaming; a failure fails the layer. */
class BackgroundWrites {
  private readonly pending = new Map<string, Promise<void>>();
  private error: Error | undefined;

  constructor(private readonly limit: number) {}

  async add(key: string, write: () => Promise<void>): Promise<void> {
    while (this.pending.size >= this.limit) await Promise.race(this.pending.values());
    this.throwIfFailed();
    const p = write()
      .catch((err: unknown) => {
        this.error ??= err instanceof Error ? err : new Error(String(err));
      })
      .finally(() => this.pending.delete(key));
    this.pending.set(key, p);
  }

  async settled(key: string): Promise<void> {
    await this.pending.get(key);
    this.throwIfFailed();
  }

  async all(): Promise<void> {
    await Promise.all(this.pending.values());
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.error !== undefined) throw this.error;
  }
}

function collectPaxXattrs(
  entry: { header: { pax?: Record<string, string> } },
  path: string,
  out: Xattr[],
): void {
  const pax = entry.header.pax;
  if (!pax) return;
  for (const [key, value] of Object.entries(pax)) {
    if (key.startsWith('SCHILY.xattr.'))
      out.push({ path, name: key.slice('SCHILY.xattr.'.length), value: Buffer.from(value, 'latin1') });
  }
}

/** Node cannot set xattrs: one `setfattr --restore` run (package `attr`) sets them all. */
async function restoreXattrs(xattrs: Xattr[]): Promise<void> {
  const lines = xattrs.map(
    (x) => `# file: ${escapePath(x.path)}\n${x.name}=0s${x.value.toString('base64')}\n`,
  );
  await new Promise<void>((resolve, reject) => {
    const child = execFile('setfattr', ['-h', '--restore=-'], (err) =>
      err ? reject(wrapSetfattr(err)) : resolve(),
    );
    child.stdin?.end(lines.join('\n'));
  });
}

function wrapSetfattr(err: Error): Error {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT')
    return new Error('setfattr (package attr) is needed to mark opaque directories for overlayfs');
  return err;
}

function escapePath(p: string): string {
  return Array.from(Buffer.from(p, 'utf8'))
    .map((b) =>
      b <= 0x20 || b === 0x5c || b >= 0x7f ? `\\${b.toString(8).padStart(3, '0')}` : String.fromCharCode(b),
    )
    .join('');
}
