import { join } from 'node:path';
import { ApiClient, type ClientConfig, type Stoppable } from '../client/index.js';
import { realClock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';

export type ContainerRuntimeKind = 'auto' | 'oci' | 'process';

export interface AgentOptions {
  dataDir: string;
  nodeName: string;
  client: ClientConfig;
  containerRuntime: ContainerRuntimeKind;
  logger: Logger;
}

/**
 * The node agent for this host: the image store under `DATA_DIR/agent/images`, the container runtime
 * (`--container-runtime`: oci where root and runc/crun with the CNI plugins work, else the process runtime)
 * and the kubelet. The runtime starts without a pod network; the node's pod CIDR reaches it once the server's
 * node IPAM controller has assigned one (CRI's UpdateRuntimeConfig).
 */
export async function startAgent(opts: AgentOptions): Promise<Stoppable> {
  const [{ openNodeImageService }, { selectRuntime }, { Kubelet }] = await Promise.all([
    import('../kubelet/images/index.js'),
    import('../kubelet/runtimes/index.js'),
    import('../kubelet/index.js'),
  ]);
  const log = opts.logger;
  const rootDir = join(opts.dataDir, 'agent');
  const images = await openNodeImageService({ dataDir: opts.dataDir, clock: realClock });
  const selected = await selectRuntime({
    kind: opts.containerRuntime,
    dataDir: rootDir,
    images,
    podCidr: '',
    logger: log.child('runtime'),
  });
  log.info(`container runtime: ${selected.kind}`, selected.rejected.length ? { oci: selected.rejected } : {});
  const runtime = selected.runtime;
  const client = new ApiClient({ userAgent: `tugboat-kubelet/${opts.nodeName}`, ...opts.client });
  const kubelet = new Kubelet({
    nodeName: opts.nodeName,
    client,
    runtime,
    imageService: images,
    rootDir,
    localPathDir: join(opts.dataDir, 'storage'),
    logger: log.child('kubelet'),
    onPodCIDR: async (cidr) => {
      log.info('pod CIDR assigned', { podCIDR: cidr });
      await runtime.updateRuntimeConfig?.({ podCidr: cidr });
    },
  });
  await kubelet.start();
  return {
    stop: async () => {
      await kubelet.stop();
      client.close();
    },
  };
}
