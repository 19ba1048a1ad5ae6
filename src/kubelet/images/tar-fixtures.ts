/** Builds small tar and image fixtures for tests. */
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import type { Header } from 'tar-stream';
import { sha256Digest } from './manifest.js';

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
