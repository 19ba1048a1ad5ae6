import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/meta.js';
import { podStrategy, podTemplateStrategy, podQOSClass, POD_UPDATE_FORBIDDEN } from './pod.js';
import { imageTag } from './pod-defaults.js';
import { create, lines, update } from './testing.js';

const pod = (spec: Record<string, unknown>, name = 'web'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec,
});

const nginx = { name: 'nginx', image: 'nginx:1.25' };

void describe('pod defaults', () => {
  void test('kubectl run body gets upstream defaults', () => {
    const { obj, errors } = create(
      podStrategy,
      pod({
        containers: [{ name: 'r1', image: 'busybox', args: ['sleep', '10'], resources: {} }],
        restartPolicy: 'Never',
        dnsPolicy: 'ClusterFirst',
      }),
    );
    assert.deepEqual(errors, []);
    const spec = obj.spec as any;
    assert.equal(spec.restartPolicy, 'Never');
    assert.equal(spec.dnsPolicy, 'ClusterFirst');
    assert.equal(spec.schedulerName, 'default-scheduler');
    assert.equal(spec.terminationGracePeriodSeconds, 30);
    assert.deepEqual(spec.securityContext, {});
    assert.equal(spec.enableServiceLinks, true);
    assert.equal(spec.serviceAccountName, 'default');
    assert.equal(spec.serviceAccount, 'default');
    // Priority and default tolerations are admission's (rest/priority-admission.ts, rest/default-tolerations.ts).
    assert.equal(spec.priority, undefined);
    assert.equal(spec.tolerations, undefined);
    const c = spec.containers[0];
    assert.equal(c.imagePullPolicy, 'Always');
    assert.equal(c.terminationMessagePath, '/dev/termination-log');
    assert.equal(c.terminationMessagePolicy, 'File');
    assert.deepEqual(obj.status, { phase: 'Pending', qosClass: 'BestEffort' });
  });

  void test('restartPolicy defaults to Always', () => {
    assert.equal((create(podStrategy, pod({ containers: [nginx] })).obj.spec as any).restartPolicy, 'Always');
  });

  const pullCases: [string, string][] = [
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.25', 'IfNotPresent'],
    ['registry:5000/app', 'Always'],
    ['registry:5000/app:v1', 'IfNotPresent'],
    ['nginx@sha256:abcd', 'IfNotPresent'],
    ['nginx:latest@sha256:abcd', 'Always'],
  ];
  for (const [image, want] of pullCases) {
    void test(`imagePullPolicy for ${image} is ${want}`, () => {
      const { obj } = create(podStrategy, pod({ containers: [{ name: 'c', image }] }));
      assert.equal((obj.spec as any).containers[0].imagePullPolicy, want);
    });
  }
  void test('imageTag', () => assert.equal(imageTag('a/b:c'), 'c'));

  void test('ports, probes, volumes, env', () => {
    const { obj, errors } = create(
      podStrategy,
      pod({
        containers: [
          {
            name: 'c',
            image: 'nginx',
            ports: [{ containerPort: 80 }],
            livenessProbe: { httpGet: { port: 80 } },
            readinessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 5 },
            env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
            volumeMounts: [
              { name: 'data', mountPath: '/data' },
              { name: 'cfg', mountPath: '/cfg' },
            ],
          },
        ],
        volumes: [{ name: 'data' }, { name: 'cfg', configMap: { name: 'x' } }],
      }),
    );
    assert.deepEqual(lines(errors), []);
    const c = (obj.spec as any).containers[0];
    assert.deepEqual(c.ports, [{ containerPort: 80, protocol: 'TCP' }]);
    assert.deepEqual(c.livenessProbe, {
      httpGet: { port: 80, path: '/', scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    assert.equal(c.readinessProbe.periodSeconds, 5);
    assert.equal(c.env[0].valueFrom.fieldRef.apiVersion, 'v1');
    const vols = (obj.spec as any).volumes;
    assert.deepEqual(vols[0], { name: 'data', emptyDir: {} });
    assert.deepEqual(vols[1], { name: 'cfg', configMap: { name: 'x', defaultMode: 420 } });
  });

  void test('hostNetwork copies containerPort to hostPort', () => {
    const { obj } = create(
      podStrategy,
      pod({ hostNetwork: true, containers: [{ ...nginx, ports: [{ containerPort: 8080 }] }] }),
    );
    assert.equal((obj.spec as any).containers[0].ports[0].hostPort, 8080);
  });

  void test('requests default from limits (pods only) and quantities canonicalize', () => {
    const spec = { containers: [{ ...nginx, resources: { limits: { cpu: '0.5', memory: '1024Mi' } } }] };
    const p = create(podStrategy, pod(spec)).obj.spec as any;
    assert.deepEqual(p.containers[0].resources, {
      limits: { cpu: '500m', memory: '1Gi' },
      requests: { cpu: '500m', memory: '1Gi' },
    });
    const t = create(podTemplateStrategy, {
      kind: 'PodTemplate',
      metadata: { name: 't', namespace: 'd' },
      template: { spec },
    }).obj as any;
    assert.equal(t.template.spec.containers[0].resources.requests, undefined);
    assert.equal(t.template.spec.enableServiceLinks, undefined);
  });
});

void describe('pod QoS', () => {
  const cases: [unknown, string][] = [
    [{}, 'BestEffort'],
    [{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } }, 'Guaranteed'],
    [{ limits: { cpu: '1', memory: '1Gi' } }, 'Guaranteed'],
    [{ requests: { cpu: '100m' } }, 'Burstable'],
    [{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } }, 'Burstable'],
  ];
  for (const [resources, want] of cases) {
    void test(`${JSON.stringify(resources)} → ${want}`, () => {
      assert.equal(podQOSClass({ containers: [{ name: 'c', resources }] }), want);
    });
  }
  void test('status carries qosClass', () => {
    const { obj } = create(
      podStrategy,
      pod({ containers: [{ ...nginx, resources: { limits: { cpu: '1', memory: '1Gi' } } }] }),
    );
    assert.equal((obj.status as any).qosClass, 'Guaranteed');
  });
});

void describe('pod validation', () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ['no containers', { containers: [] }, ['spec.containers: Required value']],
    ['missing image', { containers: [{ name: 'c' }] }, ['spec.containers[0].image: Required value']],
    [
      'bad container name',
      { containers: [{ name: 'Web_1', image: 'x' }] },
      [
        `spec.containers[0].name: Invalid value: "Web_1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      ],
    ],
    [
      'duplicate names across init and app containers',
      { initContainers: [{ name: 'a', image: 'x' }], containers: [{ name: 'a', image: 'x' }] },
      ['spec.containers[0].name: Duplicate value: "a"'],
    ],
    [
      'port out of range and bad name',
      { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 70000, name: 'HTTP' }] }] },
      [
        'spec.containers[0].ports[0].name: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'spec.containers[0].ports[0].name: Invalid value: "HTTP": must contain at least one letter (a-z)',
        'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      ],
    ],
    [
      'duplicate port names',
      {
        containers: [
          {
            name: 'c',
            image: 'x',
            ports: [
              { containerPort: 80, name: 'http' },
              { containerPort: 81, name: 'http' },
            ],
          },
        ],
      },
      ['spec.containers[0].ports[1].name: Duplicate value: "http"'],
    ],
    [
      'bad protocol',
      { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, protocol: 'ICMP' }] }] },
      [
        'spec.containers[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
      ],
    ],
    [
      'bad env name',
      { containers: [{ name: 'c', image: 'x', env: [{ name: '1BAD', value: 'x' }] }] },
      [
        `spec.containers[0].env[0].name: Invalid value: "1BAD": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')`,
      ],
    ],
    [
      'env value and valueFrom',
      {
        containers: [
          {
            name: 'c',
            image: 'x',
            env: [{ name: 'A', value: 'x', valueFrom: { fieldRef: { fieldPath: 'a' } } }],
          },
        ],
      },
      [
        'spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
      ],
    ],
    [
      'mount of unknown volume',
      { containers: [{ name: 'c', image: 'x', volumeMounts: [{ name: 'nope', mountPath: '/x' }] }] },
      ['spec.containers[0].volumeMounts[0].name: Not found: "nope"'],
    ],
    [
      'duplicate volumes',
      {
        containers: [nginx],
        volumes: [
          { name: 'v', emptyDir: {} },
          { name: 'v', emptyDir: {} },
        ],
      },
      ['spec.volumes[1].name: Duplicate value: "v"'],
    ],
    [
      'bad restartPolicy',
      { containers: [nginx], restartPolicy: 'Sometimes' },
      [
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      ],
    ],
    [
      'requests above limits',
      { containers: [{ ...nginx, resources: { limits: { cpu: '500m' }, requests: { cpu: '1' } } }] },
      [
        'spec.containers[0].resources.requests: Invalid value: "1": must be less than or equal to cpu limit of 500m',
      ],
    ],
    [
      'bad quantity',
      { containers: [{ ...nginx, resources: { limits: { memory: '1GB' } } }] },
      [
        `spec.containers[0].resources.limits[memory]: Invalid value: "1GB": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
        `spec.containers[0].resources.requests[memory]: Invalid value: "1GB": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
      ],
    ],
    [
      'unknown container resource',
      { containers: [{ ...nginx, resources: { requests: { gpu: '1' } } }] },
      [
        'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers',
      ],
    ],
    [
      'extended resources: integer, requests equal limits',
      {
        containers: [
          {
            ...nginx,
            resources: { limits: { 'example.com/gpu': '2' }, requests: { 'example.com/gpu': '500m' } },
          },
        ],
      },
      [
        'spec.containers[0].resources.requests[example.com/gpu]: Invalid value: "500m": must be an integer',
        'spec.containers[0].resources.requests: Invalid value: "500m": must be equal to example.com/gpu limit of 2',
      ],
    ],
    [
      'probe without handler',
      { containers: [{ ...nginx, livenessProbe: { periodSeconds: 3 } }] },
      ['spec.containers[0].livenessProbe: Required value: must specify a handler type'],
    ],
    [
      'liveness successThreshold',
      { containers: [{ ...nginx, livenessProbe: { exec: { command: ['true'] }, successThreshold: 2 } }] },
      ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1'],
    ],
    [
      'toleration values: a label value with Equal, empty with Exists (reported at the operator, as upstream)',
      {
        containers: [nginx],
        tolerations: [
          { key: 'k', operator: 'Equal', value: 'bad value' },
          { key: 'k', operator: 'Exists', value: 'x' },
        ],
      },
      [
        `spec.tolerations[0].operator: Invalid value: core.Toleration{Key:"k", Operator:"Equal", Value:"bad value", Effect:"", TolerationSeconds:(*int64)(nil)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
        `spec.tolerations[1].operator: Invalid value: core.Toleration{Key:"k", Operator:"Exists", Value:"x", Effect:"", TolerationSeconds:(*int64)(nil)}: value must be empty when \`operator\` is 'Exists'`,
      ],
    ],
    [
      'toleration without key needs Exists',
      { containers: [nginx], tolerations: [{ operator: 'Equal', value: 'x' }] },
      [
        'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
      ],
    ],
    [
      'hostNetwork ports must match',
      { hostNetwork: true, containers: [{ ...nginx, ports: [{ containerPort: 80, hostPort: 8080 }] }] },
      [
        'spec.containers[0].ports[0].containerPort: Invalid value: 80: must match `hostPort` when `hostNetwork` is true',
      ],
    ],
    [
      'activeDeadlineSeconds range',
      { containers: [nginx], activeDeadlineSeconds: 0 },
      ['spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive'],
    ],
    [
      'seccompProfile rules',
      {
        securityContext: { seccompProfile: { type: 'Localhost' } },
        containers: [
          { ...nginx, securityContext: { seccompProfile: { type: 'Strict' } } },
          {
            name: 'b',
            image: 'x',
            securityContext: { seccompProfile: { type: 'RuntimeDefault', localhostProfile: 'p.json' } },
          },
          {
            name: 'c',
            image: 'x',
            securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: '../p.json' } },
          },
        ],
      },
      [
        'spec.containers[0].securityContext.seccompProfile.type: Unsupported value: "Strict": supported values: "Localhost", "RuntimeDefault", "Unconfined"',
        'spec.containers[1].securityContext.seccompProfile.localhostProfile: Invalid value: "p.json": can only be set when seccomp type is Localhost',
        'spec.containers[2].securityContext.seccompProfile.localhostProfile: Invalid value: "../p.json": must not contain \'..\'',
        'spec.securityContext.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost',
      ],
    ],
  ];
  for (const [name, spec, want] of cases) {
    void test(name, () => assert.deepEqual(lines(create(podStrategy, pod(spec)).errors), want));
  }
});

void describe('pod update', () => {
  const old = create(podStrategy, pod({ containers: [nginx] })).obj;
  old.metadata = {
    ...old.metadata,
    uid: 'u',
    resourceVersion: '5',
    creationTimestamp: '2026-01-01T00:00:00Z',
  };
  (old.status as any).phase = 'Running';

  void test('image change allowed, status kept', () => {
    const next = structuredClone(old);
    (next.spec as any).containers[0].image = 'nginx:1.26';
    next.status = { phase: 'Failed' };
    const r = update(podStrategy, next, old);
    assert.deepEqual(r.errors, []);
    assert.equal((r.obj.status as any).phase, 'Running');
  });

  void test('other spec change forbidden', () => {
    const next = structuredClone(old);
    (next.spec as any).restartPolicy = 'Never';
    const errs = update(podStrategy, next, old).errors;
    assert.equal(errs.length, 1);
    assert.equal(errs[0]?.field, 'spec');
    assert.equal(errs[0]?.type, 'FieldValueForbidden');
    assert.ok(errs[0]?.message.startsWith(`Forbidden: ${POD_UPDATE_FORBIDDEN}\n`));
    assert.match(errs[0]?.message ?? '', /- {2}restartPolicy: "Always"\n\+ {2}restartPolicy: "Never"/);
  });

  void test('adding containers forbidden', () => {
    const next = structuredClone(old);
    (next.spec as any).containers.push({ name: 'b', image: 'x' });
    assert.deepEqual(lines(update(podStrategy, next, old).errors), [
      'spec.containers: Forbidden: pod updates may not add or remove containers',
    ]);
  });

  void test('toleration additions allowed, removals not', () => {
    const tolerated = structuredClone(old);
    (tolerated.spec as any).tolerations = [{ key: 'a', operator: 'Exists', effect: 'NoExecute' }];
    const add = structuredClone(tolerated);
    (add.spec as any).tolerations.push({ key: 'k', operator: 'Exists' });
    assert.deepEqual(update(podStrategy, add, tolerated).errors, []);
    const remove = structuredClone(tolerated);
    (remove.spec as any).tolerations = [];
    assert.ok(
      lines(update(podStrategy, remove, tolerated).errors).includes(
        'spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds',
      ),
    );
  });

  void test('activeDeadlineSeconds may only shrink', () => {
    const a = structuredClone(old);
    (a.spec as any).activeDeadlineSeconds = 100;
    const withAds = update(podStrategy, a, old);
    assert.deepEqual(withAds.errors, []);
    const b = structuredClone(withAds.obj);
    (b.spec as any).activeDeadlineSeconds = 200;
    assert.deepEqual(lines(update(podStrategy, b, withAds.obj).errors), [
      'spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value',
    ]);
  });

  void test('name is immutable', () => {
    const next = structuredClone(old);
    next.metadata!.name = 'other';
    assert.deepEqual(lines(update(podStrategy, next, old).errors), [
      'metadata.name: Invalid value: "other": field is immutable',
    ]);
  });

  void test('status update keeps spec', () => {
    const next = structuredClone(old);
    (next.spec as any).nodeName = 'n1';
    next.status = { phase: 'Running', podIP: '10.0.0.5' };
    podStrategy.prepareForStatusUpdate?.(next, old);
    assert.equal((next.spec as any).nodeName, undefined);
    assert.equal((next.status as any).podIP, '10.0.0.5');
  });
});

void describe('generic ephemeral volumes', () => {
  const withVolume = (ephemeral: unknown) =>
    create(podStrategy, pod({ containers: [nginx], volumes: [{ name: 'scratch', ephemeral }] }));

  void test('the claim template is required and checked as a claim, with its defaults', () => {
    assert.deepEqual(lines(withVolume({}).errors), [
      'spec.volumes[0].ephemeral.volumeClaimTemplate: Required value',
    ]);
    const at = 'spec.volumes[0].ephemeral.volumeClaimTemplate';
    assert.deepEqual(
      lines(withVolume({ volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'] } } }).errors),
      [`${at}.spec.resources[storage]: Required value`],
    );
    const ok = withVolume({
      volumeClaimTemplate: {
        metadata: { labels: { type: 'scratch' } },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
    });
    assert.deepEqual(ok.errors, []);
    const spec = (ok.obj.spec as any).volumes[0].ephemeral.volumeClaimTemplate.spec;
    assert.equal(spec.volumeMode, 'Filesystem');
  });
});
