import { componentCommand } from './component-command.js';

export const schedulerCommand = componentCommand({
  name: 'scheduler',
  summary: 'Run the scheduler against an API server',
  description:
    'Assign pending pods to nodes (kube-scheduler semantics: filters, scores, preemption) on the API server\n' +
    'named by --kubeconfig. `tugboat server` runs it itself; run this to move it to another machine or to add\n' +
    'standby replicas: only the holder of the kube-system/kube-scheduler Lease acts.',
  flags: [
    {
      name: 'config',
      type: 'string',
      valueName: 'FILE',
      description:
        'KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) with profiles and plugin args',
    },
  ],
  async start({ client, leaderElect, logger, values }) {
    const { runScheduler } = await import('../scheduler/index.js');
    const configFile = typeof values.config === 'string' && values.config !== '' ? values.config : undefined;
    return runScheduler({ client, leaderElect, logger, ...(configFile ? { configFile } : {}) });
  },
});
