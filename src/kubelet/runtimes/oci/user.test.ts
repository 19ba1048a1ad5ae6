import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LinuxContainerSecurityContext } from '../../cri/types.js';
import { RunAsNonRootError, resolveUser } from './user.js';

let rootfs: string;
before(async () => {
  rootfs = await mkdtemp(path.join(tmpdir(), 'tugboat-user-'));
  await mkdir(path.join(rootfs, 'etc'));
  await writeFile(
    path.join(rootfs, 'etc/passwd'),
    'root:x:0:0::/root:/bin/sh\nweb:x:33:44::/var/www:/bin/sh\n',
  );
  await writeFile(path.join(rootfs, 'etc/group'), 'root:x:0:\nstaff:x:50:\n');
});
after(() => rm(rootfs, { recursive: true, force: true }));

const sc = (extra: Partial<LinuxContainerSecurityContext> = {}): LinuxContainerSecurityContext => ({
  privileged: false,
  namespaceOptions: { network: 'pod', pid: 'container', ipc: 'pod' },
  readonlyRootfs: false,
  supplementalGroups: [],
  noNewPrivs: false,
  ...extra,
});

test('image user forms: empty, name, uid, name:group, uid:gid', async () => {
  assert.deepEqual(await resolveUser('', sc(), rootfs), { uid: 0, gid: 0, additionalGids: [] });
  assert.deepEqual(await resolveUser('web', sc(), rootfs), { uid: 33, gid: 44, additionalGids: [] });
  assert.deepEqual(await resolveUser('33', sc(), rootfs), { uid: 33, gid: 44, additionalGids: [] });
  assert.deepEqual(await resolveUser('1234', sc(), rootfs), { uid: 1234, gid: 0, additionalGids: [] });
  assert.deepEqual(await resolveUser('web:staff', sc(), rootfs), { uid: 33, gid: 50, additionalGids: [] });
  assert.deepEqual(await resolveUser('7:8', sc(), rootfs), { uid: 7, gid: 8, additionalGids: [] });
  await assert.rejects(resolveUser('ghost', sc(), rootfs), /unable to find user ghost/);
});

test('runAsUser, runAsGroup and supplementalGroups override the image', async () => {
  assert.deepEqual(await resolveUser('web', sc({ runAsUser: 1000 }), rootfs), {
    uid: 1000,
    gid: 0,
    additionalGids: [],
  });
  assert.deepEqual(await resolveUser('web', sc({ runAsUser: 33 }), rootfs), {
    uid: 33,
    gid: 44,
    additionalGids: [],
  });
  assert.deepEqual(await resolveUser('web', sc({ runAsGroup: 99, supplementalGroups: [5, 6, 5] }), rootfs), {
    uid: 33,
    gid: 99,
    additionalGids: [5, 6],
  });
});

test('runAsNonRoot refuses an effective uid 0 and allows others', async () => {
  await assert.rejects(resolveUser('', sc({ runAsNonRoot: true }), rootfs), RunAsNonRootError);
  await assert.rejects(
    resolveUser('web', sc({ runAsNonRoot: true, runAsUser: 0 }), rootfs),
    /runAsUser is 0/,
  );
  await assert.rejects(
    resolveUser('root', sc({ runAsNonRoot: true }), rootfs),
    /runAsNonRoot and image will run as root/,
  );
  assert.equal((await resolveUser('web', sc({ runAsNonRoot: true }), rootfs)).uid, 33);
  assert.equal((await resolveUser('', sc({ runAsNonRoot: true, runAsUser: 1 }), rootfs)).uid, 1);
});
