/** The host's /etc/resolv.conf as a DnsConfig (for dnsPolicy Default and the search list of ClusterFirst). */
import { readFileSync } from 'node:fs';
import type { DnsConfig } from './cri/types.js';

export function parseResolvConf(text: string): DnsConfig {
  const out: DnsConfig = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.servers.push(rest[0]);
    else if (key === 'search' || key === 'domain') out.searches = rest;
    else if (key === 'options') out.options.push(...rest);
  }
  return out;
}

/**
 * The host's resolver. A systemd-resolved stub (127.0.0.53) is unreachable from a pod's network namespace:
 * then the upstream servers from /run/systemd/resolve/resolv.conf are used, as the kubelet's docs advise.
 */
export function readHostResolvConf(path = '/etc/resolv.conf'): DnsConfig | undefined {
  const read = (p: string): DnsConfig | undefined => {
    try {
      return parseResolvConf(readFileSync(p, 'utf8'));
    } catch {
      return undefined;
    }
  };
  const conf = read(path);
  if (conf && conf.servers.length > 0 && conf.servers.every((s) => s.startsWith('127.'))) {
    return read('/run/systemd/resolve/resolv.conf') ?? conf;
  }
  return conf;
}
