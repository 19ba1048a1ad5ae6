/**
 * Attach: the container's output comes from its CRI log as it is written; stdin (non-tty containers started
 * with stdin) is written into the pipe the container reads, reopened through /proc/<pid>/fd/0. The monitor
 * (conmon or ours) holds the other writer, so the pipe outlives attach sessions and agent restarts; a detach
 * therefore does not close the container's stdin (stdinOnce is not honoured).
 */
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { StreamOptions } from '../../cri/types.js';
import { followCriLog } from './cri-log.js';

export interface AttachTarget {
  logPath: string;
  /** Host pid of the process whose stdin is attached, when it was started with stdin and without a tty. */
  stdinPid?: number;
  isRunning: () => Promise<boolean>;
}

export async function attachToContainer(target: AttachTarget, streams: StreamOptions): Promise<void> {
  // Where output starts counting: taken before stdin is connected, so a quick answer to it is not missed.
  const startOffset = await stat(target.logPath).then(
    (s) => s.size,
    () => 0,
  );
  let closeStdin = (): void => {};
  if (streams.stdin && target.stdinPid !== undefined) {
    const fh = await open(`/proc/${target.stdinPid}/fd/0`, constants.O_WRONLY);
    const sink = fh.createWriteStream();
    sink.on('error', () => {});
    streams.stdin.pipe(sink);
    const source = streams.stdin;
    closeStdin = () => {
      source.unpipe(sink);
      sink.end();
    };
  }
  try {
    await followCriLog(
      target.logPath,
      streams,
      async () => !(await target.isRunning()),
      streams.signal,
      startOffset,
    );
  } finally {
    closeStdin();
  }
}
