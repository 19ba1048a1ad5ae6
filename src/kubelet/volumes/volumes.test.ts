import assert from 'node:assert/strict';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type {
  ConfigMap,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  Secret,
} from 'kubernetes-types/core/v1.js';
import { writeAtomic } from './atomic-writer.js';
import { checkHostPathType } from './host-path.js';
import { makeMounts } from './mounts.js';
import { VolumeManager, VolumeSetupError, type VolumeObjects } from './volume-manager.js';

const root = mkdtempSync(join(tmpdir(), `tugboat-volumes-${process.pid}-`));
after(() => rmSync(root, { recursive: true, force: true }));

const configMaps = new Map<string, ConfigMap>();
const secrets = new Map<string, Secret>();
const pvcs = new Map<string, PersistentVolumeClaim>();
const pvs = new Map<string, PersistentVolume>();
const objects: VolumeObjects = {
  configMap: (ns, n) => Promise.resolve(configMaps.get(`${ns}/${n}`)),
  secret: (ns, n) => Promise.resolve(secrets.get(`${ns}/${n}`)),
  serviceAccountToken: (p, source) =>
    Promise.resolve(`tok-${p.spec?.serviceAccountName ?? ''}-${source.expirationSeconds ?? 3600}`),
  persistentVolumeClaim: (ns, n) => Promise.resolve(pvcs.get(`${ns}/${n}`)),
  persistentVolume: (n) => Promise.resolve(pvs.get(n)),
};
const manager = new VolumeManager(root, objects);

function pod(
  volumes: Pod['spec'] extends infer S ? (S extends { volumes?: infer V } ? V : never) : never,
): Pod {
  return {
    metadata: {
      name: 'p',
      namespace: 'ns',
      uid: `uid-${Math.random().toString(16).slice(2)}`,
      labels: { a: 'b' },
    },
    spec: { containers: [{ name: 'c', resources: { limits: { memory: '32Mi' } } }], volumes },
  };
}
const ctx = (p: Pod) => ({
  pod: p,
  podIPs: ['10.42.0.3'],
  hostIPs: ['192.0.2.1'],
  allocatable: { memory: '1Gi', cpu: '2' },
});

void test('atomic writer: ..data swap, files updated in place, stale names removed, unchanged is a no-op', async () => {
  const dir = join(root, 'atomic');
  const file = (s: string, mode = 0o644) => ({ data: Buffer.from(s), mode });
  assert.equal(
    await writeAtomic(
      dir,
      new Map([
        ['a', file('1')],
        ['sub/b', file('2', 0o600)],
      ]),
    ),
    true,
  );
  assert.equal(readFileSync(join(dir, 'a'), 'utf8'), '1');
  assert.equal(readFileSync(join(dir, 'sub/b'), 'utf8'), '2');
  assert.equal(readlinkSync(join(dir, 'a')), '..data/a');
  assert.equal(statSync(join(dir, 'sub/b')).mode & 0o777, 0o600);
  const firstTarget = readlinkSync(join(dir, '..data'));
  assert.equal(
    await writeAtomic(
      dir,
      new Map([
        ['a', file('1')],
        ['sub/b', file('2', 0o600)],
      ]),
    ),
    false,
  );
  assert.equal(await writeAtomic(dir, new Map([['a', file('changed')]])), true);
  assert.equal(readFileSync(join(dir, 'a'), 'utf8'), 'changed');
  assert.equal(existsSync(join(dir, 'sub')), false);
  assert.notEqual(readlinkSync(join(dir, '..data')), firstTarget);
  assert.equal(existsSync(join(dir, firstTarget)), false);
  await assert.rejects(writeAtomic(dir, new Map([['../x', file('x')]])), /must not contain '..'/);
});

void test('configMap volume: items, modes, optional, refresh in place, missing object and key', async () => {
  configMaps.set('ns/cfg', { metadata: { name: 'cfg' }, data: { one: '1', two: '2' } });
  const p = pod([
    { name: 'all', configMap: { name: 'cfg', defaultMode: 0o440 } },
    { name: 'some', configMap: { name: 'cfg', items: [{ key: 'two', path: 'dir/second', mode: 0o400 }] } },
    { name: 'opt', configMap: { name: 'missing', optional: true } },
  ]);
  const vols = await manager.setUp(p, ctx(p));
  const all = vols.get('all')!;
  assert.equal(
    all.hostPath,
    join(root, 'pods', p.metadata!.uid!, 'volumes', 'kubernetes.io~configmap', 'all'),
  );
  assert.equal(all.readOnly, true);
  assert.equal(readFileSync(join(all.hostPath, 'one'), 'utf8'), '1');
  assert.equal(statSync(join(all.hostPath, 'one')).mode & 0o777, 0o440);
  const some = vols.get('some')!.hostPath;
  assert.equal(readFileSync(join(some, 'dir/second'), 'utf8'), '2');
  assert.equal(existsSync(join(some, 'one')), false);
  assert.equal(statSync(join(some, 'dir/second')).mode & 0o777, 0o400);
  // The object changes: a second set-up rewrites the files in place.
  configMaps.set('ns/cfg', { metadata: { name: 'cfg' }, data: { one: 'uno', two: 'dos' } });
  await manager.setUp(p, ctx(p));
  assert.equal(readFileSync(join(all.hostPath, 'one'), 'utf8'), 'uno');
  await manager.tearDown(p.metadata!.uid!);
  assert.equal(existsSync(manager.podDir(p.metadata!.uid!)), false);

  const missing = pod([{ name: 'v', configMap: { name: 'nope' } }]);
  await assert.rejects(manager.setUp(missing, ctx(missing)), (err: unknown) => {
    assert.ok(err instanceof VolumeSetupError);
    assert.equal(err.message, 'MountVolume.SetUp failed for volume "v" : configmap "nope" not found');
    return true;
  });
  const badKey = pod([{ name: 'v', configMap: { name: 'cfg', items: [{ key: 'zzz', path: 'z' }] } }]);
  await assert.rejects(
    manager.setUp(badKey, ctx(badKey)),
    /configmap references non-existent config key: zzz/,
  );
});

void test('secret, downwardAPI and projected volumes', async () => {
  secrets.set('ns/s', { metadata: { name: 's' }, data: { pw: Buffer.from('hunter2').toString('base64') } });
  const p = pod([
    { name: 'sec', secret: { secretName: 's' } },
    {
      name: 'dw',
      downwardAPI: {
        items: [
          { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
          {
            path: 'mem',
            resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' },
          },
        ],
      },
    },
    {
      name: 'proj',
      projected: {
        sources: [
          { secret: { name: 's', items: [{ key: 'pw', path: 'password' }] } },
          { downwardAPI: { items: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } },
          { serviceAccountToken: { path: 'token' } },
        ],
      },
    },
  ]);
  p.spec!.serviceAccountName = 'with-token';
  const vols = await manager.setUp(p, ctx(p));
  assert.equal(readFileSync(join(vols.get('sec')!.hostPath, 'pw'), 'utf8'), 'hunter2');
  assert.equal(readFileSync(join(vols.get('dw')!.hostPath, 'labels'), 'utf8'), 'a="b"');
  assert.equal(readFileSync(join(vols.get('dw')!.hostPath, 'mem'), 'utf8'), '32');
  const proj = vols.get('proj')!.hostPath;
  assert.equal(readFileSync(join(proj, 'password'), 'utf8'), 'hunter2');
  assert.equal(readFileSync(join(proj, 'name'), 'utf8'), 'p');
  assert.equal(readFileSync(join(proj, 'token'), 'utf8'), 'tok-with-token-3600');
  await manager.tearDown(p.metadata!.uid!);
});

void test('emptyDir on disk and in memory', async () => {
  const p = pod([
    { name: 'disk', emptyDir: {} },
    { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
    { name: 'mem2', emptyDir: { medium: 'Memory' } },
  ]);
  const vols = await manager.setUp(p, ctx(p));
  assert.ok(statSync(vols.get('disk')!.hostPath).isDirectory());
  assert.equal(vols.get('disk')!.tmpfsSizeBytes, undefined);
  assert.equal(vols.get('mem')!.tmpfsSizeBytes, 64 * 1024 * 1024);
  assert.equal(vols.get('mem2')!.tmpfsSizeBytes, 1024 * 1024 * 1024);
  await manager.tearDown(p.metadata!.uid!);
});

const notRoot = process.getuid?.() !== 0 ? 'changing a file group to fsGroup needs root' : false;

void test('fsGroup: group ownership, group rw and setgid directories', { skip: notRoot }, async () => {
  configMaps.set('ns/owned', { metadata: { name: 'owned' }, data: { k: 'v' } });
  const p = pod([
    { name: 'scratch', emptyDir: {} },
    { name: 'cfg', configMap: { name: 'owned' } },
  ]);
  p.spec!.securityContext = { fsGroup: 4242 };
  const vols = await manager.setUp(p, ctx(p));
  const dir = statSync(vols.get('scratch')!.hostPath);
  assert.equal(dir.gid, 4242);
  assert.equal(dir.mode & 0o2000, 0o2000);
  const file = statSync(join(vols.get('cfg')!.hostPath, 'k'));
  assert.equal(file.gid, 4242);
  assert.equal(file.mode & 0o777, 0o644 | 0o440);
  // Setting up again with nothing changed rewrites nothing.
  const data = readlinkSync(join(vols.get('cfg')!.hostPath, '..data'));
  await manager.setUp(p, ctx(p));
  assert.equal(readlinkSync(join(vols.get('cfg')!.hostPath, '..data')), data);
  await manager.tearDown(p.metadata!.uid!);
});

void test('hostPath type checks', async () => {
  const base = join(root, 'hp');
  await checkHostPathType(join(base, 'made'), 'DirectoryOrCreate');
  assert.ok(statSync(join(base, 'made')).isDirectory());
  await checkHostPathType(join(base, 'made'), 'Directory');
  await checkHostPathType(join(base, 'f'), 'FileOrCreate');
  assert.ok(statSync(join(base, 'f')).isFile());
  await checkHostPathType(join(base, 'f'), 'File');
  await assert.rejects(
    checkHostPathType(join(base, 'f'), 'Directory'),
    /hostPath type check failed: .* is not a directory/,
  );
  await assert.rejects(checkHostPathType(join(base, 'made'), 'File'), /is not a file/);
  await assert.rejects(checkHostPathType(join(base, 'nothing'), 'Directory'), /is not a directory/);
  await assert.rejects(checkHostPathType(join(base, 'f'), 'Socket'), /is not a socket file/);
  await checkHostPathType(join(base, 'anything'), '');
});

void test('persistentVolumeClaim resolves to the bound PV path', async () => {
  const data = join(root, 'pv-data');
  pvs.set('pv1', {
    metadata: { name: 'pv1' },
    spec: { hostPath: { path: data, type: 'DirectoryOrCreate' } },
  });
  pvcs.set('ns/claim', {
    metadata: { name: 'claim' },
    spec: { volumeName: 'pv1' },
    status: { phase: 'Bound' },
  });
  pvcs.set('ns/pending', { metadata: { name: 'pending' }, spec: {}, status: { phase: 'Pending' } });
  const p = pod([{ name: 'd', persistentVolumeClaim: { claimName: 'claim', readOnly: true } }]);
  const vols = await manager.setUp(p, ctx(p));
  assert.deepEqual(vols.get('d'), { hostPath: data, readOnly: true });
  const pending = pod([{ name: 'd', persistentVolumeClaim: { claimName: 'pending' } }]);
  await assert.rejects(
    manager.setUp(pending, ctx(pending)),
    /PVC ns\/pending has non-bound phase \("Pending"\)/,
  );
  // Once the claim is being deleted, no pod may start using it; the pod that has it keeps it.
  pvcs.set('ns/claim', {
    ...pvcs.get('ns/claim')!,
    metadata: { name: 'claim', deletionTimestamp: '2026-01-01T00:00:00Z' },
  });
  assert.deepEqual((await manager.setUp(p, ctx(p))).get('d'), { hostPath: data, readOnly: true });
  const late = pod([{ name: 'd', persistentVolumeClaim: { claimName: 'claim' } }]);
  await assert.rejects(
    manager.setUp(late, ctx(late)),
    /error processing PVC ns\/claim: PVC is being deleted/,
  );
  // A pod that already has a sandbox (it ran before the agent restarted) keeps its claim too.
  assert.deepEqual((await manager.setUp(late, ctx(late), true)).get('d'), {
    hostPath: data,
    readOnly: false,
  });
});

void test('volumeMounts → CRI mounts with subPath, subPathExpr and readOnly', async () => {
  const vdir = join(root, 'vm');
  const volumes = new Map([
    ['data', { hostPath: vdir, readOnly: false }],
    ['cfg', { hostPath: join(root, 'cfgdir'), readOnly: true }],
    ['mem', { hostPath: join(root, 'memdir'), readOnly: false, tmpfsSizeBytes: 1024 }],
  ]);
  writeFileSync(join(root, 'marker'), '');
  const mounts = await makeMounts(
    {
      name: 'c',
      volumeMounts: [
        { name: 'data', mountPath: '/data', subPath: 'one/two', readOnly: true },
        { name: 'data', mountPath: '/per-pod', subPathExpr: '$(POD)', mountPropagation: 'HostToContainer' },
        { name: 'cfg', mountPath: '/etc/cfg' },
        { name: 'mem', mountPath: '/scratch' },
      ],
    },
    volumes,
    [{ key: 'POD', value: 'p1' }],
  );
  assert.deepEqual(mounts, [
    { containerPath: '/data', hostPath: join(vdir, 'one/two'), readonly: true, propagation: 'private' },
    {
      containerPath: '/per-pod',
      hostPath: join(vdir, 'p1'),
      readonly: false,
      propagation: 'host-to-container',
    },
    { containerPath: '/etc/cfg', hostPath: join(root, 'cfgdir'), readonly: true, propagation: 'private' },
    {
      containerPath: '/scratch',
      hostPath: join(root, 'memdir'),
      readonly: false,
      propagation: 'private',
      tmpfsSizeBytes: 1024,
    },
  ]);
  assert.ok(statSync(join(vdir, 'one/two')).isDirectory());
  await assert.rejects(
    makeMounts(
      { name: 'c', volumeMounts: [{ name: 'data', mountPath: '/x', subPath: '../escape' }] },
      volumes,
      [],
    ),
    /must not contain '..'/,
  );
  symlinkSync('/etc', join(vdir, 'escape'));
  await assert.rejects(
    makeMounts(
      { name: 'c', volumeMounts: [{ name: 'data', mountPath: '/x', subPath: 'escape' }] },
      volumes,
      [],
    ),
    /resolves outside the volume/,
  );
  await assert.rejects(
    makeMounts({ name: 'c', volumeMounts: [{ name: 'nope', mountPath: '/x' }] }, volumes, []),
    /cannot find volume "nope" to mount into container "c"/,
  );
});
