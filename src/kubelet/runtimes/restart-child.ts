/**
 * Test helper for restart.test.ts: starts a sandbox with one long-running container in the runtime named by
 * argv, prints their ids as JSON, and then dies by SIGKILL, as an agent killed with `kill -9` would.
 * argv: oci|process STATE_DIR LOG_DIR CGROUP_PARENT [LAYER_DIR BRIDGE NETWORK NETNS_PREFIX POD_CIDR RUNTIME_JSON CONMON]
 */
import type { RuntimeService } from '../cri/services.js';
import { OciRuntime } from './oci/runtime.js';
import { BUSYBOX_IMAGE, StaticImages, busyboxContainer } from './oci/testing.js';
import { ProcessRuntime } from './process/runtime.js';

const [
  kind,
  stateDir,
  logDir,
  cgroupParent,
  layerDir,
  bridge,
  network,
  netnsPrefix,
  podCidr,
  runtimeJson,
  conmon,
] = process.argv.slice(2);
let rt: RuntimeService;
if (kind === 'oci') {
  const images = new StaticImages();
  images.add(BUSYBOX_IMAGE, [layerDir!]);
  rt = new OciRuntime({
    stateDir: stateDir!,
    runtime: JSON.parse(runtimeJson!),
    conmonPath: conmon!,
    images,
    podCidr: podCidr!,
    bridgeName: bridge!,
    networkName: network!,
    netnsPrefix: netnsPrefix!,
  });
} else {
  rt = new ProcessRuntime({ stateDir: stateDir! });
}
const sbConfig = {
  metadata: { name: 'survivor', uid: `survivor-${process.pid}`, namespace: 'default', attempt: 0 },
  hostname: 'survivor',
  logDirectory: logDir!,
  portMappings: [],
  labels: {},
  annotations: {},
  linux: {
    cgroupParent: cgroupParent!,
    namespaceOptions: { network: 'pod' as const, pid: 'container' as const, ipc: 'pod' as const },
  },
};
const sb = await rt.runPodSandbox(sbConfig);
const id = await rt.createContainer(
  sb,
  busyboxContainer(['sh', '-c', 'echo up; trap "echo bye; exit 0" TERM; while true; do sleep 0.1; done']),
  sbConfig,
);
await rt.startContainer(id);
process.stdout.write(`${JSON.stringify({ sandbox: sb, container: id })}\n`, () =>
  process.kill(process.pid, 'SIGKILL'),
);
