import { componentCommand } from './component-command.js';

export const controllerManagerCommand = componentCommand({
  name: 'controller-manager',
  summary: 'Run the controllers against an API server',
  description:
    'Run every built-in controller (workloads, garbage collection, nodes, autoscaling …) against the API server\n' +
    'named by --kubeconfig. `tugboat server` runs them itself; run this to move them to another machine or to\n' +
    'add standby replicas: only the holder of the kube-system/kube-controller-manager Lease acts.',
  async start({ client, leaderElect, logger }) {
    const { runControllerManager } = await import('../controllers/index.js');
    return runControllerManager({ client, leaderElect, logger });
  },
});
