/**
 * How the proxy runs iptables-save, iptables-restore and sysctl: injectable, so tests run them inside a
 * network namespace they made (`netnsRunner`) and unit tests record them.
 */
import { CommandError, run, type RunResult } from '../util/run-command.js';

export type CommandResult = RunResult;

export interface CommandRunner {
  /** Runs argv with `input` on stdin; resolves with the exit code (a spawn failure rejects). */
  run(argv: string[], input?: string): Promise<CommandResult>;
}

/** A command that exited non-zero (the project's one command error). */
export { CommandError as CommandFailed };

const TIMEOUT_MS = 60_000;

export const localRunner: CommandRunner = {
  run: (argv, input) =>
    run(argv, { ...(input === undefined ? {} : { input }), allowFailure: true, timeoutMs: TIMEOUT_MS }),
};

/** Runs every command inside the network namespace at `netnsPath` (e.g. /var/run/netns/NAME). */
export function netnsRunner(netnsPath: string, inner: CommandRunner = localRunner): CommandRunner {
  return { run: (argv, input) => inner.run(['nsenter', `--net=${netnsPath}`, ...argv], input) };
}

/** Runs argv and returns stdout; a non-zero exit throws CommandFailed. */
export async function runChecked(runner: CommandRunner, argv: string[], input?: string): Promise<string> {
  const result = await runner.run(argv, input);
  if (result.code !== 0) throw new CommandError(argv, result);
  return result.stdout;
}
