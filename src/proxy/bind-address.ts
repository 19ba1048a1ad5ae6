/** kube-proxy's default address of `/healthz` and `/livez`. */
export const DEFAULT_HEALTHZ_BIND_ADDRESS = '0.0.0.0:10256';

import { isIP } from 'node:net';

/** Splits `IP:PORT` (`[IPv6]:PORT`); throws on anything else. */
export function parseBindAddress(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):(\d{1,5})$/.exec(text);
  const port = Number(m?.[3]);
  const host = m?.[1] ?? m?.[2] ?? '';
  if (!m || port > 65535 || !isIP(host)) throw new Error(`${JSON.stringify(text)} is not IP:PORT`);
  return { host, port };
}
