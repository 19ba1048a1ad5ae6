/** attach to a container started with a terminal and stdin: input through conmon, resize, detach and re-attach. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, test } from 'node:test';
import type { TerminalSize } from '../../cri/types.js';
import { waitFor } from '../../../util/wait.js';
import { ociTestEnv } from './testing-env.js';
import { BUSYBOX_IMAGE } from './testing.js';
import type { OciRuntime } from './runtime.js';

const env = await ociTestEnv('a');
if (env.skip) console.log(`# terminal attach test skipped: ${env.skip}`);

let root = '';
let rt: OciRuntime | undefined;
after(async () => {
  for (const s of (await rt?.listPodSandbox()) ?? []) await rt?.removePodSandbox(s.id);
  await env.cleanup();
  if (root) await rm(root, { recursive: true, force: true });
});

/** One attach session: what it printed, a way to type, and its end. */
function session(runtime: OciRuntime, id: string, sizes?: AsyncIterable<TerminalSize>) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let text = '';
  stdout.setEncoding('utf8').on('data', (s: string) => (text += s));
  const ac = new AbortController();
  const done = runtime.attach(id, {
    stdin,
    stdout,
    stderr: null,
    tty: true,
    signal: ac.signal,
    ...(sizes ? { resize: sizes } : {}),
  });
  return {
    text: () => text,
    type: (s: string) => stdin.write(s),
    until: (re: RegExp) =>
      waitFor(() => re.test(text), { timeoutMs: 10_000, message: `${re} in ${JSON.stringify(text)}` }),
    detach: async () => {
      ac.abort();
      stdin.end();
      await done;
    },
  };
}

void test(
  'attach -it types into the terminal of a running shell, resizes it, and detaches',
  {
    skip: env.skip ?? false,
  },
  async () => {
    root = await mkdtemp(path.join(tmpdir(), 'tugboat-tty-attach-'));
    rt = env.make(path.join(root, 'state'));
    const sbConfig = {
      metadata: { name: 'tty', uid: `tty-${process.pid}`, namespace: 'default', attempt: 0 },
      hostname: 'tty',
      logDirectory: path.join(root, 'logs'),
      portMappings: [],
      labels: {},
      annotations: {},
      linux: {
        cgroupParent: `${env.names.cgroupTop}/tty`,
        namespaceOptions: { network: 'pod' as const, pid: 'container' as const, ipc: 'pod' as const },
      },
    };
    const sb = await rt.runPodSandbox(sbConfig);
    const id = await rt.createContainer(
      sb,
      {
        metadata: { name: 'shell', attempt: 0 },
        image: { image: BUSYBOX_IMAGE },
        command: ['sh'],
        args: [],
        envs: [],
        mounts: [],
        labels: {},
        annotations: {},
        logPath: 'shell/0.log',
        stdin: true,
        stdinOnce: false,
        tty: true,
        linux: {
          resources: {},
          securityContext: {
            privileged: false,
            namespaceOptions: { network: 'pod', pid: 'container', ipc: 'pod' },
            readonlyRootfs: false,
            supplementalGroups: [],
            noNewPrivs: false,
          },
        },
      },
      sbConfig,
    );
    await rt.startContainer(id);

    async function* sizes(): AsyncIterable<TerminalSize> {
      await Promise.resolve();
      yield { width: 101, height: 31 };
    }
    const first = session(rt, id, sizes());
    first.type('echo "sum=$((20+22))"\r');
    await first.until(/sum=42/);
    first.type('stty size\r');
    await first.until(/31 101/);
    await first.detach();
    assert.equal((await rt.containerStatus(id)).state, 'running', 'a detach leaves the shell running');

    // stdin stays open for the next session (stdinOnce is false).
    const second = session(rt, id);
    second.type('echo "again=$((6*7))"\r');
    await second.until(/again=42/);
    second.type('exit\r');
    await waitFor(async () => (await rt!.containerStatus(id)).state === 'exited', { timeoutMs: 10_000 });
    await second.detach();
  },
);
