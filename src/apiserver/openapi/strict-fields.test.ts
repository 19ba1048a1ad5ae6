import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isApiError } from '../../api/errors.js';
import { fallbackSchemaFile, indexSchemas } from './schemas.js';
import {
  findDuplicateFields,
  findUnknownFields,
  goValueString,
  parseFieldValidation,
  strictDecodingError,
  strictFieldErrors,
  strictPatchError,
} from './strict-fields.js';
import { generatedSchemaSet } from './testing/generated.js';

const set = generatedSchemaSet();
const deployment = { group: 'apps', version: 'v1', kind: 'Deployment' };
const pod = { group: '', version: 'v1', kind: 'Pod' };

const validDeployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    creationTimestamp: null,
    labels: { app: 'web', 'example.com/anything': 'x' },
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
  },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx',
            ports: [{ containerPort: 80, name: 'http' }],
            resources: { limits: { cpu: 1, memory: '1Gi' }, requests: { cpu: '100m' } },
            env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            readinessProbe: { httpGet: { path: '/', port: 'http' } },
          },
        ],
      },
    },
  },
  status: {},
};

void describe('findUnknownFields', () => {
  void test('a valid object has none (maps, int-or-string, quantities, null times)', () => {
    assert.deepEqual(findUnknownFields(validDeployment, deployment, set), []);
  });

  void test('reports upstream-formatted paths at every depth, in object order', () => {
    const obj = structuredClone(validDeployment) as Record<string, any>;
    obj.metadata.labelz = { a: 'b' };
    obj.spec.foo = 1;
    obj.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
    obj.spec.template.spec.containers.push({
      name: 'b',
      image: 'b',
      ports: [{ containerPort: 1, bogus: true }],
    });
    obj.top = true;
    assert.deepEqual(findUnknownFields(obj, deployment, set), [
      'metadata.labelz',
      'spec.template.spec.containers[0].imagePullPolicyy',
      'spec.template.spec.containers[1].ports[0].bogus',
      'spec.foo',
      'top',
    ]);
  });

  void test('field names are case-sensitive', () => {
    assert.deepEqual(findUnknownFields({ spec: { Replicas: 1 } }, deployment, set), ['spec.Replicas']);
  });

  void test('does not descend into unknown fields or free-form values', () => {
    const revision = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      revision: 1,
      data: { any: { thing: 1 } },
    };
    assert.deepEqual(
      findUnknownFields(revision, { group: 'apps', version: 'v1', kind: 'ControllerRevision' }, set),
      [],
    );
    const managed = {
      metadata: { managedFields: [{ manager: 'x', fieldsV1: { 'f:spec': { 'f:x': {} } } }] },
    };
    assert.deepEqual(findUnknownFields(managed, pod, set), []);
    assert.deepEqual(findUnknownFields({ spec: { nope: { deeper: 1 } } }, pod, set), ['spec.nope']);
  });

  void test('older versions use the current schema; unknown kinds are not checked', () => {
    const ext = { group: 'extensions', version: 'v1beta1', kind: 'Deployment' };
    assert.deepEqual(findUnknownFields({ spec: { foo: 1 } }, ext, set), ['spec.foo']);
    const cron = { group: 'batch', version: 'v1beta1', kind: 'CronJob' };
    assert.deepEqual(findUnknownFields({ spec: { schedul: '* * * * *' } }, cron, set), ['spec.schedul']);
    assert.deepEqual(
      findUnknownFields({ spec: { foo: 1 } }, { group: 'x.io', version: 'v1', kind: 'Deployment' }, set),
      [],
    );
  });

  void test('review and subresource kinds', () => {
    const ssar = { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview' };
    assert.deepEqual(
      findUnknownFields({ spec: { resourceAttributes: { verb: 'get', resourc: 'pods' } } }, ssar, set),
      ['spec.resourceAttributes.resourc'],
    );
    const scale = { group: 'autoscaling', version: 'v1', kind: 'Scale' };
    assert.deepEqual(findUnknownFields({ spec: { replicas: 3 } }, scale, set), []);
  });

  void test('fallback schemas accept everything', () => {
    const fallback = indexSchemas(fallbackSchemaFile());
    assert.deepEqual(findUnknownFields({ spec: { foo: 1 }, bar: 2 }, deployment, fallback), []);
  });
});

void describe('strictFieldErrors', () => {
  void test('unknown and duplicate fields in document order, as upstream conformance expects', () => {
    const body = `{
      "apiVersion": "apps/v1", "kind": "Deployment",
      "metadata": {"name": "my-dep", "labels": {"app": "nginx"}},
      "spec": {"unknownField": "foo", "replicas": 2, "replicas": 3,
        "selector": {"matchLabels": {"app": "nginx"}},
        "template": {"metadata": {"labels": {"app": "nginx"}},
          "spec": {"containers": [{"name": "nginx", "image": "nginx:latest"}]}}}}`;
    const errs = strictFieldErrors(body, deployment, set);
    assert.deepEqual(errs, ['unknown field "spec.unknownField"', 'duplicate field "spec.replicas"']);
    const err = strictDecodingError(errs, deployment);
    assert.ok(
      err.message.includes(
        'strict decoding error: unknown field "spec.unknownField", duplicate field "spec.replicas"',
      ),
    );
  });

  void test('duplicated unknown fields are reported once, as unknown; map keys can be duplicates', () => {
    const body =
      '{"metadata":{"labels":{"a":"1","a":"2"}},"spec":{"unknownDupe":1,"unknownDupe":2,"paused":true,"paused":false,' +
      '"template":{"spec":{"containers":[{"name":"n","unknownNested":1,"imagePullPolicy":"Always","imagePullPolicy":"Never"}]}}}}';
    assert.deepEqual(strictFieldErrors(body, deployment, set), [
      'duplicate field "metadata.labels.a"',
      'unknown field "spec.unknownDupe"',
      'duplicate field "spec.paused"',
      'unknown field "spec.template.spec.containers[0].unknownNested"',
      'duplicate field "spec.template.spec.containers[0].imagePullPolicy"',
    ]);
  });

  void test('accepts decoded objects too, and keys needing JSON escapes', () => {
    assert.deepEqual(strictFieldErrors({ spec: { foo: 1 } }, deployment, set), ['unknown field "spec.foo"']);
    assert.deepEqual(strictFieldErrors('{"spec":{"f\\u006fo":1,"q\\"x":2}}', deployment, set), [
      'unknown field "spec.foo"',
      'unknown field "spec.q\\"x"',
    ]);
  });

  void test('malformed JSON throws SyntaxError', () => {
    assert.throws(() => strictFieldErrors('{"spec":', deployment, set), SyntaxError);
  });
});

void describe('findDuplicateFields', () => {
  void test('reports repeated keys anywhere, once each', () => {
    assert.deepEqual(findDuplicateFields('{"a":1,"b":{"c":[{"d":1,"d":2}],"x":1,"x":2,"x":3},"a":2}'), [
      'b.c[0].d',
      'b.x',
      'a',
    ]);
    assert.deepEqual(findDuplicateFields('{"a":{"b":1},"c":[1,2,{"b":2}]}'), []);
  });
});

void describe('errors and directives', () => {
  void test('strictDecodingError is a 400 BadRequest with upstream wording', () => {
    const err = strictDecodingError(['unknown field "spec.foo"', 'unknown field "spec.bar"'], deployment);
    assert.ok(isApiError(err));
    assert.equal(err.code, 400);
    assert.equal(err.reason, 'BadRequest');
    assert.equal(
      err.message,
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo", unknown field "spec.bar"',
    );
    assert.equal(
      strictDecodingError(['unknown field "x"']).message,
      'strict decoding error: unknown field "x"',
    );
  });

  void test('strictPatchError is a 422 Invalid on field patch', () => {
    const err = strictPatchError(
      ['unknown field "spec.foo"'],
      goValueString({ spec: { foo: 1, a: [true, null] } }),
    );
    assert.equal(err.code, 422);
    assert.equal(err.reason, 'Invalid');
    assert.equal(
      err.message,
      ' "" is invalid: patch: Invalid value: "map[spec:map[a:[true <nil>] foo:1]]": strict decoding error: unknown field "spec.foo"',
    );
    assert.equal(err.status.details?.causes?.[0]?.field, 'patch');
  });

  void test('parseFieldValidation defaults to Warn and rejects unknown values', () => {
    assert.equal(parseFieldValidation(undefined), 'Warn');
    assert.equal(parseFieldValidation(''), 'Warn');
    assert.equal(parseFieldValidation('Strict'), 'Strict');
    assert.equal(parseFieldValidation('Ignore'), 'Ignore');
    assert.equal(parseFieldValidation('strict'), undefined);
  });
});
