import type { IncomingMessage } from 'node:http';

/**
 * The kinds of credentials a request presents, in upstream's audit names: `basic` or `bearer` from the
 * Authorization header, `access_token` from the query (WebSocket clients), `x509` for a client certificate.
 */
export function presentedCredentials(req: IncomingMessage): string[] {
  const methods: string[] = [];
  const auth = String(req.headers.authorization ?? '').trim();
  const [scheme, ...rest] = auth.split(' ');
  if (scheme?.toLowerCase() === 'basic' && rest.length > 0) methods.push('basic');
  if (rest.length > 0 && scheme?.toLowerCase() === 'bearer') methods.push('bearer');
  if (/[?&]access_token=[^&\s]/.test(req.url ?? '')) methods.push('access_token');
  const peer = (req.socket as { getPeerCertificate?: () => { raw?: Buffer } }).getPeerCertificate?.();
  if (peer?.raw) methods.push('x509');
  return methods;
}
