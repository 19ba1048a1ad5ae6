/**
 * The content-addressed image store under one root directory:
 *
 *   blobs/sha256/HEX         manifests and configs (small; layer blobs are not kept once unpacked)
 *   layers/sha256/HEX/       one per layer, keyed by its diffID (uncompressed digest):
 *     fs/                    the unpacked layer, an overlayfs lower directory
 *     layer.json             LayerRecord
 *   images/HEX.json          ImageRecord, HEX = the config digest = the image id
 *   tmp/                     work in progress; renamed into place only when complete and verified
 *
 * Layers are shared by every image that lists the same diffID and unpacked once, even by concurrent pulls
 * in this process (single flight per layer); across processes the first rename wins. A layer is deleted
 * only when no image record and no pull in progress uses it.
 */
import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Clock } from '../../util/clock.js';
import type { ImageRuntimeConfig } from '../cri/types.js';
import { DigestMismatchError, DigestStream, decompressLayer } from './digest-stream.js';
import {
  Mutex,
  SingleFlight,
  isProcessAlive,
  readJsonIfExists,
  tempName,
  tempNamePid,
  writeFileAtomic,
} from './fs-util.js';
import { sha256Digest } from './manifest.js';
import { isImageId, parseReference, repositoryName } from './reference.js';
import { unpackLayer, type UnpackResult } from './unpack-layer.js';

export interface LayerRecord extends UnpackResult {
  diffId: string;
  /** Digest of the blob it was unpacked from (compressed or not). */
  digest: string;
  unpackedAt: number;
}

export interface ImageLayerRef {
  diffId: string;
  digest: string;
  /** Size of the blob as the manifest lists it. */
  size: number;
}

export interface ImageRecord {
  /** `sha256:…` of the config. */
  id: string;
  /** Digest of the platform manifest. */
  manifestDigest: string;
  repoTags: string[];
  /** `registry/repo@sha256:…` of what was pulled (the index digest for multi-platform images). */
  repoDigests: string[];
  layers: ImageLayerRef[];
  sizeBytes: number;
  runtime: ImageRuntimeConfig;
  createdAt: number;
  lastUsedAt: number;
}

/** A layer to bring into the store: its identity and how to read its blob. */
export interface LayerSource extends ImageLayerRef {
  open(): Promise<Readable>;
}

export interface NewImage {
  id: string;
  configBytes: Buffer;
  manifestDigest: string;
  manifestBytes: Buffer;
  runtime: ImageRuntimeConfig;
  layers: LayerSource[];
  repoTags: string[];
  repoDigests: string[];
}

export interface ImageStoreOptions {
  clock: Clock;
  /** Unpack as root: ownership, device nodes, overlayfs whiteouts. Defaults to euid 0. */
  privileged?: boolean;
}

const hex = (digest: string): string => digest.slice('sha256:'.length);
const MAX_PARALLEL_LAYERS = 3;

/** Runs `fn` over `items` with at most `limit` running; rejects with the first failure after all settle. */
async function forEachLimited<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      try {
        await fn(items[next++]!);
      } catch (err) {
        next = items.length; // stop starting new work
        throw err;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

export class ImageStore {
  private readonly clock: Clock;
  private readonly privileged: boolean;
  private readonly layerFlight = new SingleFlight<LayerRecord>();
  private readonly lock = new Mutex();
  /** diffID → number of in-progress imports using it: never deleted meanwhile. */
  private readonly pinned = new Map<string, number>();
  private importing = 0;
  private listCache: { mtime: number; records: ImageRecord[] } | undefined;

  constructor(
    readonly root: string,
    opts: ImageStoreOptions,
  ) {
    this.clock = opts.clock;
    this.privileged = opts.privileged ?? process.geteuid?.() === 0;
  }

  private get tmp(): string {
    return join(this.root, 'tmp');
  }
  private blobPath(digest: string): string {
    return join(this.root, 'blobs', 'sha256', hex(digest));
  }
  private layerRoot(diffId: string): string {
    return join(this.root, 'layers', 'sha256', hex(diffId));
  }
  private imagePath(id: string): string {
    return join(this.root, 'images', `${hex(id)}.json`);
  }

  /** The unpacked filesystem of a layer (an overlayfs lowerdir). */
  layerDir(diffId: string): string {
    return join(this.layerRoot(diffId), 'fs');
  }

  /** Creates the layout and sweeps temporary entries left by dead processes. */
  async init(): Promise<void> {
    for (const d of ['blobs/sha256', 'layers/sha256', 'images', 'tmp'])
      await mkdir(join(this.root, d), { recursive: true });
    for (const name of await readdir(this.tmp)) {
      const pid = tempNamePid(name);
      if (pid === undefined || !isProcessAlive(pid))
        await rm(join(this.tmp, name), { recursive: true, force: true });
    }
  }

  async layer(diffId: string): Promise<LayerRecord | undefined> {
    return readJsonIfExists<LayerRecord>(join(this.layerRoot(diffId), 'layer.json'));
  }

  async listLayers(): Promise<LayerRecord[]> {
    const out: LayerRecord[] = [];
    for (const h of await readdir(join(this.root, 'layers', 'sha256'))) {
      const rec = await this.layer(`sha256:${h}`);
      if (rec) out.push(rec);
    }
    return out;
  }

  /** Unpacks a layer unless present; concurrent calls for one diffID share one download. */
  ensureLayer(src: LayerSource): Promise<LayerRecord> {
    return this.layerFlight.do(src.diffId, async () => (await this.layer(src.diffId)) ?? this.unpack(src));
  }

  private async unpack(src: LayerSource): Promise<LayerRecord> {
    const work = join(this.tmp, tempName(`layer-${hex(src.diffId).slice(0, 12)}`));
    await mkdir(join(work, 'fs'), { recursive: true, mode: 0o755 });
    try {
      const blob = new DigestStream();
      const diff = new DigestStream();
      let unpacked: UnpackResult | undefined;
      await pipeline(
        await src.open(),
        blob,
        decompressLayer,
        diff,
        async (tarStream: AsyncIterable<Buffer>) => {
          unpacked = await unpackLayer(tarStream, join(work, 'fs'), { privileged: this.privileged });
        },
      );
      if (blob.digest() !== src.digest)
        throw new DigestMismatchError(`layer blob ${src.digest}`, src.digest, blob.digest());
      if (diff.digest() !== src.diffId)
        throw new DigestMismatchError(`uncompressed layer ${src.digest}`, src.diffId, diff.digest());
      const record: LayerRecord = {
        ...unpacked!,
        diffId: src.diffId,
        digest: src.digest,
        unpackedAt: this.clock.now(),
      };
      await writeFileAtomic(join(work, 'layer.json'), JSON.stringify(record), this.tmp);
      try {
        await rename(work, this.layerRoot(src.diffId));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
        // Another process finished the same layer first: use theirs.
        await rm(work, { recursive: true, force: true });
        const existing = await this.layer(src.diffId);
        if (existing) return existing;
        throw err;
      }
      return record;
    } catch (err) {
      await rm(work, { recursive: true, force: true });
      throw err;
    }
  }

  async putBlob(bytes: Buffer): Promise<string> {
    const digest = sha256Digest(bytes);
    await writeFileAtomic(this.blobPath(digest), bytes, this.tmp);
    return digest;
  }

  async readBlob(digest: string): Promise<Buffer> {
    return readFile(this.blobPath(digest));
  }

  /** The blob when the store has it and it still matches its digest. */
  async readBlobIfPresent(digest: string): Promise<Buffer | undefined> {
    const bytes = await this.readBlob(digest).catch(() => undefined);
    return bytes && sha256Digest(bytes) === digest ? bytes : undefined;
  }

  /** Brings the image's layers in (each once), then records the image; tags move to it from other images. */
  async addImage(img: NewImage): Promise<ImageRecord> {
    for (const l of img.layers) this.pinned.set(l.diffId, (this.pinned.get(l.diffId) ?? 0) + 1);
    this.importing++;
    try {
      // Layers of one image in parallel, at most three at a time (Docker's max-concurrent-downloads).
      await forEachLimited(img.layers, MAX_PARALLEL_LAYERS, (l) => this.ensureLayer(l));
      return await this.lock.run(async () => {
        await this.putBlob(img.configBytes);
        await this.putBlob(img.manifestBytes);
        const now = this.clock.now();
        const existing = await this.getById(img.id);
        const record: ImageRecord = {
          id: img.id,
          manifestDigest: img.manifestDigest,
          repoTags: union(existing?.repoTags ?? [], img.repoTags),
          repoDigests: union(existing?.repoDigests ?? [], img.repoDigests),
          layers: img.layers.map(({ diffId, digest, size }) => ({ diffId, digest, size })),
          sizeBytes: img.configBytes.length + img.layers.reduce((n, l) => n + l.size, 0),
          runtime: img.runtime,
          createdAt: existing?.createdAt ?? now,
          lastUsedAt: now,
        };
        for (const other of await this.list()) {
          if (other.id === img.id) continue;
          const tags = other.repoTags.filter((t) => !img.repoTags.includes(t));
          if (tags.length !== other.repoTags.length) await this.writeRecord({ ...other, repoTags: tags });
        }
        await this.writeRecord(record);
        return record;
      });
    } finally {
      this.importing--;
      for (const l of img.layers) {
        const n = (this.pinned.get(l.diffId) ?? 1) - 1;
        if (n <= 0) this.pinned.delete(l.diffId);
        else this.pinned.set(l.diffId, n);
      }
    }
  }

  private async writeRecord(r: ImageRecord): Promise<void> {
    this.listCache = undefined;
    await writeFileAtomic(this.imagePath(r.id), JSON.stringify(r), this.tmp);
    this.listCache = undefined;
  }

  /**
   * Every image record. Cached while the images directory's mtime stays the same (renames into it and
   * deletions change it); our own writes drop the cache, so only another process's write inside one
   * timestamp tick could be missed, until the next change.
   */
  async list(): Promise<ImageRecord[]> {
    const dir = join(this.root, 'images');
    const mtime = (await stat(dir)).mtimeMs;
    if (this.listCache?.mtime === mtime) return this.listCache.records.map((r) => structuredClone(r));
    const out: ImageRecord[] = [];
    for (const name of await readdir(dir)) {
      if (!name.endsWith('.json')) continue;
      const r = await readJsonIfExists<ImageRecord>(join(dir, name));
      if (r) out.push(r);
    }
    out.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    this.listCache = { mtime, records: out.map((r) => structuredClone(r)) };
    return out;
  }

  async getById(id: string): Promise<ImageRecord | undefined> {
    return readJsonIfExists<ImageRecord>(this.imagePath(id));
  }

  /** An image by id (`sha256:…`), by reference (normalized here), or by a unique id prefix of 12+ hex digits. */
  async find(imageOrRef: string): Promise<ImageRecord | undefined> {
    if (isImageId(imageOrRef)) return this.getById(imageOrRef);
    if (/^(sha256:)?[a-f0-9]{12,63}$/.test(imageOrRef)) {
      const prefix = imageOrRef.replace(/^sha256:/, '');
      const hits = (await this.list()).filter((r) => hex(r.id).startsWith(prefix));
      if (hits.length === 1) return hits[0];
    }
    let ref;
    try {
      ref = parseReference(imageOrRef);
    } catch {
      return undefined;
    }
    const images = await this.list();
    if (ref.digest !== undefined) {
      const wanted = `${repositoryName(ref)}@${ref.digest}`;
      return images.find((r) => r.repoDigests.includes(wanted) || r.manifestDigest === ref.digest);
    }
    const tag = `${repositoryName(ref)}:${ref.tag ?? 'latest'}`;
    return images.find((r) => r.repoTags.includes(tag));
  }

  /** Records that a container was made from the image now (for least-recently-used collection). */
  async touch(id: string): Promise<void> {
    await this.lock.run(async () => {
      const r = await this.getById(id);
      if (r) await this.writeRecord({ ...r, lastUsedAt: this.clock.now() });
    });
  }

  /**
   * Removes the image with all its tags, then the layers and blobs no other image uses.
   * Returns false when there was no such image (removal is idempotent).
   */
  async remove(imageOrRef: string): Promise<boolean> {
    const r = await this.find(imageOrRef);
    if (!r) return false;
    await this.lock.run(async () => {
      this.listCache = undefined;
      await rm(this.imagePath(r.id), { force: true });
      this.listCache = undefined;
      const rest = await this.list();
      const layersInUse = new Set(rest.flatMap((o) => o.layers.map((l) => l.diffId)));
      for (const l of r.layers) {
        if (layersInUse.has(l.diffId) || this.pinned.has(l.diffId)) continue;
        await this.removeLayer(l.diffId);
      }
      const blobsInUse = new Set(rest.flatMap((o) => [o.id, o.manifestDigest]));
      for (const b of [r.id, r.manifestDigest])
        if (!blobsInUse.has(b)) await rm(this.blobPath(b), { force: true });
    });
    return true;
  }

  /** Deletes layers and blobs no image uses (left by a crash between removing an image and its layers). */
  async pruneUnreferenced(): Promise<{ layers: number; blobs: number }> {
    return this.lock.run(async () => {
      const images = await this.list();
      const layersInUse = new Set(images.flatMap((o) => o.layers.map((l) => l.diffId)));
      const blobsInUse = new Set(images.flatMap((o) => [o.id, o.manifestDigest]));
      const pruned = { layers: 0, blobs: 0 };
      for (const h of await readdir(join(this.root, 'layers', 'sha256'))) {
        const diffId = `sha256:${h}`;
        if (layersInUse.has(diffId) || this.pinned.has(diffId) || this.layerFlight.has(diffId)) continue;
        await this.removeLayer(diffId);
        pruned.layers++;
      }
      for (const h of await readdir(join(this.root, 'blobs', 'sha256'))) {
        if (blobsInUse.has(`sha256:${h}`) || this.importing > 0) continue;
        await rm(join(this.root, 'blobs', 'sha256', h), { force: true });
        pruned.blobs++;
      }
      return pruned;
    });
  }

  /** Moves the layer into tmp first so a half-deleted layer is never seen as present. */
  private async removeLayer(diffId: string): Promise<void> {
    const doomed = join(this.tmp, tempName('rm-layer'));
    try {
      await rename(this.layerRoot(diffId), doomed);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    await rm(doomed, { recursive: true, force: true });
  }

  /** Bytes the store's unpacked layers and blobs hold (from the layer records plus blob sizes). */
  async usage(): Promise<{ bytes: number; inodes: number }> {
    let bytes = 0;
    let inodes = 0;
    for (const l of await this.listLayers()) {
      bytes += l.bytes;
      inodes += l.entries;
    }
    const blobDir = join(this.root, 'blobs', 'sha256');
    for (const name of await readdir(blobDir)) {
      const s = await stat(join(blobDir, name)).catch(() => undefined);
      if (s) {
        bytes += s.size;
        inodes++;
      }
    }
    return { bytes, inodes };
  }
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}
