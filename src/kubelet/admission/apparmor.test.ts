import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { appArmorProblem, appArmorRequired } from './apparmor.js';

const pod = (spec: Partial<Pod['spec']>, annotations?: Record<string, string>): Pod => ({
  metadata: { name: 'p', ...(annotations ? { annotations } : {}) },
  spec: { containers: [{ name: 'c' }], ...spec },
});

describe('AppArmor admission', () => {
  it('is required for any profile but Unconfined, in the pod, a container or an annotation', () => {
    assert.equal(appArmorRequired(pod({})), false);
    assert.equal(
      appArmorRequired(pod({ securityContext: { appArmorProfile: { type: 'Unconfined' } } })),
      false,
    );
    assert.equal(
      appArmorRequired(pod({ securityContext: { appArmorProfile: { type: 'RuntimeDefault' } } })),
      true,
    );
    const local = { appArmorProfile: { type: 'Localhost', localhostProfile: 'k8s-deny-write' } };
    assert.equal(appArmorRequired(pod({ initContainers: [{ name: 'i', securityContext: local }] })), true);
    const key = 'container.apparmor.security.beta.kubernetes.io/c';
    assert.equal(appArmorRequired(pod({}, { [key]: 'unconfined' })), false);
    assert.equal(appArmorRequired(pod({}, { [key]: 'runtime/default' })), true);
  });

  it('says the host lacks AppArmor, or that this agent does not enforce profiles', async () => {
    assert.equal(await appArmorProblem(() => Promise.resolve('N\n')), 'AppArmor is not enabled on the host');
    assert.equal(
      await appArmorProblem(() => Promise.reject(new Error('ENOENT'))),
      'AppArmor is not enabled on the host',
    );
    assert.equal(
      await appArmorProblem(() => Promise.resolve('Y\n')),
      'the tugboat agent does not apply AppArmor profiles yet',
    );
  });
});
