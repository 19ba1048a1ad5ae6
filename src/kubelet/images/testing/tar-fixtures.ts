/** Builds small tar and image fixtures for tests. */
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import type { Header } from 'tar-stream';
import { sha256Digest } from '../manifest.js';

export type FixtureEntry = Partial<Header> & { name: string; content?: string | Buffer };

export async function makeTar(entries: FixtureEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const { content, ...header } of entries) {
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (content !== undefined) pack.entry({ mtime: new Date(0), ...header }, content, cb);
      else pack.entry({ mtime: new Date(0), ...header }, cb);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export interface FixtureLayer {
  tar: Buffer;
  gz: Buffer;
  diffId: string;
  digest: string;
}

export async function makeLayer(entries: FixtureEntry[]): Promise<FixtureLayer> {
  const t = await makeTar(entries);
  const gz = gzipSync(t);
  return { tar: t, gz, diffId: sha256Digest(t), digest: sha256Digest(gz) };
}

/** An image config for the given layers. */
export function makeConfig(layers: FixtureLayer[], cmd: string[] = ['/bin/sh'], arch = 'amd64'): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: arch,
      os: 'linux',
      config: { Cmd: cmd, Env: ['PATH=/bin'], WorkingDir: '/' },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    }),
  );
}

/** A docker-save tarball of one image (uncompressed layers, as `docker save` writes them). */
export async function makeDockerSave(
  tags: string[],
  layers: FixtureLayer[],
): Promise<{ tar: Buffer; id: string }> {
  const config = makeConfig(layers);
  const id = sha256Digest(config);
  const entries: FixtureEntry[] = [
    { name: `${id.slice(7)}.json`, content: config },
    ...layers.map((l) => ({ name: `${l.diffId.slice(7)}/layer.tar`, content: l.tar })),
    {
      name: 'manifest.json',
      content: JSON.stringify([
        {
          Config: `${id.slice(7)}.json`,
          RepoTags: tags,
          Layers: layers.map((l) => `${l.diffId.slice(7)}/layer.tar`),
        },
      ]),
    },
  ];
  return { tar: await makeTar(entries), id };
}

/** An OCI image layout archive of one image (gzip layers), its index entry named `refName`. */
export async function makeOciArchive(
  refName: string,
  layers: FixtureLayer[],
): Promise<{ tar: Buffer; id: string }> {
  const config = makeConfig(layers);
  const id = sha256Digest(config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: id, size: config.length },
      layers: layers.map((l) => ({
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: l.digest,
        size: l.gz.length,
      })),
    }),
  );
  const index = {
    schemaVersion: 2,
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: sha256Digest(manifest),
        size: manifest.length,
        annotations: { 'org.opencontainers.image.ref.name': refName },
      },
    ],
  };
  const blob = (digest: string, content: Buffer): FixtureEntry => ({
    name: `blobs/sha256/${digest.slice(7)}`,
    content,
  });
  const entries: FixtureEntry[] = [
    { name: 'oci-layout', content: '{"imageLayoutVersion":"1.0.0"}' },
    { name: 'index.json', content: JSON.stringify(index) },
    blob(sha256Digest(manifest), manifest),
    blob(id, config),
    ...layers.map((l) => blob(l.digest, l.gz)),
  ];
  return { tar: await makeTar(entries), id };
}
