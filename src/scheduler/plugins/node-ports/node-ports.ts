import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { unschedulable, type FilterPlugin, type Status } from '../../framework/types.js';

export const NODE_PORTS_REASON = "node(s) didn't have free ports for the requested pod ports";

/** A hostPort (protocol, port) is taken when another pod uses it on the same IP, or either side binds 0.0.0.0. */
export class NodePorts implements FilterPlugin {
  readonly name = 'NodePorts';

  filter(_state: unknown, pod: PodInfo, node: NodeInfo): Status | null {
    for (const hp of pod.hostPorts) {
      const taken =
        hp.ip === '0.0.0.0'
          ? node.usedPortsAnyIp.has(`${hp.protocol}/${hp.port}`)
          : node.usedPorts.has(`${hp.protocol}/${hp.ip}/${hp.port}`) ||
            node.usedPorts.has(`${hp.protocol}/0.0.0.0/${hp.port}`);
      if (taken) return unschedulable(NODE_PORTS_REASON, `host port ${hp.port}/${hp.protocol} is in use`);
    }
    return null;
  }
}
