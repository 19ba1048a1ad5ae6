import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isApiError } from '../../api/errors.js';
import type { GroupVersionKind } from '../../api/meta.js';
import { fallbackSchemaFile, indexSchemas } from './schemas.js';
import { generatedSchemaSet } from './testing/generated.js';
import { base64Problem, decodeAgainstSchema, rfc3339Problem } from './type-check.js';

const set = generatedSchemaSet();
const deployment: GroupVersionKind = { group: 'apps', version: 'v1', kind: 'Deployment' };
const pod: GroupVersionKind = { group: '', version: 'v1', kind: 'Pod' };
const service: GroupVersionKind = { group: '', version: 'v1', kind: 'Service' };
const configMap: GroupVersionKind = { group: '', version: 'v1', kind: 'ConfigMap' };
const crd: GroupVersionKind = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  kind: 'CustomResourceDefinition',
};

const DEP = 'Deployment in version "v1" cannot be handled as a Deployment: ';
const SVC = 'Service in version "v1" cannot be handled as a Service: ';
const POD = 'Pod in version "v1" cannot be handled as a Pod: ';
const QUANTITY =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

function validDeployment(): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      labels: { app: 'web' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"a":1}' },
      creationTimestamp: '2024-05-01T10:00:00Z',
      managedFields: [
        {
          manager: 'kubectl',
          operation: 'Update',
          apiVersion: 'apps/v1',
          time: '2024-05-01T10:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': { 'f:replicas': {} } },
        },
      ],
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.25',
              args: ['--port', '80'],
              ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }],
              env: [{ name: 'A', value: '1' }],
              resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: 0.1 } },
              readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 5 },
            },
          ],
          terminationGracePeriodSeconds: 30,
          securityContext: { runAsNonRoot: true, runAsUser: 1000 },
        },
      },
    },
    status: {
      replicas: 3,
      conditions: [{ type: 'Available', status: 'True', lastUpdateTime: '2024-05-01T10:00:00Z' }],
    },
  };
}

const validPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'p',
    ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u', controller: true }],
  },
  spec: {
    containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'sleep 1'] }],
    tolerations: [{ key: 'k', operator: 'Exists', tolerationSeconds: 30 }],
    volumes: [{ name: 'v', emptyDir: { sizeLimit: '1Gi' } }],
  },
};

const validService = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 's' },
  spec: {
    selector: { app: 'web' },
    ports: [
      { port: 80, targetPort: 8080, protocol: 'TCP' },
      { name: 'https', port: 443, targetPort: 'https' },
    ],
    type: 'ClusterIP',
  },
};

function decode(body: unknown, gvk = deployment, mode: 'Strict' | 'Warn' | 'Ignore' = 'Warn') {
  return decodeAgainstSchema(body, gvk, mode, set);
}

function decodeErrorOf(body: unknown, gvk = deployment): string {
  try {
    decode(body, gvk);
  } catch (err) {
    assert.ok(isApiError(err), `expected an ApiError, got ${String(err)}`);
    assert.equal(err.code, 400);
    assert.equal(err.reason, 'BadRequest');
    return err.message;
  }
  assert.fail('expected a decode error');
}

describe('decodeAgainstSchema: valid objects pass unchanged', () => {
  for (const [name, gvk, body] of [
    ['Deployment', deployment, validDeployment()],
    ['Pod', pod, validPod],
    ['Service', service, validService],
  ] as const) {
    test(name, () => {
      const before = structuredClone(body);
      const { object, warnings } = decode(structuredClone(body), gvk, 'Strict');
      assert.deepEqual(object, before);
      assert.deepEqual(warnings, []);
    });
  }

  test('returns the same object (decodes in place)', () => {
    const body = validDeployment();
    assert.equal(decode(body).object, body);
  });

  test('minimal (fallback) schemas check nothing and prune nothing', () => {
    const fallback = indexSchemas(fallbackSchemaFile());
    const body = {
      kind: 'Deployment',
      metadata: { name: 'x', bogus: 1 },
      spec: { replicas: 'x', extra: null },
    };
    assert.deepEqual(decodeAgainstSchema(structuredClone(body), deployment, 'Strict', fallback).object, body);
  });

  test('kinds without a schema pass through', () => {
    const body = { apiVersion: 'example.com/v1', kind: 'Widget', spec: { anything: [1, 'x'] } };
    const gvk = { group: 'example.com', version: 'v1', kind: 'Widget' };
    assert.deepEqual(decodeAgainstSchema(structuredClone(body), gvk, 'Strict', set).object, body);
  });
});

describe('decodeAgainstSchema: type errors', () => {
  const cases: [string, GroupVersionKind, unknown, string][] = [
    [
      'string field given an array',
      deployment,
      { metadata: { generateName: [1] } },
      `${DEP}json: cannot unmarshal array into Go struct field ObjectMeta.metadata.generateName of type string`,
    ],
    [
      'array field given a number',
      service,
      { spec: { ports: 5 } },
      `${SVC}json: cannot unmarshal number into Go struct field ServiceSpec.spec.ports of type []v1.ServicePort`,
    ],
    [
      'struct field given a bool',
      deployment,
      { spec: false },
      `${DEP}json: cannot unmarshal bool into Go struct field Deployment.spec of type v1.DeploymentSpec`,
    ],
    [
      'metadata given a string',
      deployment,
      { metadata: 'str' },
      `${DEP}json: cannot unmarshal string into Go struct field Deployment.metadata of type v1.ObjectMeta`,
    ],
    [
      'map field given a string',
      deployment,
      { metadata: { annotations: 'x' } },
      `${DEP}json: cannot unmarshal string into Go struct field ObjectMeta.metadata.annotations of type map[string]string`,
    ],
    [
      'map value of the wrong type (no map key in the path)',
      deployment,
      { metadata: { labels: { app: 1 } } },
      `${DEP}json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string`,
    ],
    [
      'int32 out of range',
      deployment,
      { spec: { replicas: 1e300 } },
      `${DEP}json: cannot unmarshal number 1e+300 into Go struct field DeploymentSpec.spec.replicas of type int32`,
    ],
    [
      'int32 just above range',
      deployment,
      { spec: { replicas: 2147483648 } },
      `${DEP}json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32`,
    ],
    [
      'fraction into an integer',
      deployment,
      { spec: { replicas: 1.5 } },
      `${DEP}json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32`,
    ],
    [
      'string into an integer',
      deployment,
      { spec: { replicas: '3' } },
      `${DEP}json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`,
    ],
    [
      'int64 field',
      deployment,
      { metadata: { generation: 'x' } },
      `${DEP}json: cannot unmarshal string into Go struct field ObjectMeta.metadata.generation of type int64`,
    ],
    [
      'int64 out of range',
      deployment,
      { metadata: { generation: 1e19 } },
      `${DEP}json: cannot unmarshal number 10000000000000000000 into Go struct field ObjectMeta.metadata.generation of type int64`,
    ],
    [
      'boolean field',
      pod,
      { spec: { hostNetwork: 'true' } },
      `${POD}json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool`,
    ],
    [
      'nested list path drops indices',
      deployment,
      {
        spec: {
          template: { spec: { containers: [{ name: 'a' }, { name: 'b', env: [{ name: 'X', value: 1 }] }] } },
        },
      },
      `${DEP}json: cannot unmarshal number into Go struct field EnvVar.spec.template.spec.containers.env.value of type string`,
    ],
    [
      'list item of the wrong type',
      pod,
      { spec: { imagePullSecrets: ['regcred'] } },
      `${POD}json: cannot unmarshal string into Go struct field PodSpec.spec.imagePullSecrets of type v1.LocalObjectReference`,
    ],
    [
      'list of strings with a number',
      pod,
      { spec: { containers: [{ name: 'c', args: ['a', 2] }] } },
      `${POD}json: cannot unmarshal number into Go struct field Container.spec.containers.args of type string`,
    ],
    [
      'int-or-string given a bool',
      service,
      { spec: { ports: [{ port: 80, targetPort: true }] } },
      `${SVC}json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.targetPort of type int32`,
    ],
    [
      'int-or-string given a fraction',
      service,
      { spec: { ports: [{ port: 80, targetPort: 1.5 }] } },
      `${SVC}json: cannot unmarshal number 1.5 into Go struct field ServicePort.spec.ports.targetPort of type int32`,
    ],
    [
      'quantity given a bool',
      pod,
      { spec: { containers: [{ name: 'c', resources: { limits: { cpu: true } } }] } },
      `${POD}${QUANTITY}`,
    ],
    [
      'malformed quantity string',
      pod,
      { spec: { containers: [{ name: 'c', resources: { requests: { memory: 'lots' } } }] } },
      `${POD}${QUANTITY}`,
    ],
    [
      'time given a number',
      deployment,
      { metadata: { creationTimestamp: 5 } },
      `${DEP}json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string`,
    ],
    [
      'time not RFC 3339',
      deployment,
      { metadata: { creationTimestamp: 'x' } },
      `${DEP}parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006"`,
    ],
    [
      'root type error comes before unknown fields',
      deployment,
      { bogus: 1, spec: { replicas: 'x' } },
      `${DEP}json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`,
    ],
  ];
  for (const [name, gvk, body, message] of cases) {
    test(name, () => assert.equal(decodeErrorOf(body, gvk), message));
  }

  test('type errors are reported under Ignore too', () => {
    assert.throws(() => decode({ spec: { replicas: 'x' } }, deployment, 'Ignore'), /cannot unmarshal string/);
  });

  test('a body that is not an object', () => {
    assert.equal(
      decodeErrorOf([1]),
      `${DEP}json: cannot unmarshal array into Go value of type v1.Deployment`,
    );
  });

  test('free-form values accept anything', () => {
    const body = {
      metadata: { managedFields: [{ fieldsV1: { 'f:x': [1, true, null] } }] },
    };
    assert.deepEqual(decode(structuredClone(body), deployment, 'Strict').object, body);
    const crdBody = {
      spec: {
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', default: { a: null }, example: 5 } },
          },
        ],
      },
    };
    assert.deepEqual(decode(structuredClone(crdBody), crd, 'Strict').object, crdBody);
  });
});

describe('decodeAgainstSchema: unknown fields', () => {
  const withUnknown = () => ({
    kind: 'Deployment',
    bogus: true,
    metadata: { name: 'x', labelz: { a: 'b' } },
    spec: { replicas: 1, template: { spec: { containers: [{ name: 'c', imagee: 'x' }] } } },
  });
  const pruned = {
    kind: 'Deployment',
    metadata: { name: 'x' },
    spec: { replicas: 1, template: { spec: { containers: [{ name: 'c' }] } } },
  };
  const messages = [
    'unknown field "bogus"',
    'unknown field "metadata.labelz"',
    'unknown field "spec.template.spec.containers[0].imagee"',
  ];

  test('Warn prunes and warns', () => {
    const { object, warnings } = decode(withUnknown(), deployment, 'Warn');
    assert.deepEqual(object, pruned);
    assert.deepEqual(warnings, messages);
  });

  test('Ignore prunes silently', () => {
    const { object, warnings } = decode(withUnknown(), deployment, 'Ignore');
    assert.deepEqual(object, pruned);
    assert.deepEqual(warnings, []);
  });

  test('Strict rejects with the strict decoding error', () => {
    assert.throws(
      () => decode(withUnknown(), deployment, 'Strict'),
      (err: unknown) =>
        isApiError(err) &&
        err.code === 400 &&
        err.message === `${DEP}strict decoding error: ${messages.join(', ')}`,
    );
  });

  test('duplicate fields from the raw text', () => {
    const raw = '{"kind":"Deployment","spec":{"replicas":1,"replicas":2}}';
    const body = JSON.parse(raw) as unknown;
    const { warnings } = decodeAgainstSchema(body, deployment, 'Warn', set, { rawJson: raw });
    assert.deepEqual(warnings, ['duplicate field "spec.replicas"']);
  });

  test('map keys are never unknown', () => {
    const body = { data: { anything: 'x', 'other.key': 'y' } };
    assert.deepEqual(decode(structuredClone(body), configMap, 'Strict').object, body);
  });
});

describe('decodeAgainstSchema: nulls', () => {
  const cases: [string, GroupVersionKind, unknown, unknown][] = [
    [
      'null fields are unset',
      deployment,
      {
        metadata: { name: 'x', labels: null, creationTimestamp: null },
        spec: { replicas: null, strategy: null },
      },
      { metadata: { name: 'x' }, spec: {} },
    ],
    ['null struct is unset', deployment, { spec: null, status: null }, {}],
    [
      'a null free-form field is unset, nulls inside one are kept',
      deployment,
      { metadata: { managedFields: [{ manager: 'a', fieldsV1: null }, { fieldsV1: { 'f:x': null } }] } },
      { metadata: { managedFields: [{ manager: 'a' }, { fieldsV1: { 'f:x': null } }] } },
    ],
    [
      'null items in a list of objects become empty objects',
      pod,
      { spec: { containers: [null, { name: 'c' }] } },
      { spec: { containers: [{}, { name: 'c' }] } },
    ],
    [
      'null items in a list of strings become empty strings',
      pod,
      { spec: { containers: [{ name: 'c', args: ['a', null] }] } },
      { spec: { containers: [{ name: 'c', args: ['a', ''] }] } },
    ],
    [
      'null map values become the zero value',
      deployment,
      { metadata: { labels: { a: null } } },
      { metadata: { labels: { a: '' } } },
    ],
    [
      'null int-or-string is unset; a null quantity in a map is zero',
      pod,
      {
        spec: {
          containers: [
            { name: 'c', resources: { limits: { cpu: null } }, readinessProbe: { httpGet: { port: null } } },
          ],
        },
      },
      {
        spec: {
          containers: [{ name: 'c', resources: { limits: { cpu: '0' } }, readinessProbe: { httpGet: {} } }],
        },
      },
    ],
  ];
  for (const [name, gvk, body, expected] of cases) {
    test(name, () => assert.deepEqual(decode(body, gvk, 'Strict').object, expected));
  }
});

describe('decodeAgainstSchema: accepted values', () => {
  const cases: [string, GroupVersionKind, unknown][] = [
    ['int-or-string as number', service, { spec: { ports: [{ port: 80, targetPort: 8080 }] } }],
    ['int-or-string as string', service, { spec: { ports: [{ port: 80, targetPort: 'http' }] } }],
    ['quantity as number', pod, { spec: { containers: [{ name: 'c', resources: { limits: { cpu: 2 } } }] } }],
    [
      'quantity as string',
      pod,
      { spec: { containers: [{ name: 'c', resources: { limits: { memory: '1.5Gi' } } }] } },
    ],
    ['int32 bounds', deployment, { spec: { replicas: 2147483647, minReadySeconds: -2147483648 } }],
    [
      'time with fraction and offset',
      deployment,
      { metadata: { creationTimestamp: '2024-02-29T23:59:59.123+05:30' } },
    ],
  ];
  for (const [name, gvk, body] of cases) {
    test(name, () => assert.deepEqual(decode(structuredClone(body), gvk, 'Strict').object, body));
  }
});

describe('rfc3339Problem', () => {
  const layout = '"2006-01-02T15:04:05Z07:00"';
  const cases: [string, string | undefined][] = [
    ['2024-05-01T10:00:00Z', undefined],
    ['2024-05-01T10:00:00.5-07:00', undefined],
    ['x', `parsing time "x" as ${layout}: cannot parse "x" as "2006"`],
    ['2024-05-01', `parsing time "2024-05-01" as ${layout}: cannot parse "" as "T"`],
    [
      '2024/05/01T10:00:00Z',
      `parsing time "2024/05/01T10:00:00Z" as ${layout}: cannot parse "/05/01T10:00:00Z" as "-"`,
    ],
    ['2024-13-01T10:00:00Z', 'parsing time "2024-13-01T10:00:00Z": month out of range'],
    ['2023-02-29T10:00:00Z', 'parsing time "2023-02-29T10:00:00Z": day out of range'],
    ['2024-05-01T10:00:00', `parsing time "2024-05-01T10:00:00" as ${layout}: cannot parse "" as "Z07:00"`],
    ['2024-05-01T10:00:00Zjunk', 'parsing time "2024-05-01T10:00:00Zjunk": extra text: "junk"'],
  ];
  for (const [value, expected] of cases) {
    test(value, () => assert.equal(rfc3339Problem(value), expected));
  }
});

describe('base64Problem (Go base64.StdEncoding.Decode)', () => {
  const cases: [string, string | undefined][] = [
    ['', undefined],
    ['MQ==', undefined],
    ['YWI=', undefined],
    ['YWJj', undefined],
    ['YW\nJj\r\n', undefined],
    ['YW=\n=', undefined],
    ['abc', 'illegal base64 data at input byte 0'],
    ['YWJjZ', 'illegal base64 data at input byte 4'],
    ['not base64', 'illegal base64 data at input byte 3'],
    ['YQ=', 'illegal base64 data at input byte 3'],
    ['Y===', 'illegal base64 data at input byte 1'],
    ['YQ=a', 'illegal base64 data at input byte 2'],
    ['YQ==YQ==', 'illegal base64 data at input byte 4'],
    ['YWJj-_', 'illegal base64 data at input byte 4'],
    ['é', 'illegal base64 data at input byte 0'],
  ];
  for (const [value, expected] of cases) {
    test(JSON.stringify(value), () => assert.equal(base64Problem(value), expected));
  }
});

describe('decodeAgainstSchema: []byte fields (format byte)', () => {
  const vwc: GroupVersionKind = {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    kind: 'ValidatingWebhookConfiguration',
  };
  const VWC =
    'ValidatingWebhookConfiguration in version "v1" cannot be handled as a ValidatingWebhookConfiguration: ';
  const withCaBundle = (caBundle: unknown) => ({
    webhooks: [{ name: 'a.example.com', clientConfig: { url: 'https://a.example.com', caBundle } }],
  });

  test('valid base64 passes', () => {
    const body = withCaBundle('LS0tLS1CRUdJTg==');
    assert.deepEqual(decode(structuredClone(body), vwc, 'Strict').object, body);
  });

  test('invalid base64 is a 400 with the offset', () => {
    assert.equal(decodeErrorOf(withCaBundle('not-base64'), vwc), `${VWC}illegal base64 data at input byte 3`);
  });

  test('a number is a type error into []uint8', () => {
    assert.equal(
      decodeErrorOf(withCaBundle(5), vwc),
      `${VWC}json: cannot unmarshal number into Go struct field WebhookClientConfig.webhooks.clientConfig.caBundle of type []uint8`,
    );
  });
});
