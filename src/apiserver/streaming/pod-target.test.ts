import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../api/errors.js';
import { checkLogStatus, logContainerId, pickContainer } from './pod-target.js';

const pod = (containers: string[], annotations: Record<string, string> = {}, init: string[] = []): Pod => ({
  metadata: { name: 'web', annotations },
  spec: {
    containers: containers.map((name) => ({ name })),
    initContainers: init.map((name) => ({ name })),
  },
});

const badRequest = (re: RegExp) => (err: unknown) =>
  err instanceof ApiError && err.status.code === 400 && re.test(err.message);

describe('picking the container of a log or exec request', () => {
  it('takes the named one, the annotated default, or the only one', () => {
    assert.equal(pickContainer(pod(['a', 'b']), 'b'), 'b');
    assert.equal(pickContainer(pod(['a'], {}, ['init']), 'init'), 'init');
    assert.equal(
      pickContainer(pod(['a', 'b'], { 'kubectl.kubernetes.io/default-container': 'b' }), null),
      'b',
    );
    assert.equal(pickContainer(pod(['a']), null), 'a');
  });

  it('refuses unknown names and ambiguous requests as upstream', () => {
    assert.throws(() => pickContainer(pod(['a']), 'x'), badRequest(/^container x is not valid for pod web$/));
    assert.throws(
      () => pickContainer(pod(['a', 'b'], {}, ['i']), null),
      badRequest(
        /a container name must be specified for pod web, choose one of: \[a b\] or one of the init containers: \[i\]/,
      ),
    );
  });
});

describe('log status checks', () => {
  const withStatus = (status: NonNullable<Pod['status']>): Pod => ({ ...pod(['c']), status });

  it('a container that never ran is waiting to start', () => {
    assert.throws(
      () => checkLogStatus(pod(['c']), 'c', false),
      badRequest(/"c" in pod "web" is waiting to start: ContainerCreating/),
    );
    const pulling = withStatus({
      containerStatuses: [
        {
          name: 'c',
          ready: false,
          restartCount: 0,
          image: 'x',
          imageID: '',
          state: { waiting: { reason: 'ImagePullBackOff' } },
        },
      ],
    });
    assert.throws(
      () => checkLogStatus(pulling, 'c', false),
      badRequest(/waiting to start: image can't be pulled/),
    );
  });

  it('--previous needs a terminated earlier instance', () => {
    const running = withStatus({
      containerStatuses: [
        { name: 'c', ready: true, restartCount: 0, image: 'x', imageID: '', state: { running: {} } },
      ],
    });
    checkLogStatus(running, 'c', false);
    assert.throws(
      () => checkLogStatus(running, 'c', true),
      badRequest(/previous terminated container "c" in pod "web" not found/),
    );
    const restarted = withStatus({
      containerStatuses: [
        {
          name: 'c',
          ready: false,
          restartCount: 1,
          image: 'x',
          imageID: '',
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1 } },
        },
      ],
    });
    checkLogStatus(restarted, 'c', true);
    checkLogStatus(restarted, 'c', false);
  });
});

describe('the instance a log request reads', () => {
  const st = (state: object, lastState: object = {}): Pod => ({
    ...pod(['c']),
    status: {
      containerStatuses: [
        {
          name: 'c',
          ready: false,
          restartCount: 1,
          image: 'x',
          imageID: '',
          containerID: 'runc://new',
          state,
          lastState,
        },
      ],
    },
  });
  const last = { terminated: { exitCode: 1, containerID: 'runc://old' } };

  it('is the running one, or the last one while the next waits in back-off', () => {
    assert.equal(logContainerId(st({ running: {} }, last), 'c', false), 'new');
    assert.equal(logContainerId(st({ running: {} }, last), 'c', true), 'old');
    assert.equal(logContainerId(st({ waiting: { reason: 'CrashLoopBackOff' } }, last), 'c', false), 'old');
    assert.equal(logContainerId(st({ waiting: { reason: 'CrashLoopBackOff' } }, last), 'c', true), 'old');
    assert.equal(
      logContainerId(st({ terminated: { exitCode: 0, containerID: 'crun://done' } }), 'c', false),
      'done',
    );
    assert.equal(logContainerId(st({ waiting: {} }), 'c', false), undefined);
  });
});
