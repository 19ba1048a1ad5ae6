/**
 * A terminal for exec without native pty support in Node: util-linux `script` allocates a pty and relays our
 * pipes to it; the command inside sees a real terminal (runc exec --tty then makes the container's own pty
 * and follows this one's size). Resizes are applied with `stty -F` to the pty the command holds, which
 * signals SIGWINCH to it.
 */
import { readFile, readlink } from 'node:fs/promises';
import type { TerminalSize } from '../../cri/types.js';
import { run } from './run.js';

export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * `relay`: the command makes its own terminal (runc exec --tty), so this outer pty only relays bytes and must
 * be raw without echo from the start, or early input is echoed twice.
 */
export function ttyArgv(
  argv: string[],
  relay: boolean,
  size: TerminalSize = { width: 80, height: 24 },
): string[] {
  const modes = relay ? ' raw -echo' : '';
  const setSize = `stty cols ${Math.floor(size.width)} rows ${Math.floor(size.height)}${modes} 2>/dev/null`;
  return [
    'script',
    '-q',
    '-e',
    '-f',
    '-E',
    'never',
    '-c',
    `${setSize}; exec ${argv.map(shellQuote).join(' ')}`,
    '/dev/null',
  ];
}

/** The pty device of the (first) child of the `script` process. */
async function ptyOf(scriptPid: number): Promise<string | undefined> {
  const children = await readFile(`/proc/${scriptPid}/task/${scriptPid}/children`, 'utf8').catch(() => '');
  const child = children.trim().split(' ')[0];
  if (!child) return undefined;
  const tty = await readlink(`/proc/${child}/fd/0`).catch(() => undefined);
  return tty?.startsWith('/dev/pts/') ? tty : undefined;
}

export async function applyResizes(scriptPid: number, sizes: AsyncIterable<TerminalSize>): Promise<void> {
  for await (const size of sizes) {
    const pty = await ptyOf(scriptPid);
    if (!pty) continue;
    await run(
      ['stty', '-F', pty, 'cols', String(Math.floor(size.width)), 'rows', String(Math.floor(size.height))],
      {
        allowFailure: true,
      },
    );
  }
}
