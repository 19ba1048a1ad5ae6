import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/meta.js';
import { cronScheduleError } from './cron.js';
import { cronJobStrategy } from './cronjob.js';
import { jobStrategy } from './job.js';
import { create, lines, update } from './testing.js';

const podTemplate = (restartPolicy?: string, labels?: Record<string, string>) => ({
  ...(labels ? { metadata: { labels } } : {}),
  spec: { containers: [{ name: 'pi', image: 'perl:5.34' }], ...(restartPolicy ? { restartPolicy } : {}) },
});

const job = (spec: Record<string, unknown>, name = 'pi'): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace: 'default' },
  spec,
});

void describe('Job', () => {
  void test('defaults and generated selector', () => {
    const { obj, errors } = create(jobStrategy, job({ template: podTemplate('Never') }), 'u-123');
    assert.deepEqual(lines(errors), []);
    const spec = obj.spec as any;
    assert.equal(spec.completions, 1);
    assert.equal(spec.parallelism, 1);
    assert.equal(spec.backoffLimit, 6);
    assert.equal(spec.completionMode, 'NonIndexed');
    assert.equal(spec.suspend, false);
    assert.equal(spec.podReplacementPolicy, 'TerminatingOrFailed');
    assert.deepEqual(spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-123' } });
    assert.deepEqual(spec.template.metadata.labels, {
      'job-name': 'pi',
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': 'u-123',
      'batch.kubernetes.io/controller-uid': 'u-123',
    });
    assert.deepEqual(obj.status, {});
  });

  void test('parallelism alone leaves completions unset', () => {
    const spec = create(jobStrategy, job({ parallelism: 3, template: podTemplate('Never') })).obj.spec as any;
    assert.equal(spec.completions, undefined);
    assert.equal(spec.parallelism, 3);
  });

  void test('object labels default from the template labels, generated ones included', () => {
    const { obj } = create(jobStrategy, job({ template: podTemplate('Never', { app: 'pi' }) }), 'u9');
    assert.deepEqual(obj.metadata?.labels, {
      app: 'pi',
      'job-name': 'pi',
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': 'u9',
      'batch.kubernetes.io/controller-uid': 'u9',
    });
    const own = create(jobStrategy, {
      ...job({ template: podTemplate('Never', { app: 'pi' }) }),
      metadata: { name: 'pi', namespace: 'd', labels: { mine: 'x' } },
    });
    assert.deepEqual(own.obj.metadata?.labels, { mine: 'x' });
  });

  const cases: [string, Record<string, unknown>, string[]][] = [
    [
      'restartPolicy defaulted to Always is rejected',
      { template: podTemplate() },
      ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
    ],
    [
      'negative backoffLimit',
      { backoffLimit: -1, template: podTemplate('Never') },
      ['spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'Indexed requires completions',
      { completionMode: 'Indexed', parallelism: 2, template: podTemplate('Never') },
      ['spec.completions: Required value: when completion mode is Indexed'],
    ],
    [
      'bad completion mode',
      { completionMode: 'Sometimes', template: podTemplate('Never') },
      ['spec.completionMode: Unsupported value: "Sometimes": supported values: "NonIndexed", "Indexed"'],
    ],
    [
      'manual selector must match',
      {
        manualSelector: true,
        selector: { matchLabels: { a: 'b' } },
        template: podTemplate('Never', { a: 'c' }),
      },
      [
        'spec.template.metadata.labels: Invalid value: map[string]string{"a":"c"}: `selector` does not match template `labels`',
      ],
    ],
    [
      'backoffLimitPerIndex and maxFailedIndexes need Indexed mode',
      { backoffLimitPerIndex: 1, maxFailedIndexes: 1, template: podTemplate('Never') },
      [
        'spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode',
        'spec.maxFailedIndexes: Invalid value: 1: requires indexed completion mode',
      ],
    ],
    [
      'maxFailedIndexes needs backoffLimitPerIndex and at most completions',
      { completionMode: 'Indexed', completions: 2, maxFailedIndexes: 3, template: podTemplate('Never') },
      [
        'spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified',
        'spec.maxFailedIndexes: Invalid value: 3: must be less than or equal to completions',
      ],
    ],
    [
      'FailIndex needs backoffLimitPerIndex; podFailurePolicy allows only the Failed replacement policy',
      {
        completionMode: 'Indexed',
        completions: 2,
        podReplacementPolicy: 'TerminatingOrFailed',
        podFailurePolicy: { rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [42] } }] },
        template: podTemplate('Never'),
      },
      [
        'spec.podFailurePolicy.rules[0].action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set',
        'spec.podReplacementPolicy: Unsupported value: "TerminatingOrFailed": supported values: "Failed"',
      ],
    ],
    [
      'successPolicy needs Indexed mode',
      { successPolicy: { rules: [{ succeededCount: 1 }] }, template: podTemplate('Never') },
      [
        'spec.successPolicy: Invalid value: {"rules":[{"succeededCount":1}]}: requires indexed completion mode',
      ],
    ],
    [
      'successPolicy rules are checked against completions',
      {
        completionMode: 'Indexed',
        completions: 3,
        successPolicy: {
          rules: [
            {},
            { succeededCount: 4 },
            { succeededIndexes: '0,3' },
            { succeededIndexes: '0-1', succeededCount: 3 },
          ],
        },
        template: podTemplate('Never'),
      },
      [
        'spec.successPolicy.rules[0]: Required value: at least one of succeededCount or succeededIndexes must be specified',
        'spec.successPolicy.rules[1].succeededCount: Invalid value: 4: must be less than or equal to 3 (the number of specified completions)',
        'spec.successPolicy.rules[2].succeededIndexes: Invalid value: "0,3": error parsing succeededIndexes: too large index: "3"',
        'spec.successPolicy.rules[3].succeededCount: Invalid value: 3: must be less than or equal to 2 (the number of indexes in the specified succeededIndexes field)',
      ],
    ],
    [
      'successPolicy without rules',
      {
        completionMode: 'Indexed',
        completions: 3,
        successPolicy: { rules: [] },
        template: podTemplate('Never'),
      },
      [
        'spec.successPolicy.rules: Required value: at least one rules must be specified when the successPolicy is specified',
      ],
    ],
    [
      'manual selector required',
      { manualSelector: true, template: podTemplate('Never') },
      ['spec.selector: Required value'],
    ],
  ];
  for (const [name, spec, want] of cases) {
    void test(name, () => assert.deepEqual(lines(create(jobStrategy, job(spec)).errors), want));
  }

  void test('wrong job-name label is rejected', () => {
    const errs = create(
      jobStrategy,
      job({ template: podTemplate('Never', { 'job-name': 'other' }) }),
      'u1',
    ).errors;
    assert.equal(errs.length, 1);
    assert.equal(errs[0]?.field, 'spec.template.metadata.labels[job-name]');
    assert.match(errs[0]?.message ?? '', /: must be 'pi'$/);
  });

  void test('template immutable on update, status kept', () => {
    const old = create(jobStrategy, job({ template: podTemplate('Never') }), 'u1').obj;
    old.metadata = { ...old.metadata, resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z' };
    old.status = { active: 1 };
    const next = structuredClone(old);
    (next.spec as any).template.spec.containers[0].image = 'perl:5.36';
    const r = update(jobStrategy, next, old);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0]?.field, 'spec.template');
    assert.match(r.errors[0]?.message ?? '', /^Invalid value: \{.*\}: field is immutable$/);
    assert.deepEqual(r.obj.status, { active: 1 });
    const suspend = structuredClone(old);
    (suspend.spec as any).suspend = true;
    assert.deepEqual(update(jobStrategy, suspend, old).errors, []);
  });
});

void describe('cron schedules', () => {
  const valid = [
    '*/5 * * * *',
    '0 0 * * 0',
    '@hourly',
    '@every 1h30m',
    '0 9-17 * jan-mar mon-fri',
    '15,45 * ? * *',
    'CRON_TZ=UTC 0 * * * *',
  ];
  for (const s of valid) void test(`valid ${s}`, () => assert.equal(cronScheduleError(s), undefined));
  const invalid: [string, string][] = [
    ['', 'empty spec string'],
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['x * * * *', 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['@often', 'unrecognized descriptor: @often'],
  ];
  for (const [s, msg] of invalid)
    void test(`invalid ${JSON.stringify(s)}`, () => assert.equal(cronScheduleError(s), msg));
});

const cronJob = (spec: Record<string, unknown>, name = 'hello'): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name, namespace: 'default' },
  spec,
});

void describe('CronJob', () => {
  const valid = { schedule: '*/1 * * * *', jobTemplate: { spec: { template: podTemplate('OnFailure') } } };

  void test('defaults', () => {
    const { obj, errors } = create(cronJobStrategy, cronJob(valid));
    assert.deepEqual(lines(errors), []);
    const spec = obj.spec as any;
    assert.equal(spec.concurrencyPolicy, 'Allow');
    assert.equal(spec.suspend, false);
    assert.equal(spec.successfulJobsHistoryLimit, 3);
    assert.equal(spec.failedJobsHistoryLimit, 1);
    assert.equal(spec.jobTemplate.spec.template.spec.terminationGracePeriodSeconds, 30);
    assert.equal(spec.jobTemplate.spec.backoffLimit, undefined);
  });

  const cases: [string, Record<string, unknown>, string[]][] = [
    ['schedule required', { ...valid, schedule: '' }, ['spec.schedule: Required value']],
    [
      'bad schedule',
      { ...valid, schedule: '61 * * * *' },
      ['spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61'],
    ],
    [
      'TZ in schedule',
      { ...valid, schedule: 'TZ=UTC 0 * * * *' },
      [
        'spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
      ],
    ],
    [
      'unknown time zone',
      { ...valid, timeZone: 'Mars/Olympus' },
      ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus'],
    ],
    [
      'Local time zone',
      { ...valid, timeZone: 'Local' },
      [
        'spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
      ],
    ],
    [
      'bad concurrencyPolicy',
      { ...valid, concurrencyPolicy: 'Sometimes' },
      [
        'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
      ],
    ],
    [
      'job template restart policy',
      { ...valid, jobTemplate: { spec: { template: podTemplate() } } },
      [
        'spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
      ],
    ],
  ];
  for (const [name, spec, want] of cases) {
    void test(name, () => assert.deepEqual(lines(create(cronJobStrategy, cronJob(spec)).errors), want));
  }

  void test('valid time zone', () =>
    assert.deepEqual(create(cronJobStrategy, cronJob({ ...valid, timeZone: 'Europe/Berlin' })).errors, []));

  void test('name at most 52 characters', () => {
    const name = 'a'.repeat(53);
    assert.deepEqual(lines(create(cronJobStrategy, cronJob(valid, name)).errors), [
      `metadata.name: Invalid value: "${name}": must be no more than 52 characters`,
    ]);
  });
});
