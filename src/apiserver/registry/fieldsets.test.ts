import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import {
  convertFieldLabel,
  fieldLabelConversionError,
  fieldSets,
  fieldsOf,
  supportedFieldLabels,
} from './fieldsets.js';

void describe('field sets', () => {
  void test('pods expose upstream fields', () => {
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-1', namespace: 'shop' },
      spec: {
        nodeName: 'node-1',
        restartPolicy: 'Always',
        schedulerName: 'default-scheduler',
        serviceAccountName: 'default',
        hostNetwork: true,
      },
      status: { phase: 'Running', podIPs: [{ ip: '10.244.0.7' }, { ip: 'fd00::7' }], nominatedNodeName: '' },
    };
    assert.deepEqual(fieldSets.pods?.(pod), {
      'metadata.name': 'web-1',
      'metadata.namespace': 'shop',
      'spec.nodeName': 'node-1',
      'spec.restartPolicy': 'Always',
      'spec.schedulerName': 'default-scheduler',
      'spec.serviceAccountName': 'default',
      'spec.hostNetwork': 'true',
      'status.phase': 'Running',
      'status.podIP': '10.244.0.7',
      'status.nominatedNodeName': '',
    });
  });

  void test('core events and events.k8s.io events', () => {
    const ev: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web-1.17a', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u1', apiVersion: 'v1' },
      reason: 'Pulled',
      source: { component: 'kubelet', host: 'node-1' },
      reportingComponent: 'kubelet',
      type: 'Normal',
    };
    const f = fieldsOf('events', ev);
    assert.equal(f['involvedObject.kind'], 'Pod');
    assert.equal(f['involvedObject.uid'], 'u1');
    assert.equal(f.source, 'kubelet');
    assert.equal(f.reportingComponent, 'kubelet');
    assert.equal(f['involvedObject.fieldPath'], '');
    const v1: KubeObject = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'e', namespace: 'default' },
      regarding: { kind: 'Node', name: 'node-1' },
      reason: 'Rebooted',
      reportingController: 'kubelet',
      type: 'Warning',
    };
    const g = fieldsOf('events.events.k8s.io', v1);
    assert.equal(g['regarding.kind'], 'Node');
    assert.equal(g['regarding.name'], 'node-1');
    assert.equal(g.reportingController, 'kubelet');
    assert.equal(g.type, 'Warning');
    assert.equal(g.source, 'kubelet', 'source falls back to the reporting controller');
  });

  void test('simple per-kind fields', () => {
    assert.equal(
      fieldsOf('secrets', { type: 'kubernetes.io/tls', metadata: { name: 's' } }).type,
      'kubernetes.io/tls',
    );
    assert.deepEqual(fieldsOf('nodes', { metadata: { name: 'n1' }, spec: {} }), {
      'metadata.name': 'n1',
      'spec.unschedulable': 'false',
    });
    assert.equal(
      fieldsOf('namespaces', { metadata: { name: 'a' }, status: { phase: 'Terminating' } })['status.phase'],
      'Terminating',
    );
    assert.equal(
      fieldsOf('replicasets.apps', { metadata: { name: 'r' }, status: { replicas: 3 } })['status.replicas'],
      '3',
    );
    assert.equal(fieldsOf('replicationcontrollers', { metadata: { name: 'r' } })['status.replicas'], '0');
    assert.equal(
      fieldsOf('jobs.batch', { metadata: { name: 'j' }, status: { succeeded: 1 } })['status.successful'],
      '1',
    );
    assert.equal(
      fieldsOf('services', { metadata: { name: 's' }, spec: { type: 'NodePort' } })['spec.type'],
      'NodePort',
    );
    assert.deepEqual(fieldsOf('configmaps', { metadata: { name: 'c', namespace: 'd' } }), {
      'metadata.name': 'c',
      'metadata.namespace': 'd',
    });
  });
});

void describe('field label errors', () => {
  void test('kinds with their own fields answer "field label not supported"', () => {
    const err = fieldLabelConversionError('pods', 'spec.foo');
    assert.equal(err.code, 400);
    assert.equal(err.reason, 'BadRequest');
    assert.equal(err.message, 'field label not supported: spec.foo');
  });

  void test('other kinds answer with the metadata-only message', () => {
    assert.equal(
      fieldLabelConversionError('ingresses.networking.k8s.io', 'foo.bar').message,
      '"foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
  });

  void test('convertFieldLabel accepts known labels and the old spec.host alias', () => {
    assert.equal(convertFieldLabel('pods', 'status.phase'), 'status.phase');
    assert.equal(convertFieldLabel('pods', 'spec.host'), 'spec.nodeName');
    assert.equal(convertFieldLabel('configmaps', 'metadata.namespace'), 'metadata.namespace');
    assert.throws(
      () => convertFieldLabel('namespaces', 'metadata.namespace'),
      (e: unknown) => isApiError(e) && e.message === 'field label not supported: metadata.namespace',
    );
    assert.deepEqual(supportedFieldLabels('nodes').sort(), ['metadata.name', 'spec.unschedulable']);
  });
});
