import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/meta.js';
import type { ResourceDef } from '../registry/types.js';
import { isSignificantPodUpdate, PodSecurityAdmission } from './admission.js';
import type { PodSecurityConfig } from './config.js';
import { namespacePolicy } from './namespace-policy.js';

const pods = { group: '', plural: 'pods' } as ResourceDef;
const deployments = { group: 'apps', plural: 'deployments' } as ResourceDef;

function pod(namespace: string, extra: Partial<Pod['spec']> = {}): Pod {
  return {
    metadata: { name: 'p', namespace },
    spec: { containers: [{ name: 'app', image: 'busybox' }], hostNetwork: true, ...extra },
  };
}

/** Namespaces without labels; a cluster default of baseline enforce and restricted warn. */
const config: PodSecurityConfig = {
  defaults: namespacePolicy({
    'pod-security.kubernetes.io/enforce': 'baseline',
    'pod-security.kubernetes.io/warn': 'restricted',
  }).policy,
  exemptions: { usernames: ['ci-bot'], namespaces: ['kube-system'], runtimeClasses: ['kata'] },
};
const admission = new PodSecurityAdmission(
  { namespaceLabels: () => undefined, listPods: () => Promise.resolve([]) },
  config,
);

async function outcome(req: { obj: object; def?: ResourceDef; user?: string }): Promise<string> {
  const warnings: string[] = [];
  try {
    await admission.admit({
      def: req.def ?? pods,
      obj: req.obj as KubeObject,
      ...(req.user ? { user: req.user } : {}),
      warn: (w) => warnings.push(w),
    });
    return warnings.length ? `warned: ${warnings.join(' | ')}` : 'allowed';
  } catch (err) {
    return `refused: ${(err as Error).message}`;
  }
}

test('the configured defaults apply to namespaces without labels', async () => {
  assert.equal(
    await outcome({ obj: pod('apps') }),
    'refused: pods "p" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true)',
  );
  assert.match(
    await outcome({ obj: pod('apps', { hostNetwork: false }) }),
    /^warned: would violate PodSecurity "restricted:latest": /,
  );
  // A workload's template is warned about at the warn default.
  const deployment = {
    metadata: { name: 'd', namespace: 'apps' },
    spec: { template: { spec: pod('apps').spec } },
  };
  assert.match(
    await outcome({ obj: deployment, def: deployments }),
    /^warned: would violate PodSecurity "restricted:latest": host namespaces/,
  );
});

test('exempt namespaces, users and runtime classes are let through without warnings', async () => {
  assert.equal(await outcome({ obj: pod('kube-system') }), 'allowed');
  assert.equal(await outcome({ obj: pod('apps'), user: 'ci-bot' }), 'allowed');
  assert.equal(await outcome({ obj: pod('apps', { runtimeClassName: 'kata' }) }), 'allowed');
  assert.match(await outcome({ obj: pod('apps', { runtimeClassName: 'runc' }) }), /^refused: /);
});

test('significant pod updates: images, seccomp annotations, new ephemeral containers', () => {
  const base: Pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'one' }] } };
  const relabelled: Pod = { ...base, metadata: { name: 'p', labels: { x: 'y' } } };
  assert.equal(isSignificantPodUpdate(relabelled, base), false);
  assert.equal(
    isSignificantPodUpdate({ ...base, spec: { containers: [{ name: 'a', image: 'two' }] } }, base),
    true,
  );
  const seccomp: Pod = {
    ...base,
    metadata: {
      name: 'p',
      annotations: { 'container.seccomp.security.alpha.kubernetes.io/a': 'unconfined' },
    },
  };
  assert.equal(isSignificantPodUpdate(seccomp, base), true);
  const debug: Pod = {
    ...base,
    spec: { ...base.spec!, ephemeralContainers: [{ name: 'dbg', image: 'busybox' }] },
  };
  assert.equal(isSignificantPodUpdate(debug, base), true);
  assert.equal(isSignificantPodUpdate(debug, debug), false);
});

test('audited requests get upstream’s annotations: policy, audit violations, exemptions, parse errors', async () => {
  const labels: Record<string, Record<string, string>> = {
    audited: { 'pod-security.kubernetes.io/audit': 'baseline' },
    broken: {
      'pod-security.kubernetes.io/enforce': 'strict',
      'pod-security.kubernetes.io/audit': 'privileged',
    },
  };
  const plugin = new PodSecurityAdmission(
    { namespaceLabels: (ns) => labels[ns], listPods: () => Promise.resolve([]) },
    {
      defaults: namespacePolicy({}).policy,
      exemptions: { usernames: [], namespaces: ['tools'], runtimeClasses: [] },
    },
  );
  const annotationsOf = async (obj: object, def = pods): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    await plugin
      .admit({ def, obj: obj as KubeObject, warn: () => {}, annotate: (k, v) => (out[k] = v) })
      .catch(() => {});
    return out;
  };
  assert.deepEqual(await annotationsOf(pod('plain')), {
    'pod-security.kubernetes.io/enforce-policy': 'privileged:latest',
  });
  assert.deepEqual(await annotationsOf(pod('audited')), {
    'pod-security.kubernetes.io/enforce-policy': 'privileged:latest',
    'pod-security.kubernetes.io/audit-violations':
      'would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true)',
  });
  assert.deepEqual(await annotationsOf(pod('tools')), { 'pod-security.kubernetes.io/exempt': 'namespace' });
  const broken = await annotationsOf(pod('broken', { hostNetwork: false }));
  assert.equal(broken['pod-security.kubernetes.io/enforce-policy'], 'restricted:latest');
  assert.equal(
    broken['pod-security.kubernetes.io/error'],
    'Failed to parse policy: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": ' +
      'must be one of privileged, baseline, restricted',
  );
  // A workload's template: audit violations, never an enforce-policy.
  const deployment = {
    metadata: { name: 'd', namespace: 'audited' },
    spec: { template: { spec: pod('x').spec } },
  };
  assert.deepEqual(await annotationsOf(deployment, deployments), {
    'pod-security.kubernetes.io/audit-violations':
      'would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true)',
  });
});
