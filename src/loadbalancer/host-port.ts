import { isIPv6 } from 'node:net';

export interface HostPort {
  host: string;
  port: number;
}

/** `host:port` or `[v6]:port` → its parts; anything else throws. */
export function parseHostPort(text: string): HostPort {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`not a host:port address: ${JSON.stringify(text)}`);
  }
  return { host: (match[1] ?? match[2])!.toLowerCase(), port };
}

export function formatHostPort({ host, port }: HostPort): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}
