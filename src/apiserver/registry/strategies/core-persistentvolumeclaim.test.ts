import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { persistentVolumeStrategy as pv } from './core-persistentvolume.js';
import { persistentVolumeClaimStrategy as pvc } from './core-persistentvolumeclaim.js';

const lines = (errs: FieldError[] | undefined): string[] =>
  (errs ?? []).map((e) => `${e.field}: ${e.message}`);

const claim = (spec: Record<string, unknown>, phase = 'Pending'): KubeObject => ({ spec, status: { phase } });
const goodClaim = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } };

void describe('PersistentVolumeClaim', () => {
  void test('defaults and create', () => {
    const obj: KubeObject = { spec: structuredClone(goodClaim), status: { phase: 'Bound' } };
    pvc.defaults?.(obj);
    pvc.prepareForCreate?.(obj);
    assert.equal((obj.spec as Record<string, unknown>).volumeMode, 'Filesystem');
    assert.deepEqual(obj.status, { phase: 'Pending' });
    assert.deepEqual(lines(pvc.validate?.(obj)), []);
  });

  const cases: [string, Record<string, unknown>, string[]][] = [
    [
      'access modes required',
      { resources: { requests: { storage: '1Gi' } } },
      ['spec.accessModes: Required value: at least 1 access mode is required'],
    ],
    [
      'access mode values',
      { accessModes: ['ReadWriteSometimes'], resources: { requests: { storage: '1Gi' } } },
      [
        'spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
      ],
    ],
    ['storage required', { accessModes: ['ReadWriteOnce'] }, ['spec.resources[storage]: Required value']],
    [
      'storage positive',
      { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '0' } } },
      ['spec.resources[storage]: Invalid value: "0": must be greater than zero'],
    ],
    [
      'volumeMode values',
      { ...goodClaim, volumeMode: 'Raw' },
      ['spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"'],
    ],
  ];
  for (const [name, spec, want] of cases) {
    void test(name, () => assert.deepEqual(lines(pvc.validate?.(claim(spec))), want));
  }

  void test('spec is immutable; bound claims may grow', () => {
    const spec = { ...structuredClone(goodClaim), volumeMode: 'Filesystem' };
    const grown = { ...spec, resources: { requests: { storage: '2Gi' } } };
    const forbidden = [
      'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    ];
    assert.deepEqual(lines(pvc.validateUpdate?.(claim(grown), claim(spec))), forbidden);
    assert.deepEqual(lines(pvc.validateUpdate?.(claim(grown, 'Bound'), claim(spec, 'Bound'))), []);
    assert.deepEqual(lines(pvc.validateUpdate?.(claim(spec, 'Bound'), claim(grown, 'Bound'))), [
      'spec.resources.requests.storage: Forbidden: field can not be less than previous value',
    ]);
    assert.deepEqual(lines(pvc.validateUpdate?.(claim({ ...spec, volumeName: 'pv-1' }), claim(spec))), []);
  });

  void test('storageClassName may be set once on a claim without one', () => {
    const spec = { ...structuredClone(goodClaim), volumeMode: 'Filesystem' };
    assert.deepEqual(
      lines(pvc.validateUpdate?.(claim({ ...spec, storageClassName: 'fast' }), claim(spec))),
      [],
    );
    assert.equal(
      lines(
        pvc.validateUpdate?.(
          claim({ ...spec, storageClassName: 'slow' }),
          claim({ ...spec, storageClassName: 'fast' }),
        ),
      ).length,
      1,
    );
  });

  void test('status is kept on update', () => {
    const obj = claim(goodClaim, 'Lost');
    pvc.prepareForUpdate?.(obj, claim(goodClaim, 'Bound'));
    assert.deepEqual(obj.status, { phase: 'Bound' });
  });
});

void describe('PersistentVolume', () => {
  const good = { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' } };

  void test('defaults and create', () => {
    const obj: KubeObject = { spec: structuredClone(good) };
    pv.defaults?.(obj);
    pv.prepareForCreate?.(obj);
    const spec = obj.spec as Record<string, unknown>;
    assert.equal(spec.persistentVolumeReclaimPolicy, 'Retain');
    assert.equal(spec.volumeMode, 'Filesystem');
    assert.equal((obj.status as Record<string, unknown>).phase, 'Pending');
    assert.deepEqual(lines(pv.validate?.(obj)), []);
  });

  const cases: [string, Record<string, unknown>, string[]][] = [
    [
      'capacity required',
      { accessModes: ['ReadWriteOnce'], hostPath: { path: '/d' } },
      ['spec.capacity: Required value'],
    ],
    [
      'no volume source',
      { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] },
      ['spec: Required value: must specify a volume type'],
    ],
    [
      'hostPath of / may not be recycled',
      { ...good, hostPath: { path: '/' }, persistentVolumeReclaimPolicy: 'Recycle' },
      ["spec.persistentVolumeReclaimPolicy: Forbidden: may not be 'recycle' for a hostPath mount of '/'"],
    ],
    [
      'negative capacity',
      { ...good, capacity: { storage: '-1Gi' } },
      ['spec.capacity[storage]: Invalid value: "-1Gi": must be greater than zero'],
    ],
    [
      'two volume sources',
      { ...good, nfs: { server: 'nfs', path: '/x' } },
      ['spec.nfs: Forbidden: may not specify more than 1 volume type'],
    ],
    [
      'reclaim policy',
      { ...good, persistentVolumeReclaimPolicy: 'Keep' },
      [
        'spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"',
      ],
    ],
    ['hostPath path', { ...good, hostPath: {} }, ['spec.hostPath.path: Required value']],
    [
      'local needs node affinity',
      { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], local: { path: '/mnt' } },
      ['spec.nodeAffinity: Required value: Local volume requires node affinity'],
    ],
    [
      'node affinity needs required terms',
      { ...good, nodeAffinity: { required: { nodeSelectorTerms: [] } } },
      [
        'spec.nodeAffinity.required.nodeSelectorTerms: Required value: must have at least one node selector term',
      ],
    ],
    [
      'node affinity terms are node selector terms',
      {
        ...good,
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-1'] }] },
              { matchExpressions: [{ key: 'zone', operator: 'Exists', values: ['a'] }] },
            ],
          },
        },
      },
      [
        "spec.nodeAffinity.required.nodeSelectorTerms[1].matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      ],
    ],
  ];
  for (const [name, spec, want] of cases) {
    void test(name, () => assert.deepEqual(lines(pv.validate?.({ spec })), want));
  }

  void test('volume source is immutable', () => {
    assert.deepEqual(
      lines(pv.validateUpdate?.({ spec: { ...good, hostPath: { path: '/other' } } }, { spec: good })),
      ['spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation'],
    );
  });
});
