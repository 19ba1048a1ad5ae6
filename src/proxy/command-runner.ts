/**
 * How the proxy runs iptables-save, iptables-restore and sysctl: injectable, so tests run them inside a
 * network namespace they made (`netnsRunner`) and unit tests record them.
 */
import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CommandRunner {
  /** Runs argv with `input` on stdin; resolves with the exit code (a spawn failure rejects). */
  run(argv: string[], input?: string): Promise<CommandResult>;
}

export class CommandFailed extends Error {
  constructor(
    readonly argv: string[],
    readonly result: CommandResult,
  ) {
    super(`${argv.join(' ')} exited ${result.code}: ${(result.stderr || result.stdout).trim()}`);
    this.name = 'CommandFailed';
  }
}

const TIMEOUT_MS = 60_000;

export const localRunner: CommandRunner = {
  run: (argv, input) =>
    new Promise((resolve, reject) => {
      const [file, ...args] = argv;
      if (!file) return reject(new Error('empty command'));
      const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({
          code: code ?? 1,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        });
      });
      child.stdin.on('error', () => {});
      child.stdin.end(input ?? '');
    }),
};

/** Runs every command inside the network namespace at `netnsPath` (e.g. /var/run/netns/NAME). */
export function netnsRunner(netnsPath: string, inner: CommandRunner = localRunner): CommandRunner {
  return { run: (argv, input) => inner.run(['nsenter', `--net=${netnsPath}`, ...argv], input) };
}

/** Runs argv and returns stdout; a non-zero exit throws CommandFailed. */
export async function runChecked(runner: CommandRunner, argv: string[], input?: string): Promise<string> {
  const result = await runner.run(argv, input);
  if (result.code !== 0) throw new CommandFailed(argv, result);
  return result.stdout;
}
