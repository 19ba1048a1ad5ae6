import { tryParseQuantity } from '../api/quantity.js';
import { createLogger, type LogLevel } from '../util/logger.js';
import { UsageError, type Command, type FlagValues } from './command.js';
import { watchSignals } from './signals.js';

const NAME = 'hollow-nodes';

function text(values: FlagValues, name: string, fallback: string): string {
  const v = values[name];
  return typeof v === 'string' ? v : fallback;
}

function integer(values: FlagValues, name: string, fallback: number, min: number): number {
  const raw = text(values, name, String(fallback));
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`invalid value for --${name}: "${raw}" (an integer >= ${min})`, NAME);
  }
  return n;
}

function quantity(values: FlagValues, name: string, fallback: string): string {
  const raw = text(values, name, fallback);
  if ('error' in tryParseQuantity(raw)) throw new UsageError(`invalid value for --${name}: "${raw}"`, NAME);
  return raw;
}

export const hollowNodesCommand: Command = {
  name: NAME,
  summary: 'Simulate many nodes in one process (for scale tests)',
  description:
    'Register --count simulated ("hollow") nodes with the API server named by --kubeconfig. They renew their\n' +
    'Leases, run the pods bound to them (status only: nothing executes), confirm pod deletions and serve\n' +
    '/metrics/resource for every node from one port on per-node loopback addresses (127.1.x.y, Linux).\n' +
    'On SIGTERM the nodes are marked NotReady. Load for autoscaling tests comes from the pod annotation\n' +
    'hollow.tugboat.dev/cpu-millicores or a ConfigMap "hollow-load" in the pod\'s namespace mapping an app\n' +
    "label value to the total millicores spread over that app's ready pods.",
  flags: [
    {
      name: 'kubeconfig',
      type: 'string',
      valueName: 'FILE',
      description: 'Kubeconfig of the API server (required)',
    },
    { name: 'count', type: 'string', valueName: 'N', description: 'Number of nodes', defaultText: '1' },
    {
      name: 'name-prefix',
      type: 'string',
      valueName: 'P',
      description: 'Node name prefix',
      defaultText: 'hollow-node-',
    },
    { name: 'cpu', type: 'string', valueName: 'Q', description: 'CPU capacity per node', defaultText: '4' },
    {
      name: 'memory',
      type: 'string',
      valueName: 'Q',
      description: 'Memory capacity per node',
      defaultText: '16Gi',
    },
    {
      name: 'pods',
      type: 'string',
      valueName: 'N',
      description: 'Pod capacity per node',
      defaultText: '110',
    },
    {
      name: 'node-lease-duration-seconds',
      type: 'string',
      valueName: 'S',
      description: "Duration of each node's Lease; renewed every quarter of it (as the kubelet's flag)",
      defaultText: '40',
    },
    {
      name: 'metrics-port',
      type: 'string',
      valueName: 'PORT',
      description: 'Port of the shared kubelet endpoint (0 picks a free port)',
      defaultText: '0',
    },
    {
      name: 'log-level',
      type: 'string',
      valueName: 'LEVEL',
      description: 'debug, info, warn or error',
      defaultText: 'info',
    },
  ],
  async run(values) {
    const kubeconfig = values.kubeconfig;
    if (typeof kubeconfig !== 'string' || kubeconfig === '')
      throw new UsageError('--kubeconfig is required', NAME);
    const count = integer(values, 'count', 1, 1);
    const metricsPort = integer(values, 'metrics-port', 0, 0);
    if (metricsPort > 65535) throw new UsageError(`invalid value for --metrics-port: "${metricsPort}"`, NAME);
    const pods = integer(values, 'pods', 110, 0);
    const shape = {
      cpu: quantity(values, 'cpu', '4'),
      memory: quantity(values, 'memory', '16Gi'),
      pods: String(pods),
    };
    const leaseDurationSeconds = integer(values, 'node-lease-duration-seconds', 40, 1);
    const level = text(values, 'log-level', 'info');
    if (!['debug', 'info', 'warn', 'error'].includes(level)) {
      throw new UsageError(`invalid value for --log-level: "${level}"`, NAME);
    }
    const logger = createLogger(NAME, level as LogLevel);
    const { loadKubeconfig } = await import('../client/index.js');
    const { HollowNodes } = await import('../hollow/index.js');
    const client = await loadKubeconfig(kubeconfig);
    const signals = watchSignals(logger);
    const hollow = new HollowNodes({
      client,
      count,
      namePrefix: text(values, 'name-prefix', 'hollow-node-'),
      shape,
      metricsPort,
      leaseDurationSeconds,
      leaseRenewMs: leaseDurationSeconds * 250,
      logger,
    });
    try {
      await hollow.start();
      logger.info('hollow nodes running', { count, metricsPort: hollow.metricsPort });
      await signals.stopped;
      logger.info('stopping');
      await hollow.stop();
      return 0;
    } catch (err) {
      await hollow.stop();
      throw err;
    } finally {
      signals.dispose();
    }
  },
};
