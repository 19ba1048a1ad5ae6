/**
 * Runtime selection for `--container-runtime auto|oci|process`: oci where the agent is root and runc (or crun)
 * with conmon really runs a container and the CNI plugins are present; otherwise the process runtime, with the
 * reasons oci was not chosen.
 */
import path from 'node:path';
import type { ImageLayerSource, RuntimeService } from '../cri/services.js';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import { CniNetwork } from './oci/cni.js';
import { detectOciRuntime } from './oci/detect.js';
import { OciRuntime } from './oci/runtime.js';
import { ProcessRuntime } from './process/runtime.js';

export { OciRuntime } from './oci/runtime.js';
export { ProcessRuntime, NO_ISOLATION_WARNING } from './process/runtime.js';
export { runRuntimeContract } from './contract.js';
export { RuntimeNotFoundError, RuntimeStateError, isNotFound } from './common/errors.js';
export { RunAsNonRootError } from './oci/user.js';
export { detectOciRuntime } from './oci/detect.js';

export type RuntimeKind = 'auto' | 'oci' | 'process';

export interface SelectRuntimeOptions {
  kind: RuntimeKind;
  /** The agent's data dir; each runtime keeps its state in its own subdirectory. */
  dataDir: string;
  images: ImageLayerSource;
  /** Empty when the server has not assigned one yet (updateRuntimeConfig gives it later). */
  podCidr: string;
  hostIp?: string;
  /** Prefer one OCI binary instead of crun-then-runc. */
  ociBinary?: 'runc' | 'crun';
  cniBinDir?: string;
  bridgeName?: string;
  /** MTU of pod interfaces (default the bridge plugin's: that of the host's link, usually 1500). */
  podMtu?: number;
  clock?: Clock;
  logger?: Logger;
}

export interface SelectedRuntime {
  kind: 'oci' | 'process';
  runtime: RuntimeService;
  /** Why oci was not used (empty when it was). */
  rejected: string[];
}

export async function selectRuntime(opts: SelectRuntimeOptions): Promise<SelectedRuntime> {
  const rejected: string[] = [];
  if (opts.kind !== 'process') {
    const detection = await detectOciRuntime(opts.ociBinary);
    rejected.push(...detection.rejected);
    const cniBinDir = opts.cniBinDir ?? '/usr/lib/cni';
    const missing = await new CniNetwork({
      binDir: cniBinDir,
      confDir: '',
      networkName: '',
      bridgeName: '',
      podCidr: opts.podCidr,
      ipMasq: true,
    }).missingPlugins();
    if (missing.length) rejected.push(`CNI plugins missing in ${cniBinDir}: ${missing.join(', ')}`);
    if (detection.runtime && detection.conmonPath && missing.length === 0) {
      const runtime = new OciRuntime({
        stateDir: path.join(opts.dataDir, 'oci'),
        runtime: detection.runtime,
        handlers: detection.handlers,
        conmonPath: detection.conmonPath,
        images: opts.images,
        podCidr: opts.podCidr,
        cniBinDir,
        ...(opts.hostIp ? { hostIp: opts.hostIp } : {}),
        ...(opts.bridgeName ? { bridgeName: opts.bridgeName } : {}),
        ...(opts.podMtu ? { podMtu: opts.podMtu } : {}),
        ...(opts.clock ? { clock: opts.clock } : {}),
      });
      return { kind: 'oci', runtime, rejected: [] };
    }
    if (opts.kind === 'oci') throw new Error(`the oci runtime is not usable here: ${rejected.join('; ')}`);
  }
  const runtime = new ProcessRuntime({
    stateDir: path.join(opts.dataDir, 'process'),
    images: opts.images,
    ...(opts.hostIp ? { hostIp: opts.hostIp } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(rejected.length ? { ociRejected: rejected } : {}),
  });
  return { kind: 'process', runtime, rejected };
}
