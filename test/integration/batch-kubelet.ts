import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { ApiClient } from '../../src/client/index.js';
import { Informer, R } from '../../src/client/index.js';
import { CronJobController } from '../../src/controllers/cronjob/index.js';
import { JobController } from '../../src/controllers/job/index.js';
import { TtlAfterFinishedController } from '../../src/controllers/ttlafterfinished/index.js';
import { FakeClock, rfc3339, type Clock } from '../../src/util/clock.js';
import { garbageCollectorController } from '../../src/controllers/garbagecollector/index.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

/** What a started pod does: `{ exitCode }` fails it with that code (plain `Failed` exits with 1). */
export type Outcome = 'Succeeded' | 'Failed' | 'Running' | { exitCode: number };

export interface BatchKubelet {
  /** Pods of the namespace that are Running and not being deleted. */
  running(namespace?: string): Pod[];
  /** Moves a running pod to Succeeded or Failed. */
  finish(pod: Pod, phase: 'Succeeded' | 'Failed'): Promise<void>;
  /** Decide the fate of pods that start from now on. */
  setOutcome(outcome: (pod: Pod) => Outcome): void;
  stop(): void;
}

/**
 * Stands in for scheduler + kubelet in batch tests: binds every new pod, moves it to Running and Ready, then
 * (as `outcome` decides) at once to Succeeded or Failed, or leaves it running for the test to finish. Graceful
 * deletions are confirmed at once (pods with finalizers then wait for them).
 */
export function startBatchKubelet(
  client: ApiClient,
  opts: { clock: Clock; outcome?: (pod: Pod) => Outcome },
): BatchKubelet {
  const pods = client.resource<Pod>(R.pods);
  const informer = new Informer<Pod>(pods);
  let outcome = opts.outcome ?? ((): Outcome => 'Running');
  const confirmed = new Set<string>();
  const started = new Set<string>();

  const phaseStatus = (phase: 'Running' | 'Succeeded' | 'Failed', exitCode = 1): PodStatus => {
    const now = rfc3339(opts.clock.now());
    const running = phase === 'Running';
    return {
      phase,
      podIP: '10.42.0.10',
      hostIP: '192.0.2.1',
      startTime: now,
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
        { type: 'Ready', status: running ? 'True' : 'False', lastTransitionTime: now },
      ],
      containerStatuses: [
        {
          name: 'main',
          image: 'busybox',
          imageID: '',
          ready: running,
          restartCount: 0,
          state: running
            ? { running: { startedAt: now } }
            : { terminated: { exitCode: phase === 'Succeeded' ? 0 : exitCode, finishedAt: now } },
        },
      ],
    };
  };

  const setPhase = async (
    pod: Pod,
    phase: 'Running' | 'Succeeded' | 'Failed',
    exitCode?: number,
  ): Promise<void> => {
    await pods.patch(
      pod.metadata?.namespace ?? '',
      pod.metadata?.name ?? '',
      'merge',
      { status: phaseStatus(phase, exitCode) },
      { subresource: 'status' },
    );
  };

  const handle = (pod: Pod): void => {
    const ns = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    const uid = pod.metadata?.uid ?? '';
    if (pod.metadata?.deletionTimestamp) {
      if (confirmed.has(uid)) return;
      confirmed.add(uid);
      void pods.delete(ns, name, { gracePeriodSeconds: 0 }).catch(() => {});
      return;
    }
    if (started.has(uid) || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    started.add(uid);
    void (async () => {
      if (!pod.spec?.nodeName) {
        await pods.createSubresource(ns, name, 'binding', {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name },
          target: { kind: 'Node', name: 'node-1' },
        });
      }
      await setPhase(pod, 'Running');
      const fate = outcome(pod);
      if (typeof fate === 'object') await setPhase(pod, 'Failed', fate.exitCode);
      else if (fate !== 'Running') await setPhase(pod, fate);
    })().catch(() => {});
  };
  informer.addEventHandler({ add: handle, update: (_, p) => handle(p) });
  informer.start();

  return {
    running: (namespace = 'default') =>
      informer.list(namespace).filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp),
    finish: (pod, phase) => setPhase(pod, phase),
    setOutcome: (fn) => {
      outcome = fn;
    },
    stop: () => informer.stop(),
  };
}

export interface BatchCluster extends TestCluster {
  clock: FakeClock;
  job: JobController;
  cronJob: CronJobController;
  ttl: TtlAfterFinishedController;
  /** Advance the fake clock and make every controller look again. */
  tick(ms: number): void;
  /** Set the fake clock forward to `ms` and make every controller look again. */
  tickTo(ms: number): void;
}

/**
 * An API server plus the job, cronjob, ttl-after-finished and garbage-collector controllers on a FakeClock. The clock starts at
 * the real time because the API server stamps creationTimestamp with it.
 */
export async function startBatchCluster(start = Math.floor(Date.now() / 1000) * 1000): Promise<BatchCluster> {
  const clock = new FakeClock(start);
  let job: JobController | undefined;
  let cronJob: CronJobController | undefined;
  let ttl: TtlAfterFinishedController | undefined;
  const cluster = await startTestCluster(
    {
      job: (ctx) => (job = new JobController(ctx)),
      cronjob: (ctx) => (cronJob = new CronJobController(ctx)),
      'ttl-after-finished': (ctx) => (ttl = new TtlAfterFinishedController(ctx)),
      // TTL deletes in the foreground, as upstream: the collector removes the pods, then the Job.
      'garbage-collector': garbageCollectorController,
    },
    { clock, options: { workers: 2 } },
  );
  const controllers = { job: job!, cronJob: cronJob!, ttl: ttl! };
  const tick = (ms: number): void => {
    clock.advance(ms);
    controllers.job.resync();
    controllers.cronJob.resync();
    controllers.ttl.resync();
  };
  return { ...cluster, ...controllers, clock, tick, tickTo: (ms) => tick(Math.max(0, ms - clock.now())) };
}
