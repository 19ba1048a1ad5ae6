/**
 * The built-in ingress controller (k3s ships Traefik for this): an HTTP and an HTTPS listener on the node that
 * route by the Ingresses of our class to the pods behind their backend Services, and the served Ingresses'
 * `status.loadBalancer.ingress` set to this node's address.
 *
 * Informers on Ingresses, IngressClasses, Services, EndpointSlices, `kubernetes.io/tls` Secrets and this Node.
 * Any change rebuilds the route table (cheap: a pass over the served Ingresses) after a short pause that
 * folds bursts together, and empties the cache of resolved backends; requests in between use the last table.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Server as TlsServer } from 'node:https';
import type { Node, Secret, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Ingress, IngressClass } from 'kubernetes-types/networking/v1.js';
import { TUGBOAT_INGRESS_CONTROLLER, requestedIngressClass } from '../api/ingress-classes.js';
import {
  Informer,
  R,
  stripManagedFields,
  type ApiClient,
  type ClientObject,
  type ResourceType,
} from '../client/index.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { resolveBackend, type Endpoint, type Resolution } from './backends.js';
import { CertificateStore, type PemPair } from './certificates.js';
import { requestPathOf } from './paths.js';
import {
  forwardRequest,
  forwardUpgrade,
  sendText,
  writeRawText,
  type ForwardOptions,
} from './reverse-proxy.js';
import { buildRouteTable, type RouteTable, type RouteTarget } from './route-table.js';
import { IngressStatusWriter } from './status.js';

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/**
 * No limit on how long a request may take to arrive (Node's default cuts it at 5 minutes), so long uploads and
 * streams pass; a client still has a minute to send its headers.
 */
const SERVER_OPTIONS = { requestTimeout: 0, headersTimeout: 60_000 };
const BY_SERVICE = 'service';

export interface IngressControllerOptions {
  client: ApiClient;
  /** The node the listeners run on: its address goes into the Ingresses' status. */
  nodeName: string;
  /** Listening ports; 0 picks any (tests). Undefined leaves that listener off. */
  httpPort?: number;
  httpsPort?: number;
  /** Default: every address. */
  bindAddress?: string;
  /** What TLS clients get when no Ingress names a certificate for their server name. */
  defaultCertificate: PemPair;
  /** How long a backend may take to start answering (default 60 s, as ingress-nginx's read timeout). */
  backendTimeoutMs?: number;
  logger?: Logger;
}

export class IngressController {
  private readonly log: Logger;
  private readonly ingresses: Informer<Ingress>;
  private readonly classes: Informer<IngressClass>;
  private readonly services: Informer<Service>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly secrets: Informer<Secret>;
  private readonly nodes: Informer<Node>;
  private readonly certificates: CertificateStore;
  private readonly status: IngressStatusWriter;
  private readonly agent = new http.Agent({ keepAlive: true, maxFreeSockets: 64 });
  private table: RouteTable = buildRouteTable([]);
  /** Resolved backends by `backendKey`, with their round-robin turn; emptied by every rebuild. */
  private readonly resolved = new Map<string, { resolution: Resolution; turn: number }>();
  private rebuildTimer: NodeJS.Timeout | undefined;
  private httpServer: http.Server | undefined;
  private httpsServer: TlsServer | undefined;
  private readonly sockets = new Set<Socket | Duplex>();

  constructor(private readonly opts: IngressControllerOptions) {
    this.log = opts.logger ?? silentLogger;
    const informer = <T extends ClientObject>(type: ResourceType, fieldSelector?: string): Informer<T> =>
      new Informer(opts.client.resource<T>(type), {
        transform: stripManagedFields,
        logger: this.log.child(type.resource),
        ...(fieldSelector ? { fieldSelector } : {}),
      });
    this.ingresses = informer(R.ingresses);
    this.classes = informer(R.ingressClasses);
    this.services = informer(R.services);
    this.slices = informer(R.endpointSlices);
    this.slices.addIndexer(BY_SERVICE, (s) => {
      const name = s.metadata?.labels?.[SERVICE_NAME_LABEL];
      return name ? [`${s.metadata?.namespace ?? ''}/${name}`] : [];
    });
    this.secrets = informer(R.secrets, 'type=kubernetes.io/tls');
    this.nodes = informer(R.nodes, `metadata.name=${opts.nodeName}`);
    this.certificates = new CertificateStore(opts.defaultCertificate, this.log);
    this.status = new IngressStatusWriter(opts.client.resource<Ingress>(R.ingresses), this.log, () =>
      this.scheduleRebuild(),
    );
  }

  /** Fills the caches, builds the first table, then listens. */
  async start(): Promise<void> {
    const all = [
      this.ingresses,
      this.classes,
      this.services,
      this.slices,
      this.secrets,
      this.nodes,
    ] as Informer<ClientObject>[];
    const changed = (): void => this.scheduleRebuild();
    for (const inf of all) {
      inf.addEventHandler({ add: changed, update: changed, delete: changed });
      inf.start();
    }
    await Promise.all(all.map((inf) => inf.waitForSync()));
    this.rebuild();
    await this.listen();
  }

  async stop(): Promise<void> {
    clearTimeout(this.rebuildTimer);
    for (const inf of [this.ingresses, this.classes, this.services, this.slices, this.secrets, this.nodes]) {
      inf.stop();
    }
    const closing = [this.httpServer, this.httpsServer].map(
      (s) => new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve())),
    );
    for (const s of this.sockets) s.destroy();
    this.agent.destroy();
    await Promise.all(closing);
    await this.status.idle();
  }

  /** The ports listened on (after start), for callers that asked for any. */
  get ports(): { http?: number; https?: number } {
    const port = (s: http.Server | undefined): number | undefined =>
      (s?.address() as AddressInfo | null)?.port;
    const p: { http?: number; https?: number } = {};
    const h = port(this.httpServer);
    const s = port(this.httpsServer);
    if (h !== undefined) p.http = h;
    if (s !== undefined) p.https = s;
    return p;
  }

  /** The Ingresses this controller serves: of a class whose controller is ours, or of no class at all. */
  servedIngresses(): Ingress[] {
    const ours = new Set(
      this.classes
        .list()
        .filter((c) => c.spec?.controller === TUGBOAT_INGRESS_CONTROLLER)
        .map((c) => c.metadata?.name ?? ''),
    );
    return this.ingresses.list().filter((ing) => {
      const cls = requestedIngressClass(ing);
      return cls === undefined || ours.has(cls);
    });
  }

  private scheduleRebuild(): void {
    // Endpoints changes must reach requests promptly; a short pause folds a burst of events into one pass.
    this.rebuildTimer ??= setTimeout(() => {
      this.rebuildTimer = undefined;
      this.rebuild();
    }, 20);
  }

  private rebuild(): void {
    const served = this.servedIngresses();
    this.table = buildRouteTable(served);
    this.resolved.clear();
    this.certificates.update(this.table.tlsSecrets(), (key) => this.secrets.getByKey(key));
    this.status.sync(served, this.loadBalancerAddresses());
  }

  /** This node's ExternalIP, else its InternalIP (what ServiceLB would publish for a Service on it). */
  private loadBalancerAddresses(): string[] {
    const addresses = this.nodes.get('', this.opts.nodeName)?.status?.addresses ?? [];
    const ip =
      addresses.find((a) => a.type === 'ExternalIP')?.address ??
      addresses.find((a) => a.type === 'InternalIP')?.address;
    return ip ? [ip] : [];
  }

  private async listen(): Promise<void> {
    const { httpPort, httpsPort } = this.opts;
    const host = this.opts.bindAddress;
    if (httpPort !== undefined) {
      const server = http.createServer(SERVER_OPTIONS, (req, res) => this.serve(req, res, false));
      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
        this.upgrade(req, socket, head, false),
      );
      this.httpServer = await this.bind(server, httpPort, host, 'HTTP');
    }
    if (httpsPort !== undefined) {
      const { createServer } = await import('node:https');
      const server = createServer(
        {
          ...SERVER_OPTIONS,
          SNICallback: (name, cb) => cb(null, this.certificates.contextFor(this.table.tlsFor(name))),
          ...this.defaultPair(),
        },
        (req, res) => this.serve(req, res, true),
      );
      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
        this.upgrade(req, socket, head, true),
      );
      this.httpsServer = await this.bind(server, httpsPort, host, 'HTTPS');
    }
  }

  private defaultPair(): { cert: string; key: string } {
    return { cert: this.opts.defaultCertificate.certPem, key: this.opts.defaultCertificate.keyPem };
  }

  /** Listens, or logs why it cannot (a port taken or privileged) and leaves that listener off. */
  private async bind<S extends http.Server>(
    server: S,
    port: number,
    host: string | undefined,
    what: string,
  ): Promise<S | undefined> {
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port, ...(host ? { host } : {}) }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      this.log.error(`ingress ${what} listener off: cannot listen on port ${port}`, {
        error: err instanceof Error ? err.message : String(err),
        ...(code === 'EACCES'
          ? { hint: 'ports below 1024 need root; choose another with --ingress-http(s)-port' }
          : {}),
      });
      return undefined;
    }
    // After listening, errors are the accepting socket's (EMFILE and the like): reported, not fatal.
    server.on('error', (err) => this.log.error(`ingress ${what} listener error`, { error: err.message }));
    this.log.info(`ingress ${what} listening`, { port: (server.address() as AddressInfo).port });
    return server;
  }

  private serve(req: IncomingMessage, res: ServerResponse, secure: boolean): void {
    const picked = this.pick(req);
    if ('status' in picked) {
      sendText(res, picked.status, picked.text);
      return;
    }
    forwardRequest(req, res, picked.endpoint, this.forwardOptions(req, secure));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, secure: boolean): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const picked = this.pick(req);
    if ('status' in picked) {
      writeRawText(socket, picked.status, picked.text);
      return;
    }
    forwardUpgrade(req, socket, head, picked.endpoint, this.forwardOptions(req, secure));
  }

  private forwardOptions(req: IncomingMessage, secure: boolean): ForwardOptions {
    return {
      secure,
      localPort: req.socket.localPort ?? 0,
      agent: this.agent,
      timeoutMs: this.opts.backendTimeoutMs ?? 60_000,
    };
  }

  /** The endpoint a request goes to (round robin over the backend's), or the error answer. */
  private pick(req: IncomingMessage): { endpoint: Endpoint } | { status: number; text: string } {
    const target = this.table.route(req.headers.host, requestPathOf(req.url ?? '/'));
    // Traefik's answer when no router matches.
    if (!target) return { status: 404, text: '404 page not found' };
    const entry = this.resolve(target);
    const r = entry.resolution;
    if ('error' in r) return { status: 503, text: `Service Unavailable (${r.error})` };
    return { endpoint: r.endpoints[entry.turn++ % r.endpoints.length]! };
  }

  private resolve(target: RouteTarget): { resolution: Resolution; turn: number } {
    const key = backendKey(target);
    let entry = this.resolved.get(key);
    if (!entry) {
      const name = target.service?.name ?? '';
      const service = this.services.get(target.namespace, name);
      const slices = this.slices.byIndex(BY_SERVICE, `${target.namespace}/${name}`);
      entry = { resolution: resolveBackend(target, service, slices), turn: 0 };
      this.resolved.set(key, entry);
    }
    return entry;
  }
}

function backendKey(t: RouteTarget): string {
  const port = t.service?.port.name ?? String(t.service?.port.number ?? '');
  return `${t.namespace}/${t.service?.name ?? ''}:${port}`;
}
