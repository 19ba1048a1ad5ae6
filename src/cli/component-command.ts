import type { ClientConfig, Stoppable } from '../client/index.js';
import { createLogger, type LogLevel, type Logger } from '../util/logger.js';
import { UsageError, type Command, type FlagSpec, type FlagValues } from './command.js';
import { watchSignals } from './signals.js';

export const componentFlags: FlagSpec[] = [
  {
    name: 'kubeconfig',
    type: 'string',
    valueName: 'FILE',
    description: 'Kubeconfig with the API server address and credentials (required)',
  },
  {
    name: 'leader-elect',
    type: 'string',
    valueName: 'BOOL',
    description: 'Take part in leader election so that only one replica acts',
    defaultText: 'true',
  },
  {
    name: 'log-level',
    type: 'string',
    valueName: 'LEVEL',
    description: 'debug, info, warn or error',
    defaultText: 'info',
  },
];

export interface ComponentRun {
  client: ClientConfig;
  leaderElect: boolean;
  logger: Logger;
  values: FlagValues;
}

/**
 * A control-plane component run on its own against a remote API server (`tugboat scheduler --kubeconfig F`):
 * it loads the kubeconfig, runs until SIGTERM/SIGINT, then stops (a leader releases its lease).
 */
export function componentCommand(spec: {
  name: string;
  summary: string;
  description: string;
  flags?: FlagSpec[];
  start(run: ComponentRun): Promise<Stoppable>;
}): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    description: spec.description,
    flags: [...componentFlags, ...(spec.flags ?? [])],
    async run(values) {
      const kubeconfig = values.kubeconfig;
      if (typeof kubeconfig !== 'string' || kubeconfig === '') {
        throw new UsageError('--kubeconfig is required', spec.name);
      }
      const leaderText = typeof values['leader-elect'] === 'string' ? values['leader-elect'] : 'true';
      if (leaderText !== 'true' && leaderText !== 'false') {
        throw new UsageError(`invalid value for --leader-elect: "${leaderText}" (true or false)`, spec.name);
      }
      const levelText = typeof values['log-level'] === 'string' ? values['log-level'] : 'info';
      if (!['debug', 'info', 'warn', 'error'].includes(levelText)) {
        throw new UsageError(`invalid value for --log-level: "${levelText}"`, spec.name);
      }
      const logger = createLogger(spec.name, levelText as LogLevel);
      const { loadKubeconfig } = await import('../client/index.js');
      const client = await loadKubeconfig(kubeconfig);
      const signals = watchSignals(logger);
      // A standby replica waits on unref'd timers only (its leader elector's): without this handle the process
      // would exit as soon as it started, leaving no one to take over from the leader.
      const keepAlive = setInterval(() => {}, 1 << 30);
      try {
        const running = await spec.start({ client, leaderElect: leaderText === 'true', logger, values });
        await signals.stopped;
        logger.info('stopping');
        await running.stop();
        return 0;
      } finally {
        clearInterval(keepAlive);
        signals.dispose();
      }
    },
  };
}
