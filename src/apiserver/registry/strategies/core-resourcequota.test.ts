import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { limitRangeStrategy as lr } from './core-limitrange.js';
import { workloadStrategies } from './index.js';

const podTemplateStrategy = workloadStrategies.podtemplates!;
import { resourceQuotaStrategy as rq } from './core-resourcequota.js';

const lines = (errs: FieldError[] | undefined): string[] =>
  (errs ?? []).map((e) => `${e.field}: ${e.message}`);

void describe('ResourceQuota', () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    [
      'valid',
      { hard: { cpu: '2', pods: '10', 'requests.storage': '10Gi', 'count/deployments.apps': '5' } },
      [],
    ],
    ['best effort counts pods', { hard: { pods: '10' }, scopes: ['BestEffort'] }, []],
    [
      'scope must suit the resources',
      { hard: { cpu: '1' }, scopes: ['BestEffort'] },
      [
        'spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort"}: unsupported scope applied to resource',
      ],
    ],
    [
      'standard quota resources',
      { hard: { gpus: '1' } },
      [
        'spec.hard[gpus]: Invalid value: "gpus": must be a standard resource type or fully qualified',
        'spec.hard[gpus]: Invalid value: "gpus": must be a standard resource for quota',
      ],
    ],
    [
      'scope selector operators',
      { scopeSelector: { matchExpressions: [{ scopeName: 'BestEffort', operator: 'In', values: ['x'] }] } },
      [
        'spec.scopeSelector.matchExpressions.operator: Invalid value: "In": must be \'Exists\' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity',
      ],
    ],
    [
      'negative',
      { hard: { memory: '-1Gi' } },
      ['spec.hard[memory]: Invalid value: "-1Gi": must be greater than or equal to 0'],
    ],
    [
      'integer resources',
      { hard: { pods: '1.5' } },
      ['spec.hard[pods]: Invalid value: "1500m": must be an integer'],
    ],
    [
      'bad quantity',
      { hard: { cpu: 'lots' } },
      [
        'spec.hard[cpu]: Invalid value: "lots": quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'',
      ],
    ],
    [
      'unknown scope',
      { scopes: ['Sometimes'] },
      ['spec.scopes: Invalid value: []core.ResourceQuotaScope{"Sometimes"}: unsupported scope'],
    ],
    [
      'conflicting scopes',
      { scopes: ['Terminating', 'NotTerminating'] },
      [
        'spec.scopes: Invalid value: []core.ResourceQuotaScope{"Terminating", "NotTerminating"}: conflicting scopes',
      ],
    ],
  ];
  for (const [name, spec, want] of cases) {
    void test(name, () => assert.deepEqual(lines(rq.validate?.({ spec })), want));
  }

  void test('scopes are immutable', () => {
    assert.deepEqual(lines(rq.validateUpdate?.({ spec: { scopes: ['BestEffort'] } }, { spec: {} })), [
      'spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort"}: field is immutable',
    ]);
  });

  void test('status is dropped on create and kept on update', () => {
    const obj: KubeObject = { spec: {}, status: { used: { pods: '3' } } };
    rq.prepareForCreate?.(obj);
    assert.equal(obj.status, undefined);
    rq.prepareForUpdate?.(obj, { status: { hard: { pods: '5' } } });
    assert.deepEqual(obj.status, { hard: { pods: '5' } });
  });
});

void describe('LimitRange', () => {
  void test('container defaults come from max and min', () => {
    const obj: KubeObject = {
      spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }] },
    };
    lr.defaults?.(obj);
    assert.deepEqual(obj.spec, {
      limits: [
        {
          type: 'Container',
          max: { cpu: '2' },
          min: { memory: '64Mi' },
          default: { cpu: '2' },
          defaultRequest: { cpu: '2', memory: '64Mi' },
        },
      ],
    });
    assert.deepEqual(lines(lr.validate?.(obj)), []);
  });

  const cases: [string, unknown[], string[]][] = [
    [
      'min above max',
      [{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }],
      ['spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1'],
    ],
    [
      'default above max',
      [{ type: 'Container', default: { cpu: '3' }, defaultRequest: { cpu: '1' }, max: { cpu: '2' } }],
      ['spec.limits[0].default[cpu]: Invalid value: "2": default value 3 is greater than max value 2'],
    ],
    [
      'pod limits take no defaults',
      [{ type: 'Pod', default: { cpu: '1' } }],
      ["spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'"],
    ],
    [
      'unknown type',
      [{ type: 'Volume' }],
      ['spec.limits[0].type: Invalid value: "Volume": must be a standard limit type or fully qualified'],
    ],
    ['duplicate type', [{ type: 'Pod' }, { type: 'Pod' }], ['spec.limits[1].type: Duplicate value: "Pod"']],
    [
      'pvc needs storage bound',
      [{ type: 'PersistentVolumeClaim' }],
      [
        'spec.limits[0].limits: Required value: either minimum or maximum storage value is required, but neither was provided',
      ],
    ],
  ];
  for (const [name, limits, want] of cases) {
    void test(name, () => assert.deepEqual(lines(lr.validate?.({ spec: { limits } })), want));
  }
});

void describe('PodTemplate', () => {
  void test('template metadata and containers', () => {
    assert.deepEqual(lines(podTemplateStrategy.validate?.({})), ['template: Required value']);
    assert.deepEqual(
      lines(podTemplateStrategy.validate?.({ template: { metadata: { labels: { app: 'x' } }, spec: {} } })),
      // validation runs after defaulting; undefaulted specs also lack restartPolicy and dnsPolicy
      [
        'template.spec.containers: Required value',
        'template.spec.restartPolicy: Required value',
        'template.spec.dnsPolicy: Required value',
      ],
    );
  });
});
