/**
 * Prepares a pod's volumes as host directories under `<root>/pods/<uid>/volumes/<plugin>/<name>` (upstream's
 * layout, plugin names `kubernetes.io~<plugin>`); the runtime bind-mounts them. Setting up again refreshes
 * configMap, secret, downwardAPI and projected contents in place through the atomic writer.
 */
import type { PersistentVolume, PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1.js';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { parseQuantity, quantityValue } from '../../api/quantity.js';
import type { DownwardContext } from '../downward-api.js';
import { writeAtomic, type Payload } from './atomic-writer.js';
import { checkHostPathType } from './host-path.js';
import {
  configMapPayload,
  DEFAULT_MODE,
  downwardApiPayload,
  projectedPayload,
  secretPayload,
  type ObjectSource,
} from './payloads.js';

export interface VolumeObjects extends ObjectSource {
  persistentVolumeClaim(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined>;
  persistentVolume(name: string): Promise<PersistentVolume | undefined>;
}

export interface MountedVolume {
  hostPath: string;
  readOnly: boolean;
  /** Set for `emptyDir.medium: Memory`: the runtime mounts a tmpfs of this size. */
  tmpfsSizeBytes?: number;
}

/** Which volume failed and why: the kubelet reports it as a FailedMount event. */
export class VolumeSetupError extends Error {
  constructor(
    readonly volume: string,
    cause: string,
  ) {
    super(`MountVolume.SetUp failed for volume "${volume}" : ${cause}`);
  }
}

export class VolumeManager {
  constructor(
    readonly rootDir: string,
    private readonly objects: VolumeObjects,
  ) {}

  podDir(uid: string): string {
    return join(this.rootDir, 'pods', uid);
  }

  volumeDir(uid: string, plugin: string, name: string): string {
    return join(this.podDir(uid), 'volumes', `kubernetes.io~${plugin}`, name);
  }

  /** Sets up (or refreshes) every volume of the pod. */
  async setUp(pod: Pod, ctx: DownwardContext): Promise<Map<string, MountedVolume>> {
    const out = new Map<string, MountedVolume>();
    for (const v of pod.spec?.volumes ?? []) {
      try {
        out.set(v.name, await this.setUpOne(pod, v, ctx));
      } catch (err) {
        if (err instanceof VolumeSetupError) throw err;
        throw new VolumeSetupError(v.name, err instanceof Error ? err.message : String(err));
      }
    }
    return out;
  }

  /** Removes everything the kubelet made for the pod (never the contents of hostPath or PV volumes). */
  async tearDown(uid: string): Promise<void> {
    await fs.rm(this.podDir(uid), { recursive: true, force: true });
  }

  /** Uids of pods that have a directory here (for cleaning up after pods that are gone). */
  async podUids(): Promise<string[]> {
    try {
      return await fs.readdir(join(this.rootDir, 'pods'));
    } catch {
      return [];
    }
  }

  private async setUpOne(pod: Pod, v: Volume, ctx: DownwardContext): Promise<MountedVolume> {
    const uid = pod.metadata?.uid ?? '';
    const ns = pod.metadata?.namespace ?? '';
    const atomic = async (plugin: string, payload: Payload): Promise<MountedVolume> => {
      const dir = this.volumeDir(uid, plugin, v.name);
      await writeAtomic(dir, payload);
      return { hostPath: dir, readOnly: true };
    };
    if (v.emptyDir) {
      const dir = this.volumeDir(uid, 'empty-dir', v.name);
      await fs.mkdir(dir, { recursive: true, mode: 0o777 });
      await fs.chmod(dir, 0o777);
      if (v.emptyDir.medium === 'Memory') {
        const limit = v.emptyDir.sizeLimit ?? ctx.allocatable.memory;
        const size = limit !== undefined ? Number(quantityValue(parseQuantity(String(limit)))) : undefined;
        return { hostPath: dir, readOnly: false, ...(size ? { tmpfsSizeBytes: size } : {}) };
      }
      return { hostPath: dir, readOnly: false };
    }
    if (v.hostPath) {
      await checkHostPathType(v.hostPath.path, v.hostPath.type);
      return { hostPath: v.hostPath.path, readOnly: false };
    }
    if (v.configMap) {
      const mode = v.configMap.defaultMode ?? DEFAULT_MODE;
      return atomic('configmap', await configMapPayload(this.objects, ns, v.configMap, mode));
    }
    if (v.secret) {
      const mode = v.secret.defaultMode ?? DEFAULT_MODE;
      const ref = { name: v.secret.secretName ?? '', ...v.secret };
      return atomic('secret', await secretPayload(this.objects, ns, ref, mode));
    }
    if (v.downwardAPI) {
      const mode = v.downwardAPI.defaultMode ?? DEFAULT_MODE;
      return atomic('downward-api', downwardApiPayload(v.downwardAPI.items ?? [], ctx, mode));
    }
    if (v.projected) return atomic('projected', await projectedPayload(this.objects, pod, v.projected, ctx));
    if (v.persistentVolumeClaim) return this.claimPath(ns, v.persistentVolumeClaim);
    throw new Error('unsupported volume type');
  }

  private async claimPath(
    ns: string,
    ref: { claimName: string; readOnly?: boolean },
  ): Promise<MountedVolume> {
    const pvc = await this.objects.persistentVolumeClaim(ns, ref.claimName);
    if (!pvc) throw new Error(`persistentvolumeclaim "${ref.claimName}" not found`);
    const volumeName = pvc.spec?.volumeName ?? '';
    if (pvc.status?.phase !== 'Bound' || !volumeName) {
      throw new Error(
        `PVC ${ns}/${ref.claimName} has non-bound phase ("${pvc.status?.phase ?? ''}") or empty pvc.Spec.VolumeName ("${volumeName}")`,
      );
    }
    const pv = await this.objects.persistentVolume(volumeName);
    if (!pv) throw new Error(`persistentvolume "${volumeName}" not found`);
    const path = pv.spec?.hostPath?.path ?? pv.spec?.local?.path;
    if (!path) throw new Error(`persistentvolume "${volumeName}" has no hostPath or local path`);
    if (pv.spec?.hostPath) await checkHostPathType(path, pv.spec.hostPath.type);
    else await fs.mkdir(path, { recursive: true });
    return { hostPath: path, readOnly: ref.readOnly ?? false };
  }
}
