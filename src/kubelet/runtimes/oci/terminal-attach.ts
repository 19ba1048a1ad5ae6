/**
 * stdin and window size for a container with a terminal. conmon holds the pty master, so input goes through
 * its attach socket (`attach` in the bundle: SOCK_SEQPACKET, which Node's net module cannot open, so a few lines
 * of Perl from perl-base, present on every Debian, relay it), and sizes through the `ctl` FIFO in the bundle
 * ("1 <rows> <cols>\n"). What conmon echoes back on the socket is dropped: output is read from the CRI log, as
 * for every attach (common/attach.ts).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { TerminalSize } from '../../cri/types.js';

const RELAY = `
use strict; use Socket; use IO::Select;
chdir $ARGV[0] or die "chdir: $!\\n";
socket(my $s, AF_UNIX, SOCK_SEQPACKET, 0) or die "socket: $!\\n";
connect($s, pack_sockaddr_un("attach")) or die "connect to the attach socket: $!\\n";
binmode STDIN;
my $sel = IO::Select->new(\\*STDIN, $s);
while (1) {
  for my $fh ($sel->can_read) {
    my $n = sysread($fh, my $buf, 8192);
    if ($fh == $s) { exit 0 unless $n; next; }
    unless ($n) { $sel->remove(\\*STDIN); next; }
    my $off = 0;
    while ($off < $n) { my $w = syswrite($s, $buf, $n - $off, $off); die "write: $!\\n" unless defined $w; $off += $w; }
  }
}
`;

/** Feeds `stdin` to the container's terminal until stdin ends or `signal` aborts; the container keeps running. */
export async function relayTerminalInput(
  bundle: string,
  stdin: NodeJS.ReadableStream,
  signal?: AbortSignal,
): Promise<void> {
  const child = spawn('perl', ['-e', RELAY, bundle], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.stdin.on('error', () => {});
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const stop = (): void => {
    child.kill('SIGTERM');
  };
  signal?.addEventListener('abort', stop, { once: true });
  stdin.pipe(child.stdin);
  // The session is over when the client's stdin ends: leave the relay no time to linger.
  stdin.once('end', stop);
  stdin.once('close', stop);
  try {
    const code = await exited;
    if (code !== 0 && code !== null && stderr)
      throw new Error(`attach to the terminal failed: ${stderr.trim()}`);
  } finally {
    signal?.removeEventListener('abort', stop);
    stdin.unpipe(child.stdin);
  }
}

/** Applies window sizes to the container's terminal through conmon's control FIFO. */
export async function applyTerminalResizes(
  bundle: string,
  sizes: AsyncIterable<TerminalSize>,
): Promise<void> {
  for await (const size of sizes) {
    // O_NONBLOCK: a FIFO nobody reads any more (conmon gone) must not hang the session.
    const fh = await open(path.join(bundle, 'ctl'), constants.O_WRONLY | constants.O_NONBLOCK).catch(
      () => undefined,
    );
    if (!fh) return;
    try {
      await fh.write(`1 ${Math.floor(size.height)} ${Math.floor(size.width)}\n`);
    } finally {
      await fh.close();
    }
  }
}
