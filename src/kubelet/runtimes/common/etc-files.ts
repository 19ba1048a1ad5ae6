/** The /etc/hosts, /etc/hostname and /etc/resolv.conf a runtime gives the containers of one pod. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PodSandboxConfig } from '../../cri/types.js';

export function hostsFile(config: PodSandboxConfig, podIp: string | undefined): string {
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
  ];
  if (podIp) lines.push(`${podIp}\t${config.hostname}`);
  for (const alias of config.hostAliases ?? []) lines.push(`${alias.ip}\t${alias.hostnames.join('\t')}`);
  return `${lines.join('\n')}\n`;
}

export async function resolvConf(config: PodSandboxConfig): Promise<string> {
  const dns = config.dnsConfig;
  if (!dns || (dns.servers.length === 0 && dns.searches.length === 0 && dns.options.length === 0)) {
    return readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  }
  const lines = dns.servers.map((s) => `nameserver ${s}`);
  if (dns.searches.length) lines.push(`search ${dns.searches.join(' ')}`);
  if (dns.options.length) lines.push(`options ${dns.options.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

export interface EtcFiles {
  hosts: string;
  hostname: string;
  resolvConf: string;
}

export async function writeEtcFiles(
  dir: string,
  config: PodSandboxConfig,
  podIp: string | undefined,
): Promise<EtcFiles> {
  const files = {
    hosts: path.join(dir, 'hosts'),
    hostname: path.join(dir, 'hostname'),
    resolvConf: path.join(dir, 'resolv.conf'),
  };
  await writeFile(files.hosts, hostsFile(config, podIp));
  await writeFile(files.hostname, `${config.hostname}\n`);
  await writeFile(files.resolvConf, await resolvConf(config));
  return files;
}

export function etcFilesIn(dir: string): EtcFiles {
  return {
    hosts: path.join(dir, 'hosts'),
    hostname: path.join(dir, 'hostname'),
    resolvConf: path.join(dir, 'resolv.conf'),
  };
}
