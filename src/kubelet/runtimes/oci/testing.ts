/**
 * Test support: a one-layer busybox image built from the host's busybox-static (no registry needed), served by
 * an in-memory ImageLayerSource.
 */
import { chmod, mkdir, symlink, copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImageLayerSource } from '../../cri/services.js';
import type { ContainerConfig, ImageRuntimeConfig } from '../../cri/types.js';
import { run } from '../common/run.js';
import { which } from './detect.js';

export const BUSYBOX_IMAGE = 'sha256:tugboat-test-busybox';

/** A plain unprivileged container `main` of the busybox image, in the pod's network and IPC namespaces. */
export function busyboxContainer(command: string[]): ContainerConfig {
  return {
    metadata: { name: 'main', attempt: 0 },
    image: { image: BUSYBOX_IMAGE },
    command,
    args: [],
    envs: [],
    mounts: [],
    labels: {},
    annotations: {},
    logPath: 'main/0.log',
    stdin: false,
    stdinOnce: false,
    tty: false,
    linux: {
      resources: {},
      securityContext: {
        privileged: false,
        namespaceOptions: { network: 'pod', pid: 'container', ipc: 'pod' },
        readonlyRootfs: false,
        supplementalGroups: [],
        noNewPrivs: false,
      },
    },
  };
}

export async function buildBusyboxLayer(dir: string): Promise<string> {
  const busybox = await which('busybox');
  if (!busybox) throw new Error('busybox not found (apt-get install busybox-static)');
  const bin = path.join(dir, 'bin');
  await mkdir(bin, { recursive: true });
  await copyFile(busybox, path.join(bin, 'busybox'));
  await chmod(path.join(bin, 'busybox'), 0o755);
  const applets = (await run([busybox, '--list'])).stdout.split('\n').filter((a) => a && a !== 'busybox');
  for (const a of applets) await symlink('busybox', path.join(bin, a));
  for (const d of ['etc', 'tmp', 'proc', 'sys', 'dev', 'root', 'var/www'])
    await mkdir(path.join(dir, d), { recursive: true });
  await chmod(path.join(dir, 'tmp'), 0o1777);
  await writeFile(
    path.join(dir, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\napp:x:1000:1000:app:/tmp:/bin/sh\n',
  );
  await writeFile(path.join(dir, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\napp:x:1000:\n');
  await writeFile(path.join(dir, 'var/www/index.html'), 'hello from busybox\n');
  return dir;
}

export class StaticImages implements ImageLayerSource {
  private readonly images = new Map<string, { layerDirs: string[]; config: ImageRuntimeConfig }>();

  add(id: string, layerDirs: string[], config: Partial<ImageRuntimeConfig> = {}): void {
    this.images.set(id, {
      layerDirs,
      config: { entrypoint: [], cmd: ['sh'], env: ['PATH=/bin'], workingDir: '/', user: '', ...config },
    });
  }

  layers(imageId: string): Promise<{ layerDirs: string[]; config: ImageRuntimeConfig }> {
    const img = this.images.get(imageId);
    if (!img) return Promise.reject(new Error(`image ${imageId} not found`));
    return Promise.resolve(img);
  }
}
