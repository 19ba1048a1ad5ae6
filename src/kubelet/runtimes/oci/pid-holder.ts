/**
 * A pod's shared PID namespace (`shareProcessNamespace: true`). Unlike IPC and UTS, a PID namespace cannot be
 * held by a bind mount: once its init is gone nothing can join it. So, as upstream's pause container does, a
 * process is its PID 1: catatonit in pause mode (it reaps the orphans of the pod's containers), started by
 * `unshare --pid --fork` in a session of its own so it outlives the agent. Killing it ends every process of the
 * pod, as the pause container's death does.
 */
import { spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { sleep } from '../../../util/wait.js';
import { identify, isAlive, type ProcessIdentity } from '../common/proc.js';
import { which } from './detect.js';

/** In the holder's environment, so a holder whose pid never reached the sandbox record can still be found. */
export const SANDBOX_ENV = 'TUGBOAT_POD_SANDBOX';

const CHILD_WAIT_MS = 5000;

export class PidHolderError extends Error {}

/** Starts the PID-namespace holder of sandbox id; resolves with the identity of its PID 1 (a host pid). */
export async function startPidHolder(sandboxId: string): Promise<ProcessIdentity> {
  const catatonit = await which('catatonit');
  if (!catatonit) {
    throw new PidHolderError('shareProcessNamespace needs catatonit on the node (apt-get install catatonit)');
  }
  const unshare = spawn('unshare', ['--pid', '--fork', '--kill-child', catatonit, '-P'], {
    detached: true,
    stdio: 'ignore',
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', [SANDBOX_ENV]: sandboxId },
  });
  unshare.unref();
  const parent = unshare.pid;
  if (parent === undefined) throw new PidHolderError('could not start unshare for the pod PID namespace');
  const deadline = Date.now() + CHILD_WAIT_MS;
  while (Date.now() < deadline) {
    const children = await readFile(`/proc/${parent}/task/${parent}/children`, 'utf8').catch(() => '');
    const child = Number(children.trim().split(' ')[0]);
    const holder = child > 0 ? await identify(child) : undefined;
    if (holder) return holder;
    if (unshare.exitCode !== null) break;
    await sleep(5);
  }
  try {
    process.kill(parent, 'SIGKILL');
  } catch {
    // it exited on its own
  }
  throw new PidHolderError('the pod PID namespace holder did not start');
}

/** The path containers join the namespace by. */
export function pidNamespacePath(holder: ProcessIdentity): string {
  return `/proc/${holder.pid}/ns/pid`;
}

/** Kills the holder (and so the namespace) of sandboxId: by its recorded identity, or found by its environment. */
export async function stopPidHolder(sandboxId: string, holder: ProcessIdentity | undefined): Promise<void> {
  const pids = holder ? ((await isAlive(holder)) ? [holder.pid] : []) : await holdersOf(sandboxId);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/** Processes whose environment names sandboxId as theirs (the holder and, briefly, its unshare parent). */
async function holdersOf(sandboxId: string): Promise<number[]> {
  const marker = `\0${SANDBOX_ENV}=${sandboxId}\0`;
  const found: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const environ = await readFile(`/proc/${name}/environ`, 'latin1').catch(() => '');
    if (`\0${environ}`.includes(marker)) found.push(Number(name));
  }
  return found;
}
