/**
 * Runtime lifecycle latencies, straight through the RuntimeService (no API server, no kubelet):
 * `node --import tsx bench/runtime-lifecycle.ts [--runs N]`. Needs root, runc, conmon, the CNI plugins and
 * busybox-static for the oci rows; the process runtime runs anywhere.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { RuntimeService } from '../src/kubelet/cri/index.js';
import type { ContainerConfig, PodSandboxConfig } from '../src/kubelet/cri/types.js';
import { ProcessRuntime } from '../src/kubelet/runtimes/process/runtime.js';
import { ociTestEnv } from '../src/kubelet/runtimes/oci/testing-env.js';
import { BUSYBOX_IMAGE } from '../src/kubelet/runtimes/oci/testing.js';
import { summarize } from './lib/stats.js';
import { fmtMs, markdownTable } from './lib/table.js';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 20;
const TRAPS_TERM = 'trap "exit 0" TERM; while true; do sleep 0.1; done';

async function measure(name: string, rt: RuntimeService, root: string, image: string): Promise<string[][]> {
  const phases = {
    sandbox: [] as number[],
    create: [] as number[],
    start: [] as number[],
    stop: [] as number[],
    remove: [] as number[],
    total: [] as number[],
  };
  for (let i = 0; i < RUNS; i++) {
    const sbConfig: PodSandboxConfig = {
      metadata: { name: `b${i}`, uid: `bench-${process.pid}-${i}`, namespace: 'default', attempt: 0 },
      hostname: `b${i}`,
      logDirectory: path.join(root, 'logs', String(i)),
      portMappings: [],
      labels: {},
      annotations: {},
      linux: {
        cgroupParent: `tugboat-contract-${process.pid}/b${i}`,
        namespaceOptions: { network: 'pod', pid: 'container', ipc: 'pod' },
      },
    };
    const config: ContainerConfig = {
      metadata: { name: 'c', attempt: 0 },
      image: { image },
      command: ['sh', '-c', TRAPS_TERM],
      args: [],
      envs: [],
      mounts: [],
      labels: {},
      annotations: {},
      logPath: 'c/0.log',
      stdin: false,
      stdinOnce: false,
      tty: false,
      linux: {
        resources: { memoryLimitInBytes: 64 << 20, cpuShares: 256 },
        securityContext: {
          privileged: false,
          namespaceOptions: { network: 'pod', pid: 'container', ipc: 'pod' },
          readonlyRootfs: false,
          supplementalGroups: [],
          noNewPrivs: false,
        },
      },
    };
    const t0 = performance.now();
    const sb = await rt.runPodSandbox(sbConfig);
    const t1 = performance.now();
    const id = await rt.createContainer(sb, config, sbConfig);
    const t2 = performance.now();
    await rt.startContainer(id);
    const t3 = performance.now();
    await new Promise((r) => setTimeout(r, 200)); // let the shell install its trap
    const t4 = performance.now();
    await rt.stopContainer(id, 10);
    const t5 = performance.now();
    await rt.removePodSandbox(sb);
    const t6 = performance.now();
    phases.sandbox.push(t1 - t0);
    phases.create.push(t2 - t1);
    phases.start.push(t3 - t2);
    phases.total.push(t3 - t0);
    phases.stop.push(t5 - t4);
    phases.remove.push(t6 - t5);
  }
  return Object.entries(phases).map(([phase, samples]) => {
    const s = summarize(samples);
    return [name, phase, fmtMs(s.p50), fmtMs(s.p99), fmtMs(s.max)];
  });
}

const rows: string[][] = [];
const root = await mkdtemp(path.join(tmpdir(), 'tugboat-bench-rt-'));
try {
  const env = await ociTestEnv('b');
  if (env.skip) console.log(`oci skipped: ${env.skip}`);
  else {
    rows.push(
      ...(await measure(
        `oci (${env.detection?.runtime?.name})`,
        env.make(path.join(root, 'oci')),
        root,
        BUSYBOX_IMAGE,
      )),
    );
    await env.cleanup();
  }
  rows.push(
    ...(await measure('process', new ProcessRuntime({ stateDir: path.join(root, 'process') }), root, 'host')),
  );
} finally {
  await rm(root, { recursive: true, force: true });
}
console.log(
  `runs per runtime: ${RUNS}; stop = SIGTERM to a shell that traps it; total = sandbox + create + start`,
);
console.log(markdownTable(['runtime', 'phase', 'p50', 'p99', 'max'], rows));
