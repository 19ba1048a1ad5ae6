import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod, Toleration } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/meta.js';
import type { Registry } from '../registry/index.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { mergeTolerations, RuntimeClassAdmission } from './runtime-class-admission.js';

const classes: Record<string, object> = {
  plain: { metadata: { name: 'plain' }, handler: 'runc' },
  sandboxed: {
    metadata: { name: 'sandboxed' },
    handler: 'runsc',
    overhead: { podFixed: { cpu: '250m', memory: '120Mi' } },
    scheduling: {
      nodeSelector: { sandbox: 'gvisor' },
      tolerations: [{ key: 'sandbox', operator: 'Exists', effect: 'NoSchedule' }],
    },
  },
};
const storage = {
  get: (_def: unknown, _ns: unknown, name: string) => Promise.resolve(classes[name]),
} as unknown as ObjectStorage;
const registry = { mustGet: () => ({}) } as unknown as Registry;
const admission = new RuntimeClassAdmission(storage, registry);

const pod = (spec: Partial<NonNullable<Pod['spec']>>): KubeObject => ({
  metadata: { name: 'web' },
  spec: { containers: [{ name: 'c' }], ...spec },
});
const message = (p: Promise<void>): Promise<string> =>
  p.then(
    () => 'admitted',
    (e: unknown) => (e as Error).message,
  );

void test('a pod takes its RuntimeClass’s overhead, node selector and tolerations', async () => {
  const p = pod({ runtimeClassName: 'sandboxed', nodeSelector: { disk: 'ssd' } });
  await admission.admit(p);
  assert.deepEqual(p.spec, {
    containers: [{ name: 'c' }],
    runtimeClassName: 'sandboxed',
    nodeSelector: { disk: 'ssd', sandbox: 'gvisor' },
    overhead: { cpu: '250m', memory: '120Mi' },
    tolerations: [{ key: 'sandbox', operator: 'Exists', effect: 'NoSchedule' }],
  });
  assert.equal(await message(admission.validate(p)), 'admitted');
  const plain = pod({ runtimeClassName: 'plain' });
  await admission.admit(plain);
  assert.deepEqual(plain.spec, { containers: [{ name: 'c' }], runtimeClassName: 'plain' });
});

void test('refusals in upstream’s words', async () => {
  assert.equal(
    await message(admission.admit(pod({ runtimeClassName: 'kata' }))),
    'pods "web" is forbidden: pod rejected: RuntimeClass "kata" not found',
  );
  assert.equal(
    await message(admission.admit(pod({ runtimeClassName: 'sandboxed', nodeSelector: { sandbox: 'kata' } }))),
    'pods "web" is forbidden: conflict: runtimeClass.scheduling.nodeSelector[sandbox] = gvisor; pod.spec.nodeSelector[sandbox] = kata',
  );
  const mismatch =
    "pods \"web\" is forbidden: pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead";
  assert.equal(
    await message(admission.admit(pod({ runtimeClassName: 'sandboxed', overhead: { cpu: '1' } }))),
    mismatch,
  );
  assert.equal(
    await message(
      admission.admit(pod({ runtimeClassName: 'sandboxed', overhead: { cpu: '0.25', memory: '120Mi' } })),
    ),
    'admitted',
    'the same quantities written otherwise',
  );
  assert.equal(await message(admission.validate(pod({ runtimeClassName: 'sandboxed' }))), mismatch);
  assert.equal(
    await message(admission.validate(pod({ overhead: { cpu: '1' } }))),
    'pods "web" is forbidden: pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead',
  );
  assert.equal(
    await message(admission.validate(pod({ runtimeClassName: 'plain', overhead: { cpu: '1' } }))),
    'pods "web" is forbidden: pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead',
  );
});

void test('merged tolerations leave out those another one covers', () => {
  const t = (x: Toleration): Toleration => x;
  const exists = t({ key: 'dedicated', operator: 'Exists' });
  const equal = t({ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' });
  const everything = t({ operator: 'Exists' });
  const other = t({ key: 'zone', operator: 'Equal', value: 'a' });
  assert.deepEqual(mergeTolerations([equal], [exists]), [exists]);
  assert.deepEqual(mergeTolerations([exists, other], [equal, other]), [exists, other]);
  assert.deepEqual(mergeTolerations([other], [everything]), [everything]);
  const short = t({ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 });
  const long = t({ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  assert.deepEqual(mergeTolerations([short], [long]), [long], 'the longer toleration covers the shorter');
});
