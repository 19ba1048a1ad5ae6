/**
 * Starts the built-in ingress controller beside the server's own agent: it forwards to pod addresses, which
 * this host reaches through its agent's pod network (or, with the process runtime, on the host itself).
 */
import { ApiClient, type ClientConfig, type Stoppable } from '../client/index.js';
import type { Logger } from '../util/logger.js';

export interface IngressWiring {
  client: ClientConfig;
  nodeName: string;
  /** 0 leaves a listener off. */
  httpPort: number;
  httpsPort: number;
  defaultCertificate: { certPem: string; keyPem: string };
  logger: Logger;
}

export async function startIngress(w: IngressWiring): Promise<Stoppable> {
  const { IngressController } = await import('../ingress/index.js');
  const client = new ApiClient({ userAgent: `tugboat-ingress/${w.nodeName}`, ...w.client });
  const controller = new IngressController({
    client,
    nodeName: w.nodeName,
    ...(w.httpPort ? { httpPort: w.httpPort } : {}),
    ...(w.httpsPort ? { httpsPort: w.httpsPort } : {}),
    defaultCertificate: w.defaultCertificate,
    logger: w.logger,
  });
  try {
    await controller.start();
  } catch (err) {
    await controller.stop();
    client.close();
    throw err;
  }
  return {
    stop: async () => {
      await controller.stop();
      client.close();
    },
  };
}
