import { parseArgs } from 'node:util';

/** Where a command writes and what it knows about its environment; injectable for tests. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Effective user id (0 = root). */
  uid: number;
  home: string;
  cwd: string;
  /** The machine's host name (default node name); os.hostname() when absent. */
  hostname?: string;
}

export interface FlagSpec {
  /** Long name without the dashes. */
  name: string;
  short?: string;
  type: 'string' | 'boolean';
  /** May be given more than once (values collect into a list). */
  multiple?: boolean;
  /** Placeholder shown in help, e.g. DIR. */
  valueName?: string;
  description: string;
  /** Shown in help as (default: …). */
  defaultText?: string;
}

export type FlagValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface Command {
  name: string;
  summary: string;
  /** Extra paragraph for `tugboat <cmd> --help`. */
  description?: string;
  flags: FlagSpec[];
  run(values: FlagValues, io: CliIo): Promise<number>;
  /** For commands with subcommands and arguments: gets the raw arguments instead of `run` (handles --help itself). */
  runArgs?(args: string[], io: CliIo): Promise<number>;
}

/** A mistake on the command line: reported in one line plus a hint, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hintCommand?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT_USAGE = 2;

export const helpFlag: FlagSpec = {
  name: 'help',
  short: 'h',
  type: 'boolean',
  description: 'Show this help',
};

/** Strict parse of `args` against `flags` (+ --help); parse errors become UsageErrors naming the flag. */
export function parseFlags(commandPath: string, flags: FlagSpec[], args: string[]): FlagValues {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const f of [...flags, helpFlag]) {
    options[f.name] = { type: f.type };
    if (f.short) options[f.name]!.short = f.short;
    if (f.multiple) options[f.name]!.multiple = true;
  }
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as FlagValues;
  } catch (err) {
    throw new UsageError(describeParseError(err, flags), commandPath);
  }
}

function describeParseError(err: unknown, flags: FlagSpec[]): string {
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag: ${flag}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const arg = /'([^']*)'/.exec(message)?.[1] ?? '';
      return `unexpected argument: ${arg}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const spec = flags.find((f) => flag === `--${f.name}` || flag.startsWith(`-${f.short ?? '\0'}`));
      if (spec?.type === 'boolean') return `flag does not take a value: --${spec.name}`;
      return `flag needs an argument: ${spec ? `--${spec.name}` : flag}`;
    }
    default:
      return message;
  }
}

const HELP_WIDTH = 100;

/** Help text: usage line, description, then one aligned line per flag. */
export function formatHelp(usage: string, description: string, flags: FlagSpec[]): string {
  const rows = [...flags, helpFlag].map((f) => {
    const names = `${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.valueName ? ` ${f.valueName}` : ''}`;
    const text = f.multiple ? `${f.description} (repeatable)` : f.description;
    return { names, text, default: f.defaultText ? `(default: ${f.defaultText})` : '' };
  });
  const width = Math.max(...rows.map((r) => r.names.length)) + 2;
  const indent = ' '.repeat(2 + width);
  const lines = rows.map((r) => {
    const first = `  ${r.names.padEnd(width)}${r.text}`;
    if (!r.default) return first;
    // Long defaults go on their own line to keep the help within about 100 columns.
    return first.length + 1 + r.default.length <= HELP_WIDTH
      ? `${first} ${r.default}`
      : `${first}\n${indent}${r.default}`;
  });
  return `Usage: ${usage}\n\n${description}\n\nFlags:\n${lines.join('\n')}\n`;
}
