import { readFile } from 'node:fs/promises';
import type { ClusterSigningOptions, ControllerOptions } from '../controllers/index.js';
import { goDurationMs } from '../util/go-duration.js';
import { UsageError, type FlagValues } from './command.js';
import { componentCommand } from './component-command.js';

const NAME = 'controller-manager';

const text = (values: FlagValues, name: string): string | undefined => {
  const v = values[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/** Upstream's --cluster-signing-{cert,key}-file and --cluster-signing-duration, as the `clusterSigning` option. */
export async function clusterSigning(values: FlagValues): Promise<ClusterSigningOptions | undefined> {
  const certFile = text(values, 'cluster-signing-cert-file');
  const keyFile = text(values, 'cluster-signing-key-file');
  const duration = text(values, 'cluster-signing-duration');
  let durationMs: number | undefined;
  if (duration !== undefined) {
    durationMs = goDurationMs(duration);
    if (durationMs === undefined || durationMs <= 0)
      throw new UsageError(`invalid value for --cluster-signing-duration: "${duration}"`, NAME);
  }
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile)
    throw new UsageError('--cluster-signing-cert-file and --cluster-signing-key-file go together', NAME);
  const [certPem, keyPem] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  return { certPem, keyPem, ...(durationMs === undefined ? {} : { durationMs }) };
}

export const controllerManagerCommand = componentCommand({
  name: NAME,
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
    {
      name: 'cluster-signing-cert-file',
      type: 'string',
      valueName: 'FILE',
      description:
        "PEM CA certificate that signs approved certificate signing requests (the server's DATA_DIR/server/tls/server-ca.crt)",
    },
    {
      name: 'cluster-signing-key-file',
      type: 'string',
      valueName: 'FILE',
      description: 'PEM private key of --cluster-signing-cert-file',
    },
    {
      name: 'cluster-signing-duration',
      type: 'string',
      valueName: 'DURATION',
      description: 'Longest validity of the certificates it signs',
      defaultText: '8760h0m0s',
    },
  ],
  async start({ client, leaderElect, logger, values }) {
    const { runControllerManager } = await import('../controllers/index.js');
    const keyFile = text(values, 'service-account-private-key-file');
    const key = keyFile ? await readFile(keyFile, 'utf8') : undefined;
    const signing = await clusterSigning(values);
    const options: ControllerOptions = {
      ...(key ? { serviceAccountKeyPem: key } : {}),
      ...(signing ? { clusterSigning: signing } : {}),
    };
    return runControllerManager({ client, leaderElect, logger, options });
  },
});
