import { readFile } from 'node:fs/promises';
import { componentCommand } from './component-command.js';

export const controllerManagerCommand = componentCommand({
  name: 'controller-manager',
  summary: 'Run the controllers against an API server',
  description:
    'Run every built-in controller (workloads, garbage collection, nodes, autoscaling …) against the API server\n' +
    'named by --kubeconfig. `tugboat server` runs them itself; run this to move them to another machine or to\n' +
    'add standby replicas: only the holder of the kube-system/kube-controller-manager Lease acts.',
  flags: [
    {
      name: 'service-account-private-key-file',
      type: 'string',
      valueName: 'FILE',
      description:
        "PEM RSA key that signs the tokens of service-account-token Secrets (the server's DATA_DIR/server/tls/service.key)",
    },
  ],
  async start({ client, leaderElect, logger, values }) {
    const { runControllerManager } = await import('../controllers/index.js');
    const keyFile = values['service-account-private-key-file'];
    const key = typeof keyFile === 'string' && keyFile !== '' ? await readFile(keyFile, 'utf8') : undefined;
    return runControllerManager({
      client,
      leaderElect,
      logger,
      ...(key ? { options: { serviceAccountKeyPem: key } } : {}),
    });
  },
});
