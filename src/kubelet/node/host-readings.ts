/** Readings of the host the node reports: CPUs, memory, the data dir's filesystem, PIDs, OS facts. */
import { promises as fs } from 'node:fs';
import os from 'node:os';

export interface HostReadings {
  cpuCores: number;
  memoryTotalBytes: number;
  memoryAvailableBytes: number;
  fsCapacityBytes: number;
  fsAvailableBytes: number;
  fsInodes: number;
  fsInodesFree: number;
  pidMax: number;
  pidsInUse: number;
}

export interface HostInfo {
  hostname: string;
  kernelVersion: string;
  osImage: string;
  architecture: string;
  machineID: string;
  bootID: string;
}

async function read(path: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** `MemTotal:  16316412 kB` lines → bytes. */
export function parseMeminfo(text: string): { total: number; available: number } {
  const kb = (key: string): number | undefined => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = kb('MemTotal') ?? os.totalmem();
  return { total, available: kb('MemAvailable') ?? kb('MemFree') ?? os.freemem() };
}

/** PRETTY_NAME of /etc/os-release. */
export function parseOsRelease(text: string | undefined): string {
  const m = /^PRETTY_NAME=(.*)$/m.exec(text ?? '');
  if (!m) return 'Linux';
  return m[1]!.trim().replace(/^"(.*)"$/, '$1');
}

export function goArch(arch: string = process.arch): string {
  return arch === 'x64' ? 'amd64' : arch === 'ia32' ? '386' : arch;
}

export async function readHost(rootDir: string): Promise<HostReadings> {
  const mem = parseMeminfo((await read('/proc/meminfo')) ?? '');
  let fsCapacityBytes = 0;
  let fsAvailableBytes = 0;
  let fsInodes = 0;
  let fsInodesFree = 0;
  try {
    const st = await fs.statfs(rootDir);
    fsCapacityBytes = st.blocks * st.bsize;
    fsAvailableBytes = st.bavail * st.bsize;
    fsInodes = st.files;
    fsInodesFree = st.ffree;
  } catch {
    // Missing data dir: reported as zero capacity.
  }
  const pidMax = Number((await read('/proc/sys/kernel/pid_max'))?.trim() ?? 32768) || 32768;
  // /proc/loadavg's fourth field is running/total scheduling entities (threads): what pid_max limits.
  const loadavg = (await read('/proc/loadavg')) ?? '';
  const pidsInUse = Number(/\d+\/(\d+)/.exec(loadavg)?.[1] ?? 0);
  return {
    cpuCores: os.cpus().length || 1,
    memoryTotalBytes: mem.total,
    memoryAvailableBytes: mem.available,
    fsCapacityBytes,
    fsAvailableBytes,
    fsInodes,
    fsInodesFree,
    pidMax,
    pidsInUse,
  };
}

export async function readHostInfo(): Promise<HostInfo> {
  const machineID = (await read('/etc/machine-id'))?.trim() ?? '';
  return {
    hostname: os.hostname(),
    kernelVersion: os.release(),
    osImage: parseOsRelease(await read('/etc/os-release')),
    architecture: goArch(),
    machineID,
    bootID: (await read('/proc/sys/kernel/random/boot_id'))?.trim() ?? '',
  };
}

/** The first non-internal IPv4 address of the host, else loopback. */
export function detectNodeIP(): string {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}
