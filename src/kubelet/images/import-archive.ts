/**
 * Imports image archives for air-gapped nodes: OCI image layout archives (`skopeo copy … oci-archive:F`,
 * `docker save` of recent Docker) and docker-save tarballs (`manifest.json` with Config/RepoTags/Layers).
 * The archive is first extracted into the store's tmp directory (archives have no index, members come in
 * any order); every blob is verified against its digest as it is read.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { DigestMismatchError, DigestStream } from './digest-stream.js';
import { tempName } from './fs-util.js';
import type { ImageRecord, ImageStore, LayerSource } from './image-store.js';
import {
  DIGEST_RE,
  ManifestError,
  MediaType,
  hostPlatform,
  parseImageConfig,
  parseManifest,
  selectPlatform,
  sha256Digest,
  type Descriptor,
  type Platform,
} from './manifest.js';
import { normalizeReference } from './reference.js';
import { entryPath } from './unpack-layer.js';

export class ArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveError';
  }
}

/** Imports every image in the archive; resolves with their records. */
export async function importArchive(
  store: ImageStore,
  file: string,
  platform: Platform = hostPlatform(),
): Promise<ImageRecord[]> {
  const dir = join(store.root, 'tmp', tempName('import'));
  await mkdir(dir, { recursive: true });
  try {
    await extractFiles(file, dir);
    const has = async (name: string): Promise<boolean> =>
      readFile(join(dir, name)).then(
        () => true,
        () => false,
      );
    if (await has('manifest.json')) return await importDockerSave(store, dir);
    if (await has('index.json')) return await importOciLayout(store, dir, platform);
    throw new ArchiveError(
      `${file}: neither an OCI image layout (index.json) nor a docker-save archive (manifest.json)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Regular files only; nothing leaves `dir`. */
async function extractFiles(file: string, dir: string): Promise<void> {
  const extract = tar.extract();
  const feeding = pipeline(createReadStream(file), extract);
  feeding.catch(() => undefined);
  const dirs = new Set<string>();
  for await (const entry of extract) {
    const rel = entryPath(entry.header.name);
    if (entry.header.type !== 'file' || rel === '') {
      entry.resume();
      continue;
    }
    const parent = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
    if (parent !== '' && !dirs.has(parent)) {
      await mkdir(join(dir, parent), { recursive: true });
      dirs.add(parent);
    }
    await pipeline(entry, createWriteStream(join(dir, rel), { flags: 'w' }));
  }
  await feeding;
}

async function readJson<T>(path: string, what: string): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (err) {
    throw new ArchiveError(`${what}: ${(err as Error).message}`);
  }
}

/** Reads a blob of an OCI layout and verifies it. */
async function ociBlob(dir: string, digest: string): Promise<Buffer> {
  if (!DIGEST_RE.test(digest)) throw new ArchiveError(`unsupported digest ${digest}`);
  const bytes = await readFile(join(dir, 'blobs', 'sha256', digest.slice(7))).catch(() => {
    throw new ArchiveError(`blob ${digest} is missing from the archive`);
  });
  const actual = sha256Digest(bytes);
  if (actual !== digest) throw new DigestMismatchError(`blob ${digest}`, digest, actual);
  return bytes;
}

function fileLayer(path: string, digest: string, diffId: string, size: number): LayerSource {
  return { digest, diffId, size, open: () => Promise.resolve(createReadStream(path)) };
}

/** The image name an OCI index entry carries, when it is a full reference and not only a tag. */
function nameOf(d: Descriptor): string | undefined {
  const a = d.annotations ?? {};
  const name = a['io.containerd.image.name'] ?? a['org.opencontainers.image.ref.name'];
  if (name === undefined || !/[/:]/.test(name)) return undefined;
  try {
    return normalizeReference(name);
  } catch {
    return undefined;
  }
}

async function importOciLayout(store: ImageStore, dir: string, platform: Platform): Promise<ImageRecord[]> {
  const index = parseManifest(await readFile(join(dir, 'index.json')), MediaType.ociIndex);
  if (index.kind !== 'index') throw new ArchiveError('index.json is not an image index');
  const out: ImageRecord[] = [];
  for (const top of index.manifests) {
    let desc: Descriptor | undefined = top;
    let bytes = await ociBlob(dir, desc.digest);
    let doc = parseManifest(bytes, desc.mediaType);
    while (doc.kind === 'index') {
      desc = selectPlatform(doc, platform);
      if (!desc) throw new ArchiveError(`no ${platform.os}/${platform.architecture} image in ${top.digest}`);
      bytes = await ociBlob(dir, desc.digest);
      doc = parseManifest(bytes, desc.mediaType);
    }
    const configBytes = await ociBlob(dir, doc.config.digest);
    const config = parseImageConfig(configBytes);
    if (config.diffIds.length !== doc.layers.length)
      throw new ArchiveError(`${desc.digest}: config and manifest disagree on the number of layers`);
    const name = nameOf(top);
    out.push(
      await store.addImage({
        id: doc.config.digest,
        configBytes,
        manifestDigest: desc.digest,
        manifestBytes: bytes,
        runtime: config.runtime,
        layers: doc.layers.map((l, i) =>
          fileLayer(join(dir, 'blobs', 'sha256', l.digest.slice(7)), l.digest, config.diffIds[i]!, l.size),
        ),
        repoTags: name ? [name] : [],
        repoDigests: [],
      }),
    );
  }
  return out;
}

interface DockerSaveEntry {
  Config?: unknown;
  RepoTags?: unknown;
  Layers?: unknown;
}

async function importDockerSave(store: ImageStore, dir: string): Promise<ImageRecord[]> {
  const entries = await readJson<DockerSaveEntry[]>(join(dir, 'manifest.json'), 'manifest.json');
  if (!Array.isArray(entries)) throw new ArchiveError('manifest.json is not a list');
  const out: ImageRecord[] = [];
  for (const e of entries) {
    if (
      typeof e.Config !== 'string' ||
      !Array.isArray(e.Layers) ||
      e.Layers.some((l) => typeof l !== 'string')
    )
      throw new ArchiveError('manifest.json entry without Config or Layers');
    const configBytes = await readFile(join(dir, entryPath(e.Config)));
    const id = sha256Digest(configBytes);
    let config;
    try {
      config = parseImageConfig(configBytes);
    } catch (err) {
      if (err instanceof ManifestError) throw new ArchiveError(`${e.Config}: ${err.message}`);
      throw err;
    }
    const layerFiles = (e.Layers as string[]).map((l) => join(dir, entryPath(l)));
    if (config.diffIds.length !== layerFiles.length)
      throw new ArchiveError(`${e.Config}: config and manifest.json disagree on the number of layers`);
    // The store verifies blobs against a digest given up front: hash each layer file first (local, fast).
    const layers: LayerSource[] = [];
    for (const [i, path] of layerFiles.entries()) {
      const d = new DigestStream();
      await pipeline(createReadStream(path), d, async (s: AsyncIterable<Buffer>) => {
        for await (const _ of s) void _;
      });
      layers.push(fileLayer(path, d.digest(), config.diffIds[i]!, d.bytes));
    }
    const manifestBytes = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.dockerManifest,
        config: {
          mediaType: 'application/vnd.docker.container.image.v1+json',
          digest: id,
          size: configBytes.length,
        },
        layers: layers.map((l) => ({
          mediaType: 'application/vnd.docker.image.rootfs.diff.tar',
          digest: l.digest,
          size: l.size,
        })),
      }),
    );
    const tags = Array.isArray(e.RepoTags)
      ? e.RepoTags.filter((t): t is string => typeof t === 'string')
      : [];
    out.push(
      await store.addImage({
        id,
        configBytes,
        manifestDigest: sha256Digest(manifestBytes),
        manifestBytes,
        runtime: config.runtime,
        layers,
        repoTags: tags.map((t) => normalizeReference(t)),
        repoDigests: [],
      }),
    );
  }
  return out;
}
