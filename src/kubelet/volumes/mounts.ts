/** A container's volumeMounts → CRI mounts (subPath, subPathExpr, readOnly, propagation). */
import type { Container } from 'kubernetes-types/core/v1.js';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { KeyValue, Mount, MountPropagation } from '../cri/types.js';
import { expand, mappingFor } from '../expansion.js';
import type { MountedVolume } from './volume-manager.js';

function propagation(p: string | undefined): MountPropagation {
  if (p === 'HostToContainer') return 'host-to-container';
  if (p === 'Bidirectional') return 'bidirectional';
  return 'private';
}

function checkSubPath(sub: string): void {
  if (sub.startsWith('/')) throw new Error(`subPath ${sub} must not be an absolute path`);
  if (sub.split('/').includes('..')) throw new Error(`subPath ${sub} must not contain '..'`);
}

export async function makeMounts(
  container: Container,
  volumes: Map<string, MountedVolume>,
  env: KeyValue[],
): Promise<Mount[]> {
  const mounts: Mount[] = [];
  for (const vm of container.volumeMounts ?? []) {
    const vol = volumes.get(vm.name);
    if (!vol) throw new Error(`cannot find volume "${vm.name}" to mount into container "${container.name}"`);
    let sub = vm.subPath ?? '';
    if (vm.subPathExpr) sub = expand(vm.subPathExpr, mappingFor(new Map(env.map((e) => [e.key, e.value]))));
    let hostPath = vol.hostPath;
    if (sub) {
      checkSubPath(sub);
      if (vol.tmpfsSizeBytes !== undefined)
        throw new Error(`subPath is not supported on memory volume "${vm.name}"`);
      hostPath = join(vol.hostPath, sub);
      try {
        await fs.lstat(hostPath);
      } catch {
        await fs.mkdir(hostPath, { recursive: true, mode: 0o755 });
      }
      // A symlink inside the volume must not lead the mount out of it.
      const base = await fs.realpath(vol.hostPath);
      const real = await fs.realpath(hostPath);
      if (real !== base && !real.startsWith(`${base}/`)) {
        throw new Error(`subpath ${sub} of volume "${vm.name}" resolves outside the volume`);
      }
    }
    const m: Mount = {
      containerPath: vm.mountPath,
      hostPath,
      readonly: Boolean(vm.readOnly) || vol.readOnly,
      propagation: propagation(vm.mountPropagation),
    };
    if (vol.tmpfsSizeBytes !== undefined && !sub) m.tmpfsSizeBytes = vol.tmpfsSizeBytes;
    mounts.push(m);
  }
  return mounts;
}
