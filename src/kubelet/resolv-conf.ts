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

export function readHostResolvConf(path = '/etc/resolv.conf'): DnsConfig | undefined {
  try {
    return parseResolvConf(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}
