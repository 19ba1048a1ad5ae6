import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { realClock } from '../util/clock.js';
// Types only: the image store (tar, registries config) loads when an images subcommand runs, not with every command.
import type { ImageRecord, ImageStore } from '../kubelet/images/index.js';
import { UsageError, formatHelp, type CliIo, type Command, type FlagSpec } from './command.js';
import { defaultDataDir } from './server-options.js';

const NAME = 'images';

const dataDirFlag: FlagSpec = {
  name: 'data-dir',
  short: 'd',
  type: 'string',
  valueName: 'DIR',
  description: "Tugboat's data folder (images live in DATA_DIR/agent/images)",
  defaultText: '/var/lib/tugboat as root, ~/.tugboat otherwise',
};
const quietFlag: FlagSpec = {
  name: 'quiet',
  short: 'q',
  type: 'boolean',
  description: 'Print image ids only',
};

interface Subcommand {
  name: string;
  args: string;
  summary: string;
  flags: FlagSpec[];
  minArgs: number;
  run(store: ImageStore, args: string[], flags: Record<string, unknown>, io: CliIo): Promise<number>;
}

const subcommands: Subcommand[] = [
  {
    name: 'ls',
    args: '',
    summary: 'List the images on this node',
    flags: [dataDirFlag, quietFlag],
    minArgs: 0,
    async run(store, _args, flags, io) {
      const images = await store.list();
      if (flags.quiet === true) {
        for (const img of images) io.stdout(`${img.id}\n`);
        return 0;
      }
      io.stdout(formatTable(images));
      return 0;
    },
  },
  {
    name: 'import',
    args: 'FILE...',
    summary: 'Import OCI archives or docker-save tarballs (for air-gapped nodes)',
    flags: [dataDirFlag],
    minArgs: 1,
    async run(store, files, _flags, io) {
      for (const file of files) {
        const { importArchive } = await import('../kubelet/images/index.js');
        const images = await importArchive(store, resolve(io.cwd, file));
        for (const img of images)
          io.stdout(`imported ${img.repoTags.join(', ') || '<untagged>'} ${shortId(img.id)}\n`);
      }
      return 0;
    },
  },
  {
    name: 'rm',
    args: 'IMAGE...',
    summary: 'Remove images (by reference or id) and the layers no other image uses',
    flags: [dataDirFlag],
    minArgs: 1,
    async run(store, refs, _flags, io) {
      let status = 0;
      for (const ref of refs) {
        if (await store.remove(ref)) io.stdout(`removed ${ref}\n`);
        else {
          io.stderr(`tugboat images rm: no such image: ${ref}\n`);
          status = 1;
        }
      }
      return status;
    },
  },
];

function rootHelp(): string {
  const lines = subcommands.map((s) => `  ${`${s.name} ${s.args}`.padEnd(16)}${s.summary}`);
  return [
    'Usage: tugboat images <command> [flags] [args]',
    '',
    'Manage the images of this node without a running server.',
    '',
    'Commands:',
    ...lines,
    '',
    "Run 'tugboat images <command> --help' for its flags.",
    '',
  ].join('\n');
}

export const imagesCommand: Command = {
  name: NAME,
  summary: "Manage this node's images: ls, import FILE.tar, rm IMAGE",
  description: rootHelp().split('\n').slice(2).join('\n').trimEnd(),
  flags: [],
  run: () => Promise.reject(new Error('images: use runArgs')),
  async runArgs(args, io) {
    const [name, ...rest] = args;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.stdout(rootHelp());
      return 0;
    }
    const sub = subcommands.find((s) => s.name === name);
    if (!sub) throw new UsageError(`unknown images command "${name}" (ls, import, rm)`, NAME);
    const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
      help: { type: 'boolean', short: 'h' },
    };
    for (const f of sub.flags)
      options[f.name] = f.short ? { type: f.type, short: f.short } : { type: f.type };
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options, strict: true, allowPositionals: true });
    } catch (err) {
      throw new UsageError((err as Error).message.split('\n')[0] ?? String(err), `${NAME} ${sub.name}`);
    }
    if (parsed.values.help === true) {
      io.stdout(
        formatHelp(`tugboat images ${sub.name} [flags] ${sub.args}`.trimEnd(), sub.summary, sub.flags),
      );
      return 0;
    }
    if (parsed.positionals.length < sub.minArgs)
      throw new UsageError(`missing argument: ${sub.args}`, `${NAME} ${sub.name}`);
    if (sub.minArgs === 0 && parsed.positionals.length > 0)
      throw new UsageError(`unexpected argument: ${parsed.positionals[0]}`, `${NAME} ${sub.name}`);
    const dataDirValue = parsed.values['data-dir'];
    if (dataDirValue === '') throw new UsageError('--data-dir must not be empty', `${NAME} ${sub.name}`);
    const dataDir = resolve(io.cwd, typeof dataDirValue === 'string' ? dataDirValue : defaultDataDir(io));
    const { ImageStore } = await import('../kubelet/images/index.js');
    const store = new ImageStore(join(dataDir, 'agent', 'images'), {
      clock: realClock,
      privileged: io.uid === 0,
    });
    await store.init();
    return sub.run(store, parsed.positionals, parsed.values, io);
  },
};

function shortId(id: string): string {
  return id.slice('sha256:'.length, 'sha256:'.length + 12);
}

function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let n = bytes;
  let u = 0;
  while (n >= 1000 && u < units.length - 1) {
    n /= 1000;
    u++;
  }
  return `${u === 0 ? n : n.toFixed(n < 10 ? 2 : 1)}${units[u]}`;
}

/** One row per tag (an untagged image gets one `<none>` row), as `crictl images` prints. */
export function formatTable(images: ImageRecord[]): string {
  const rows: string[][] = [['IMAGE', 'TAG', 'IMAGE ID', 'SIZE']];
  for (const img of images) {
    const tags = img.repoTags.length > 0 ? img.repoTags : [null];
    for (const t of tags) {
      let repo = '<none>';
      let tag = '<none>';
      if (t !== null) {
        const colon = t.lastIndexOf(':');
        repo = t.slice(0, colon);
        tag = t.slice(colon + 1);
      } else if (img.repoDigests[0]) {
        repo = img.repoDigests[0].split('@')[0] ?? repo;
      }
      rows.push([repo, tag, shortId(img.id), humanSize(img.sizeBytes)]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join(''))
      .join('\n') + '\n'
  );
}
