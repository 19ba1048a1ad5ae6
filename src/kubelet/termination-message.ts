/**
 * Termination messages (upstream kuberuntime getTerminationMessage): the kubelet mounts a host file at the
 * container's terminationMessagePath; after the exit its content (at most 4096 bytes) joins the terminated
 * state's message, or, under FallbackToLogsOnError with a failed exit, the log's last 80 lines (2048 bytes).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Container } from 'kubernetes-types/core/v1.js';
import type { Mount } from './cri/types.js';

export const TERMINATION_MESSAGE_FILE_ANNOTATION = 'tugboat.io/termination-message-file';
export const TERMINATION_MESSAGE_POLICY_ANNOTATION = 'io.kubernetes.container.terminationMessagePolicy';
const MAX_MESSAGE_BYTES = 4096;
const MAX_LOG_BYTES = 2048;
const LOG_LINES = 80;

/** Creates the host file and the mount for it. */
export async function terminationMessageMount(
  podDir: string,
  c: Container,
): Promise<{ mount: Mount; hostPath: string } | undefined> {
  const containerPath = c.terminationMessagePath ?? '/dev/termination-log';
  if (!containerPath) return undefined;
  const dir = join(podDir, 'containers', c.name);
  await fs.mkdir(dir, { recursive: true });
  const hostPath = join(dir, randomBytes(4).toString('hex'));
  await fs.writeFile(hostPath, '', { mode: 0o666 });
  await fs.chmod(hostPath, 0o666);
  return { hostPath, mount: { containerPath, hostPath, readonly: false } };
}

async function readHead(path: string, max: number): Promise<string> {
  const fh = await fs.open(path, 'r');
  try {
    const buf = Buffer.alloc(max);
    const { bytesRead } = await fh.read(buf, 0, max, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
}

/** The last lines of a CRI-format log (`<time> <stream> <P|F> <text>`), as text. */
export async function logTail(path: string, lines: number, maxBytes: number): Promise<string> {
  const text = await fs.readFile(path, 'utf8');
  let out = '';
  for (const line of text.split('\n')) {
    if (!line) continue;
    const parts = line.split(' ');
    const tag = parts[2];
    const content = parts.slice(3).join(' ');
    out += tag === 'P' ? content : `${content}\n`;
  }
  const tail = out
    .split('\n')
    .slice(-(lines + 1))
    .join('\n');
  const bytes = Buffer.from(tail);
  return bytes.length > maxBytes ? bytes.subarray(bytes.length - maxBytes).toString('utf8') : tail;
}

export async function readTerminationMessage(opts: {
  file?: string;
  policy?: string;
  exitCode: number;
  logPath: string;
}): Promise<string> {
  let msg = '';
  if (opts.file) {
    try {
      msg = await readHead(opts.file, MAX_MESSAGE_BYTES);
    } catch {
      msg = '';
    }
  }
  if (!msg && opts.policy === 'FallbackToLogsOnError' && opts.exitCode !== 0) {
    try {
      msg = await logTail(opts.logPath, LOG_LINES, MAX_LOG_BYTES);
    } catch {
      msg = '';
    }
  }
  return msg;
}
