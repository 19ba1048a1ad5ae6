/** Shared setup of the oci tests: what is missing on this host, the busybox image, unique names, leak checks. */
import { access, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pidsMentioning } from '../common/proc.js';
import { run } from '../common/run.js';
import { detectOciRuntime, which, type Detection } from './detect.js';
import { openCgroups } from './cgroups.js';
import { REQUIRED_PLUGINS } from './cni.js';
import { OciRuntime } from './runtime.js';
import { BUSYBOX_IMAGE, StaticImages, buildBusyboxLayer } from './testing.js';

export const CNI_BIN_DIR = '/usr/lib/cni';

export interface OciTestEnv {
  skip?: string;
  detection?: Detection;
  images: StaticImages;
  /** Unique per test process: bridge (≤ 15 chars), network, netns prefix, cgroup prefix. */
  names: { bridge: string; network: string; netnsPrefix: string; cgroupTop: string };
  podCidr: string;
  /**
   * The runtime handler besides the default that `make` gives its runtimes: the other OCI binary where it
   * works here, else the working one under the other's name, so a second binary's state root is exercised
   * on every host.
   */
  otherHandler?: 'runc' | 'crun';
  make(stateDir: string): OciRuntime;
  leaks(stateDir: string): Promise<string[]>;
  cleanup(): Promise<void>;
}

async function whyMissing(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root';
  for (const p of REQUIRED_PLUGINS) {
    try {
      await access(path.join(CNI_BIN_DIR, p));
    } catch {
      return `CNI plugin ${p} missing in ${CNI_BIN_DIR} (apt-get install containernetworking-plugins)`;
    }
  }
  const busybox = await which('busybox');
  if (!busybox) return 'busybox missing (apt-get install busybox-static)';
  if (!(await isStaticByElf(busybox))) {
    return 'busybox is not statically linked (apt-get install busybox-static)';
  }
  if (!(await which('iptables'))) return 'iptables missing';
  return undefined;
}

/** A static ELF has no PT_INTERP program header; reading for the interpreter path is enough. */
async function isStaticByElf(file: string): Promise<boolean> {
  const head = (await readFile(file)).subarray(0, 4096).toString('latin1');
  return !head.includes('/lib64/ld-linux') && !head.includes('/lib/ld-');
}

export async function ociTestEnv(tag: string): Promise<OciTestEnv> {
  const pid = process.pid;
  const names = {
    bridge: `tb${tag}${pid}`.slice(0, 15),
    network: `tb-${tag}-${pid}`,
    netnsPrefix: `tb${tag}${pid}-`,
    cgroupTop: `tugboat-contract-${pid}`,
  };
  // The tag keeps concurrently running test files (one process each) on distinct subnets.
  const podCidr = `10.${200 + (tag.charCodeAt(0) % 50)}.${pid % 250}.0/24`;
  const images = new StaticImages();
  const env: OciTestEnv = {
    images,
    names,
    podCidr,
    make: () => {
      throw new Error(env.skip ?? 'not ready');
    },
    leaks: () => Promise.resolve([]),
    cleanup: () => Promise.resolve(),
  };
  const missing = await whyMissing();
  if (missing) return { ...env, skip: missing };
  const detection = await detectOciRuntime();
  if (!detection.runtime || !detection.conmonPath) {
    return { ...env, skip: `no working OCI runtime with conmon: ${detection.rejected.join('; ')}` };
  }
  const root = await mkdtemp(path.join(tmpdir(), 'tugboat-oci-image-'));
  images.add(BUSYBOX_IMAGE, [await buildBusyboxLayer(path.join(root, 'layer'))]);
  env.detection = detection;
  const other = detection.runtime.name === 'runc' ? 'crun' : 'runc';
  env.otherHandler = other;
  const otherBinary = detection.handlers.find((h) => h.name === other) ?? {
    ...detection.runtime,
    name: other,
  };
  env.make = (stateDir) =>
    new OciRuntime({
      stateDir,
      runtime: detection.runtime!,
      handlers: [otherBinary],
      conmonPath: detection.conmonPath!,
      images,
      podCidr,
      bridgeName: names.bridge,
      networkName: names.network,
      netnsPrefix: names.netnsPrefix,
    });
  env.leaks = async (stateDir) => {
    const leaks: string[] = [];
    const netns = (await run(['ip', 'netns', 'list'])).stdout;
    for (const line of netns.split('\n')) if (line.startsWith(names.netnsPrefix)) leaks.push(`netns ${line}`);
    const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
    for (const line of mountinfo.split('\n')) if (line.includes(stateDir)) leaks.push(`mount ${line}`);
    for (const top of await (await openCgroups()).paths(names.cgroupTop)) {
      const children = await readdir(top, { withFileTypes: true }).catch(() => []);
      for (const c of children) if (c.isDirectory()) leaks.push(`cgroup ${path.join(top, c.name)}`);
    }
    const ipam = path.join(stateDir, 'cni', 'ipam', names.network);
    for (const f of await readdir(ipam).catch(() => [])) {
      if (/^\d+\.\d+\.\d+\.\d+$/.test(f)) leaks.push(`IP allocation ${f}`);
    }
    for (const p of await pidsMentioning(stateDir)) leaks.push(`process ${p}`);
    const rules = (await run(['iptables-save', '-t', 'nat'], { allowFailure: true })).stdout;
    for (const line of rules.split('\n')) if (line.includes(names.network)) leaks.push(`iptables ${line}`);
    return leaks;
  };
  env.cleanup = async () => {
    await run(['ip', 'link', 'delete', names.bridge], { allowFailure: true });
    await (await openCgroups()).remove(names.cgroupTop).catch(() => {});
    await rm(root, { recursive: true, force: true });
  };
  return env;
}
