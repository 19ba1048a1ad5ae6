import type { Logger } from '../util/logger.js';

/** The first SIGTERM/SIGINT resolves `stopped`; a second one exits at once. */
export function watchSignals(log: Logger): { stopped: Promise<NodeJS.Signals>; dispose(): void } {
  let received = 0;
  let resolveStopped: (s: NodeJS.Signals) => void = () => {};
  const stopped = new Promise<NodeJS.Signals>((resolve) => (resolveStopped = resolve));
  const handler = (signal: NodeJS.Signals): void => {
    received++;
    if (received === 1) {
      log.info(`received ${signal}: stopping (send it again to exit at once)`);
      resolveStopped(signal);
      return;
    }
    log.warn(`received ${signal} again: exiting now`);
    process.exit(1);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return {
    stopped,
    dispose() {
      process.off('SIGTERM', handler);
      process.off('SIGINT', handler);
    },
  };
}
