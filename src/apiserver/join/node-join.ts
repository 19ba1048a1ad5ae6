import { timingSafeEqual } from 'node:crypto';
import { sha256 } from '../auth/digest.js';
import { isIP } from 'node:net';
import { ApiError, badRequest, unauthorized } from '../../api/errors.js';
import { isPlainObject } from '../../api/meta.js';
import type { CertAndKey } from '../auth/pki.js';
import type { NodePasswords } from './node-passwords.js';

/** Where agents fetch the cluster CA (public, as k3s's `/cacerts`) and ask for their credentials. */
export const CA_CERTS_PATH = '/cacerts';
export const NODE_JOIN_PATH = '/v1-tugboat/node-credentials';

/** What an agent sends, authenticated by `Authorization: Bearer <join password>`. */
export interface NodeJoinRequest {
  nodeName: string;
  /** The agent's own random secret; binds the node name to the machine that first joined with it. */
  nodePassword: string;
  /** Names and addresses the agent's HTTPS endpoint is reached at (its serving certificate covers them). */
  hostnames: string[];
  addresses: string[];
}

/** How pods reach other nodes' pods (k3s's `--flannel-backend` values that Tugboat implements). */
export type FlannelBackend = 'vxlan' | 'host-gw' | 'none';

/** Settings of the cluster an agent needs and takes from the server rather than from flags of its own. */
export interface ClusterSettings {
  clusterCidr: string;
  /** Absent from servers that predate it (they ran host-gw). */
  flannelBackend?: FlannelBackend;
  serviceCidr: string;
  clusterDomain: string;
  /** The user's DNS servers for pods (`--cluster-dns`); empty: each agent serves cluster DNS itself. */
  clusterDns: string[];
  disableKubeProxy: boolean;
  disableNetworkPolicy: boolean;
}

export interface NodeJoinResponse {
  caCert: string;
  clientCert: string;
  clientKey: string;
  servingCert: string;
  servingKey: string;
  cluster: ClusterSettings;
}

export interface NodeJoinOptions {
  caPem: string;
  /** The password part of the join token. */
  password: string;
  passwords: NodePasswords;
  issue(
    nodeName: string,
    hostnames: string[],
    addresses: string[],
  ): Promise<{ client: CertAndKey; serving: CertAndKey }>;
  /** Whether the Node object exists (a name whose Node is gone may be claimed again by another machine). */
  nodeExists(name: string): Promise<boolean>;
  cluster: ClusterSettings;
}

const NODE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const HOST_NAME = /^[a-z0-9*]([-a-z0-9.]{0,251}[a-z0-9])?$/i;
/** Certificates are issued in child processes: a burst of joining agents must not fork a process each at once. */
const MAX_CONCURRENT_ISSUES = 2;

/** Admits node agents that present the join token, as k3s's supervisor does for its agents. */
export class NodeJoin {
  private readonly passwordDigest: Buffer;
  private issuing = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly opts: NodeJoinOptions) {
    this.passwordDigest = sha256(opts.password);
  }

  get caPem(): string {
    return this.opts.caPem;
  }

  /** Throws 401 unless the Authorization header carries the join password as a bearer token. */
  authenticate(authorization: string | undefined): void {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match || !timingSafeEqual(sha256(match[1]!), this.passwordDigest)) throw unauthorized();
  }

  /** Answers an authenticated join request; throws an ApiError (400, 403) when it is refused. */
  async join(body: unknown): Promise<NodeJoinResponse> {
    const req = parseJoinRequest(body);
    const claimed = await this.opts.passwords.claim(
      req.nodeName,
      req.nodePassword,
      async () => !(await this.opts.nodeExists(req.nodeName)),
    );
    if (!claimed) {
      throw new ApiError(
        403,
        'Forbidden',
        `node "${req.nodeName}" already joined from a machine with another node password: ` +
          'delete the Node to let another machine take its name',
      );
    }
    const { client, serving } = await this.limited(() =>
      this.opts.issue(req.nodeName, req.hostnames, req.addresses),
    );
    return {
      caCert: this.opts.caPem,
      clientCert: client.certPem,
      clientKey: client.keyPem,
      servingCert: serving.certPem,
      servingKey: serving.keyPem,
      cluster: this.opts.cluster,
    };
  }

  private async limited<T>(work: () => Promise<T>): Promise<T> {
    while (this.issuing >= MAX_CONCURRENT_ISSUES) await new Promise<void>((r) => this.waiting.push(r));
    this.issuing++;
    try {
      return await work();
    } finally {
      this.issuing--;
      this.waiting.shift()?.();
    }
  }
}

function parseJoinRequest(body: unknown): NodeJoinRequest {
  if (!isPlainObject(body)) throw badRequest('the join request must be a JSON object');
  const { nodeName, nodePassword, hostnames = [], addresses = [] } = body;
  if (typeof nodeName !== 'string' || !NODE_NAME.test(nodeName))
    throw badRequest('nodeName must be a lower-case DNS subdomain');
  if (typeof nodePassword !== 'string' || nodePassword.length < 16 || nodePassword.length > 256)
    throw badRequest('nodePassword must be a string of 16 to 256 characters');
  if (!isStringList(hostnames) || !hostnames.every((h) => HOST_NAME.test(h)))
    throw badRequest('hostnames must be a list of DNS names');
  if (!isStringList(addresses) || !addresses.every((a) => isIP(a) !== 0))
    throw badRequest('addresses must be a list of IP addresses');
  if (hostnames.length + addresses.length > 64) throw badRequest('at most 64 hostnames and addresses');
  return { nodeName, nodePassword, hostnames, addresses };
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}
