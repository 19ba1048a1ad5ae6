/**
 * Prepares a pod's volumes as host directories under `<root>/pods/<uid>/volumes/<plugin>/<name>` (upstream's
 * layout, plugin names `kubernetes.io~<plugin>`); the runtime bind-mounts them. Setting up again refreshes
 * configMap, secret, downwardAPI and projected contents in place through the atomic writer.
 */
import type { PersistentVolume, PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1.js';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { ephemeralClaimName } from '../../api/ephemeral-volumes.js';
import { isControlledBy } from '../../api/owners.js';
import { LOCAL_PATH_PROVISIONER } from '../../api/storage-classes.js';
import { parseQuantity, quantityValue } from '../../api/quantity.js';
import type { DownwardContext } from '../downward-api.js';
import { writeAtomic, type Payload } from './atomic-writer.js';
import { checkHostPathType } from './host-path.js';
import { setVolumeOwnership } from './ownership.js';
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
  /** Internal: the atomic writer replaced the files in this set-up. */
  rewritten?: boolean;
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
  private readonly owned = new Set<string>();
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
  async setUp(
    pod: Pod,
    ctx: DownwardContext,
    /** The pod already has a sandbox (it ran before this agent restarted, say): its claims are in use. */
    started = false,
  ): Promise<Map<string, MountedVolume>> {
    const out = new Map<string, MountedVolume>();
    for (const v of pod.spec?.volumes ?? []) {
      try {
        const mounted = await this.setUpOne(pod, v, ctx, started);
        // Ownership is set when a volume is first set up and when its files were rewritten.
        const key = `${pod.metadata?.uid ?? ''}/${v.name}`;
        if (!this.owned.has(key) || mounted.rewritten) await this.applyFsGroup(pod, v, mounted);
        this.owned.add(key);
        delete mounted.rewritten;
        out.set(v.name, mounted);
      } catch (err) {
        if (err instanceof VolumeSetupError) throw err;
        throw new VolumeSetupError(v.name, err instanceof Error ? err.message : String(err));
      }
    }
    return out;
  }

  /** Removes everything the kubelet made for the pod (never the contents of hostPath or PV volumes). */
  async tearDown(uid: string): Promise<void> {
    for (const k of this.owned) if (k.startsWith(`${uid}/`)) this.owned.delete(k);
    this.objects.forgetPod?.(uid);
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

  /** fsGroup applies to the volume kinds the kubelet owns (all but hostPath) and to claimed volumes. */
  private async applyFsGroup(pod: Pod, v: Volume, m: MountedVolume): Promise<void> {
    const fsGroup = pod.spec?.securityContext?.fsGroup;
    if (fsGroup === undefined || v.hostPath) return;
    await setVolumeOwnership(m.hostPath, fsGroup, {
      readOnly: m.readOnly && !v.persistentVolumeClaim && !v.ephemeral,
      ...(pod.spec?.securityContext?.fsGroupChangePolicy
        ? { policy: pod.spec.securityContext.fsGroupChangePolicy }
        : {}),
    });
  }

  private async setUpOne(
    pod: Pod,
    v: Volume,
    ctx: DownwardContext,
    started: boolean,
  ): Promise<MountedVolume> {
    const uid = pod.metadata?.uid ?? '';
    const ns = pod.metadata?.namespace ?? '';
    const atomic = async (plugin: string, payload: Payload): Promise<MountedVolume> => {
      const dir = this.volumeDir(uid, plugin, v.name);
      // fsGroup adds group read to every file: put it in the payload so an unchanged set stays unchanged.
      if (pod.spec?.securityContext?.fsGroup !== undefined) {
        for (const f of payload.values()) f.mode |= 0o440;
      }
      const rewritten = await writeAtomic(dir, payload);
      if (rewritten) return { hostPath: dir, readOnly: true, rewritten };
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
    // A claim being deleted may not be taken into use; one this pod already uses stays (upstream's populator).
    const first = !started && !this.owned.has(`${pod.metadata?.uid ?? ''}/${v.name}`);
    if (v.persistentVolumeClaim) return this.claimPath(ns, v.persistentVolumeClaim, first);
    if (v.ephemeral) return this.claimPath(ns, { claimName: ephemeralClaimName(pod, v) }, first, pod);
    throw new Error('unsupported volume type');
  }

  /** The claim's volume; `ephemeralFor`: a generic ephemeral volume's claim, which must be this pod's. */
  private async claimPath(
    ns: string,
    ref: { claimName: string; readOnly?: boolean },
    firstUse: boolean,
    ephemeralFor?: Pod,
  ): Promise<MountedVolume> {
    const pvc = await this.objects.persistentVolumeClaim(ns, ref.claimName);
    if (!pvc) throw new Error(`persistentvolumeclaim "${ref.claimName}" not found`);
    if (firstUse && pvc.metadata?.deletionTimestamp) {
      throw new Error(`error processing PVC ${ns}/${ref.claimName}: PVC is being deleted`);
    }
    if (ephemeralFor && !isControlledBy(pvc, ephemeralFor)) {
      const pod = `${ns}/${ephemeralFor.metadata?.name ?? ''}`;
      throw new Error(`PVC ${ns}/${ref.claimName} was not created for pod ${pod} (pod is not owner)`);
    }
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
    else if ((await fs.mkdir(path, { recursive: true })) && isLocalPathVolume(pv)) {
      // Just created for a provisioned volume: writable by any container user, as k3s's local-path does.
      await fs.chmod(path, 0o777);
    }
    return { hostPath: path, readOnly: ref.readOnly ?? false };
  }
}

function isLocalPathVolume(pv: PersistentVolume): boolean {
  return pv.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'] === LOCAL_PATH_PROVISIONER;
}
