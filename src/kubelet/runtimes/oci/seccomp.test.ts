import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dockerProfileToOci, runtimeDefaultSeccomp, seccompFor } from './seccomp.js';

const denied = (caps: string[]): string[] => runtimeDefaultSeccomp(caps).syscalls[0]!.names;

void test('RuntimeDefault refuses escapes; a held capability allows its own calls again', () => {
  const none = denied([]);
  for (const name of ['mount', 'unshare', 'setns', 'ptrace', 'kexec_load', 'init_module', 'bpf', 'keyctl'])
    assert.ok(none.includes(name), name);
  assert.ok(!none.includes('read') && !none.includes('clone'));

  const admin = denied(['CAP_SYS_ADMIN']);
  assert.ok(!admin.includes('mount') && !admin.includes('unshare'));
  assert.ok(admin.includes('ptrace'), 'SYS_ADMIN does not allow tracing');
  assert.ok(admin.includes('keyctl'), 'keyrings stay refused whatever the capabilities');
  assert.ok(!denied(['CAP_SYS_PTRACE']).includes('ptrace'));

  // Namespace flags of clone(2) and all of clone3 are refused without SYS_ADMIN, and only then.
  const rules = runtimeDefaultSeccomp([]).syscalls;
  assert.deepEqual(
    rules.find((r) => r.names[0] === 'clone3'),
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
  );
  const newUser = rules.find((r) => r.names[0] === 'clone' && r.args?.[0]?.value === 0x10000000);
  assert.deepEqual(newUser?.args, [
    { index: 0, value: 0x10000000, valueTwo: 0x10000000, op: 'SCMP_CMP_MASKED_EQ' },
  ]);
  assert.equal(runtimeDefaultSeccomp(['CAP_SYS_ADMIN']).syscalls.length, 1);
});

void test('Docker-format profiles: archMap, includes/excludes by capability and arch, single names', () => {
  const oci = dockerProfileToOci(
    {
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 1,
      archMap: [
        { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
        { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
      ],
      syscalls: [
        { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW', args: [] },
        { name: 'mount', action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
        { names: ['ptrace'], action: 'SCMP_ACT_ALLOW', excludes: { caps: ['CAP_SYS_PTRACE'] } },
        { names: ['arm_fadvise64_64'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['arm'] } },
      ],
    },
    ['CAP_CHOWN'],
  );
  assert.deepEqual(oci, {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls: [
      { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
      { names: ['ptrace'], action: 'SCMP_ACT_ALLOW' },
    ],
  });
  assert.throws(() => dockerProfileToOci({}, []), /no defaultAction/);
});

void test('no filter for Unconfined, unset or privileged containers; bad Localhost files are clear errors', async () => {
  assert.equal(await seccompFor(undefined, false, []), undefined);
  assert.equal(await seccompFor({ profileType: 'Unconfined' }, false, []), undefined);
  assert.equal(await seccompFor({ profileType: 'RuntimeDefault' }, true, []), undefined);
  assert.equal(
    (await seccompFor({ profileType: 'RuntimeDefault' }, false, []))?.defaultAction,
    'SCMP_ACT_ALLOW',
  );
  await assert.rejects(
    seccompFor({ profileType: 'Localhost', localhostRef: '/nonexistent/p.json' }, false, []),
    /cannot load seccomp profile "\/nonexistent\/p.json": ENOENT/,
  );
});
