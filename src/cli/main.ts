import { homedir, hostname } from 'node:os';
import { EXIT_USAGE, UsageError, formatHelp, parseFlags, type CliIo, type Command } from './command.js';
import { agentCommand } from './agent-command.js';
import { controllerManagerCommand } from './controller-manager-command.js';
import { hollowNodesCommand } from './hollow-nodes-command.js';
import { imagesCommand } from './images-command.js';
import { schedulerCommand } from './scheduler-command.js';
import { serverCommand } from './server-command.js';
import { versionCommand } from './version.js';

export type { CliIo } from './command.js';

const commands: Command[] = [
  serverCommand,
  agentCommand,
  controllerManagerCommand,
  schedulerCommand,
  hollowNodesCommand,
  imagesCommand,
  versionCommand,
];

function defaultIo(): CliIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    uid: process.geteuid?.() ?? -1,
    home: homedir(),
    cwd: process.cwd(),
    hostname: hostname(),
  };
}

/** Run the tugboat command line; resolves to the process exit code. */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (err) {
    if (err instanceof UsageError) {
      const where = err.hintCommand ? `tugboat ${err.hintCommand}` : 'tugboat';
      io.stderr(`${where}: ${err.message}\nRun '${where} --help' for usage.\n`);
      return EXIT_USAGE;
    }
    io.stderr(`tugboat: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    io.stdout(rootHelp());
    return 0;
  }
  if (first === 'help') {
    const [topic, ...extra] = rest;
    if (topic === undefined) {
      io.stdout(rootHelp());
      return 0;
    }
    if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra[0]}`);
    const command = findCommand(topic);
    if (command.runArgs) return command.runArgs(['--help'], io);
    io.stdout(commandHelp(command));
    return 0;
  }
  if (first === '--version') return versionCommand.run({}, io);
  if (first.startsWith('-')) throw new UsageError(`unknown flag: ${first} (flags go after the command)`);

  const command = findCommand(first);
  if (command.runArgs) return command.runArgs(rest, io);
  const values = parseFlags(command.name, command.flags, rest);
  if (values.help === true) {
    io.stdout(commandHelp(command));
    return 0;
  }
  return command.run(values, io);
}

function findCommand(name: string): Command {
  const command = commands.find((c) => c.name === name);
  if (command) return command;
  const close = commands.find((c) => editDistance(c.name, name) <= 2);
  throw new UsageError(`unknown command "${name}"${close ? ` (did you mean "${close.name}"?)` : ''}`);
}

function rootHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`);
  return [
    'Usage: tugboat <command> [flags]',
    '',
    'Tugboat runs containers and speaks the Kubernetes API, so kubectl works against it.',
    '',
    'Commands:',
    ...lines,
    `  ${'help'.padEnd(width)}Show help for a command`,
    '',
    'Flags:',
    '  -h, --help     Show this help',
    '      --version  Print the version',
    '',
    "Run 'tugboat <command> --help' for a command's flags.",
    '',
  ].join('\n');
}

function commandHelp(c: Command): string {
  return formatHelp(`tugboat ${c.name} [flags]`, c.description ?? c.summary, c.flags);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
