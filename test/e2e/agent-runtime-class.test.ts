/**
 * RuntimeClasses on this host with real containers: the node lists the OCI binaries that work here as runtime
 * handlers, a pod of the `runc` (and, where it works, `crun`) class runs under that binary whatever the node's
 * default, and a class whose handler the node lacks keeps its pod waiting with the sandbox failure as an event.
 * Needs what the other agent e2e tests need (.ci/run provides it).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { waitFor } from '../../src/util/wait.js';
import { agentMissing, OciState, startAgentServer, stopAgentServer } from '../helpers/agent-host.js';
import { eventMessages, type ServerProcess } from '../helpers/kubectl.js';

const registry = process.env.TUGBOAT_TEST_REGISTRY;
const NODE = `e2e-rtclass-${process.pid}`;
const POD_UID_LABEL = 'io.kubernetes.pod.uid';

const skip = agentMissing();
if (skip) console.log(`# agent runtime class e2e skipped: ${skip}`);

void describe('RuntimeClasses on this host', { skip: skip ?? false }, () => {
  let s: ServerProcess;
  let root: string;
  let oci: OciState;

  async function ok(args: string[], input?: string): Promise<string> {
    const r = await s.kubectl(args, { timeoutMs: 120_000, ...(input === undefined ? {} : { input }) });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
    return r.stdout;
  }
  const podManifest = (name: string, runtimeClassName: string): string =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: {
        runtimeClassName,
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'app', image: `${registry}/tugboat-test/busybox:latest` }],
      },
    });
  /** The OCI binary the pod's running container was created with, as its state root says. */
  const binaryOf = (pod: Pod): string | undefined => {
    const ids = new Set(
      oci
        .containers()
        .filter((c) => c.config.labels[POD_UID_LABEL] === pod.metadata?.uid)
        .map((c) => c.id),
    );
    return oci.runtimeContainers().find((c) => ids.has(c.id) && c.status === 'running')?.runtime;
  };
  const running = (name: string): Promise<Pod> =>
    waitFor(
      async () => {
        const p = JSON.parse(await ok(['get', 'pod', name, '-o', 'json'])) as Pod;
        return p.status?.phase === 'Running' ? p : undefined;
      },
      { timeoutMs: 90_000, message: `${name} Running` },
    );

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'tugboat-e2e-rtclass-'));
    const dataDir = join(root, 'data');
    oci = new OciState(dataDir);
    s = await startAgentServer(NODE, { dataDir });
  });
  after(async () => {
    await stopAgentServer(s);
    rmSync(root, { recursive: true, force: true });
  });

  test('pods run under the binary their class names; an unknown handler leaves the pod waiting', async () => {
    const classes = await ok(['get', 'runtimeclass', '--no-headers']);
    assert.match(classes, /^crun\s+crun\s/m);
    assert.match(classes, /^runc\s+runc\s/m);
    const node = JSON.parse(await ok(['get', 'node', NODE, '-o', 'json'])) as Node;
    const handlers = (node.status?.runtimeHandlers ?? []).map((h) => h.name ?? '');
    const defaultBinary = node.status?.nodeInfo?.containerRuntimeVersion?.split(':')[0] ?? '';
    assert.ok(handlers.includes(defaultBinary), `${defaultBinary} in ${handlers.join(',')}`);

    for (const binary of ['runc', 'crun'] as const) {
      const name = `with-${binary}`;
      await ok(['apply', '-f', '-'], podManifest(name, binary));
      if (handlers.includes(binary)) {
        const pod = await running(name);
        assert.equal(binaryOf(pod), binary, `${name} runs under ${binary}`);
      } else {
        console.log(`# ${binary} does not work on this host: its class's pod must wait`);
        await eventMessages(
          s,
          `involvedObject.name=${name},reason=FailedCreatePodSandBox`,
          `no runtime for "${binary}" is configured`,
        );
      }
    }

    await ok(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'node.k8s.io/v1',
        kind: 'RuntimeClass',
        metadata: { name: 'gvisor' },
        handler: 'runsc',
      }),
    );
    await ok(['apply', '-f', '-'], podManifest('sandboxed', 'gvisor'));
    const message = await eventMessages(
      s,
      'involvedObject.name=sandboxed,reason=FailedCreatePodSandBox',
      'no runtime for',
    );
    assert.match(message, /Failed to create pod sandbox: no runtime for "runsc" is configured/);
    const waiting = JSON.parse(await ok(['get', 'pod', 'sandboxed', '-o', 'json'])) as Pod;
    assert.equal(waiting.status?.phase, 'Pending');

    await ok(['delete', 'pods', '--all', '--wait=true', '--timeout=60s']);
    await waitFor(() => oci.runtimeContainers().length === 0, {
      timeoutMs: 30_000,
      message: 'no OCI containers left under any binary',
    });
  });
});
