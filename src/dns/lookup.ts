/**
 * The answer to one question, from the cluster's records alone (pure): the records of the Kubernetes DNS
 * specification as CoreDNS's kubernetes plugin serves them with `pods insecure` and reverse zones that fall
 * through to the upstream resolvers (k3s's Corefile). Everything outside the zone is for the forwarder.
 */
import type { Answer, RecordType, SoaAnswer, SrvAnswer } from 'dns-packet';
import type { ClusterRecords, ServiceRecord } from './cluster-records.js';
import {
  addressFromDashed,
  addressFromReverseName,
  ipFamily,
  isSubdomain,
  normalizeName,
  relativeName,
  REVERSE_ZONES,
} from './names.js';

export interface LookupConfig {
  /** The cluster domain, normalized (`cluster.local`). */
  zone: string;
  /** TTL of every answer (CoreDNS's default and minimum: 5). */
  ttl: number;
  /** Addresses of this server, for the zone's NS records (`ns.dns.<zone>`). */
  nameservers: string[];
}

export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED';

export interface ZoneAnswer {
  rcode: Rcode;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
  /**
   * The answers end with a CNAME to a name outside the zone (an ExternalName service): resolve `name` upstream
   * and append its answers, or, when that fails, answer `fallback` (CoreDNS drops the CNAME then).
   */
  chase?: { name: string; type: RecordType; fallback: ZoneAnswer };
}

export type LookupResult = { forward: true } | ({ forward: false } & ZoneAnswer);

export interface LookupQuestion {
  name: string;
  type: RecordType;
  class?: string;
}

/** The schema version CoreDNS publishes at `dns-version.<zone>` (TXT). */
export const DNS_SCHEMA_VERSION = '1.1.0';
const MAX_CNAME_CHAIN = 8;

/** A name's data: an address or a name (ExternalName) with the port it serves and the SRV target naming it. */
interface Target {
  host: string;
  port: number;
  /** Fully qualified name of the address, for SRV targets (`svc.ns.svc.zone`, `host.svc.ns.svc.zone`). */
  target: string;
}

/** The targets of a name, or NAME_ERROR when the name does not exist (NXDOMAIN). */
const NAME_ERROR = 'name error';
type Found = Target[] | typeof NAME_ERROR;

interface Parsed {
  kind: 'svc' | 'pod';
  namespace: string;
  service: string;
  endpoint: string;
  port: string;
  protocol: string;
}

/** The question's name split as CoreDNS's parseRequest does; [] for names that exist without records. */
function parse(relative: string): Parsed | [] | typeof NAME_ERROR {
  if (relative === '' || relative === 'svc' || relative === 'pod') return [];
  const segs = relative.split('.');
  const kind = segs.pop();
  if (kind !== 'svc' && kind !== 'pod') return NAME_ERROR;
  const namespace = segs.pop() ?? '';
  const service = segs.pop() ?? '';
  const out: Parsed = { kind, namespace, service, endpoint: '', port: '', protocol: '' };
  if (segs.length === 1) out.endpoint = segs[0]!;
  else if (segs.length === 2) {
    out.port = segs[0]!.replace(/^_/, '');
    out.protocol = segs[1]!.replace(/^_/, '');
  } else if (segs.length > 2) return NAME_ERROR;
  return out;
}

function portMatches(want: Parsed, name: string, protocol: string): boolean {
  return (
    (want.port === '' || want.port === name.toLowerCase()) &&
    (want.protocol === '' || want.protocol === protocol.toLowerCase())
  );
}

function serviceTargets(records: ClusterRecords, svc: ServiceRecord, want: Parsed, zone: string): Found {
  const fqdn = `${svc.name}.${svc.namespace}.svc.${zone}`;
  if (svc.kind === 'ExternalName') {
    // An ExternalName service has no endpoints; an address as externalName makes no CNAME.
    if (want.endpoint || ipFamily(svc.externalName)) return NAME_ERROR;
    return [{ host: svc.externalName, port: -1, target: fqdn }];
  }
  let found = false;
  const out: Target[] = [];
  if (svc.kind === 'Headless' || want.endpoint) {
    for (const group of records.endpoints(svc)) {
      for (const a of group.addresses) {
        if (want.endpoint && want.endpoint !== a.hostname) continue;
        for (const p of group.ports) {
          if (!portMatches(want, p.name, p.protocol)) continue;
          found = true;
          out.push({ host: a.ip, port: p.port, target: `${a.hostname}.${fqdn}` });
        }
      }
    }
  } else {
    for (const p of svc.ports) {
      if (!portMatches(want, p.name, p.protocol)) continue;
      found = true;
      for (const ip of svc.clusterIps) out.push({ host: ip, port: p.port, target: fqdn });
    }
  }
  return found ? out : NAME_ERROR;
}

function podTargets(want: Parsed): Found {
  // `pods insecure`: any address in an existing namespace, without looking for a pod that has it.
  if (want.endpoint || want.port || want.protocol) return NAME_ERROR;
  const ip = addressFromDashed(want.service);
  return ip ? [{ host: ip, port: -1, target: '' }] : NAME_ERROR;
}

function findTargets(records: ClusterRecords, relative: string, zone: string): Found {
  const want = parse(relative);
  if (want === NAME_ERROR || Array.isArray(want)) return want;
  if (!records.namespaceExists(want.namespace)) return NAME_ERROR;
  if (want.service === '') return [];
  if (want.kind === 'pod') return podTargets(want);
  const svc = records.service(want.namespace, want.service);
  return svc ? serviceTargets(records, svc, want, zone) : NAME_ERROR;
}

class ZoneLookup {
  private readonly zone: string;

  constructor(
    private readonly records: ClusterRecords,
    private readonly config: LookupConfig,
  ) {
    this.zone = config.zone;
  }

  answer(q: LookupQuestion, qname: string): ZoneAnswer {
    const relative = relativeName(qname, this.zone);
    if (q.type === 'AXFR' || q.type === 'IXFR') return this.reply('REFUSED', []);
    if (relative === 'ns.dns' || relative === 'dns-version') {
      // The zone's own names: the server's addresses and the schema version; no other data.
      const own = q.type === 'A' || q.type === 'AAAA' || q.type === 'TXT';
      return own ? this.chained(q.name, qname, q.type as 'A' | 'AAAA' | 'TXT') : this.reply('NOERROR', []);
    }
    switch (q.type) {
      case 'A':
      case 'AAAA':
      case 'TXT':
        return this.chained(q.name, qname, q.type);
      case 'CNAME': {
        const found = this.targets(relative);
        if (found === NAME_ERROR) return this.nameError();
        const named = found.find((t) => !ipFamily(t.host));
        return this.reply('NOERROR', named ? [this.cname(q.name, named.host)] : []);
      }
      case 'SRV':
        return this.srv(q.name, relative);
      case 'NS':
        if (relative === '') {
          return this.reply('NOERROR', [this.record(q.name, 'NS', this.nsName())], this.nsAddresses());
        }
        break;
      case 'SOA':
        if (relative === '') return this.reply('NOERROR', [this.soa()]);
        break;
      default:
        break;
    }
    // Any other type: the name's existence decides between NXDOMAIN and NODATA.
    return this.targets(relative) === NAME_ERROR ? this.nameError() : this.reply('NOERROR', []);
  }

  private targets(relative: string): Found {
    return findTargets(this.records, relative, this.zone);
  }

  /** A, AAAA and TXT: the records of the name, following a CNAME inside the zone, chasing one outside it. */
  private chained(owner: string, qname: string, type: 'A' | 'AAAA' | 'TXT'): ZoneAnswer {
    const result = this.collect(owner, qname, type, 0);
    if (result === NAME_ERROR) return this.nameError();
    const answer = this.reply('NOERROR', result.answers);
    if (!result.chase) return answer;
    const fallback = this.reply('NOERROR', result.answers.slice(0, -1));
    return { ...answer, chase: { name: result.chase, type, fallback } };
  }

  private collect(
    owner: string,
    qname: string,
    type: 'A' | 'AAAA' | 'TXT',
    depth: number,
  ): { answers: Answer[]; chase?: string } | typeof NAME_ERROR {
    const relative = relativeName(qname, this.zone);
    if (relative === 'dns-version') {
      const version = {
        name: owner,
        type: 'TXT' as const,
        ttl: 28800,
        class: 'IN' as const,
        data: DNS_SCHEMA_VERSION,
      };
      return { answers: type === 'TXT' ? [version] : [] };
    }
    if (relative === 'ns.dns') {
      if (type === 'TXT') return { answers: [] };
      const family = type === 'A' ? 4 : 6;
      const ips = this.config.nameservers.filter((ip) => ipFamily(ip) === family);
      return { answers: ips.map((ip) => this.record(owner, type, ip)) };
    }
    const found = this.targets(relative);
    if (found === NAME_ERROR) return NAME_ERROR;
    const answers: Answer[] = [];
    const seen = new Set<string>();
    for (const t of found) {
      const family = ipFamily(t.host);
      if (family) {
        const wanted = (family === 4 && type === 'A') || (family === 6 && type === 'AAAA');
        if (wanted && !seen.has(t.host)) {
          seen.add(t.host);
          answers.push(this.record(owner, type, t.host));
        }
        continue;
      }
      if (t.host === qname || depth >= MAX_CNAME_CHAIN) continue; // a CNAME to itself, or a loop
      const cname = this.cname(owner, t.host);
      if (!isSubdomain(t.host, this.zone)) return { answers: [...answers, cname], chase: t.host };
      const next = this.collect(t.host, t.host, type, depth + 1);
      if (next !== NAME_ERROR && next.answers.length > 0) {
        return {
          answers: [...answers, cname, ...next.answers],
          ...(next.chase ? { chase: next.chase } : {}),
        };
      }
    }
    return { answers };
  }

  private srv(owner: string, relative: string): ZoneAnswer {
    const found = this.targets(relative);
    if (found === NAME_ERROR) return this.nameError();
    // ExternalName services have no SRV records; neither do endpoints without ports.
    const targets = found.filter((t) => ipFamily(t.host) && t.port >= 0);
    // CoreDNS's weights: every record has priority 0 and an equal share of 100.
    const weight = Math.max(1, Math.floor(100 / Math.max(1, targets.length)));
    const answers: Answer[] = [];
    const additionals: Answer[] = [];
    const seenSrv = new Set<string>();
    const seenAddress = new Set<string>();
    for (const t of targets) {
      const srvKey = `${t.target}|${t.port}`;
      if (!seenSrv.has(srvKey)) {
        seenSrv.add(srvKey);
        const srv: SrvAnswer = {
          name: owner,
          type: 'SRV',
          ttl: this.config.ttl,
          class: 'IN',
          data: { priority: 0, weight, port: t.port, target: t.target },
        };
        answers.push(srv);
      }
      const addressKey = `${t.target}|${t.host}`;
      if (!seenAddress.has(addressKey)) {
        seenAddress.add(addressKey);
        additionals.push(this.record(t.target, ipFamily(t.host) === 4 ? 'A' : 'AAAA', t.host));
      }
    }
    return this.reply('NOERROR', answers, additionals);
  }

  /** NXDOMAIN, or SERVFAIL while the records are not listed yet (the name may exist). */
  nameError(): ZoneAnswer {
    return this.reply(this.records.synced ? 'NXDOMAIN' : 'SERVFAIL', []);
  }

  /** A reply; without answers (NODATA, NXDOMAIN) the zone's SOA goes to the authority section. */
  reply(rcode: Rcode, answers: Answer[], additionals: Answer[] = []): ZoneAnswer {
    const negative = answers.length === 0 && (rcode === 'NOERROR' || rcode === 'NXDOMAIN');
    return { rcode, answers, authorities: negative ? [this.soa()] : [], additionals };
  }

  private soa(): SoaAnswer {
    const ttl = this.config.ttl;
    return {
      name: this.zone,
      type: 'SOA',
      ttl: Math.min(ttl, 300),
      class: 'IN',
      data: {
        mname: this.nsName(),
        rname: `hostmaster.${this.zone}`,
        serial: this.records.serial,
        refresh: 7200,
        retry: 1800,
        expire: 86400,
        minimum: ttl,
      },
    };
  }

  private nsName(): string {
    return `ns.dns.${this.zone}`;
  }

  private nsAddresses(): Answer[] {
    return this.config.nameservers.map((ip) =>
      this.record(this.nsName(), ipFamily(ip) === 6 ? 'AAAA' : 'A', ip),
    );
  }

  private cname(owner: string, target: string): Answer {
    return this.record(owner, 'CNAME', target);
  }

  private record(name: string, type: 'A' | 'AAAA' | 'CNAME' | 'NS' | 'PTR', data: string): Answer {
    return { name, type, ttl: this.config.ttl, class: 'IN', data };
  }

  ptr(owner: string, names: string[]): ZoneAnswer {
    return this.reply(
      'NOERROR',
      names.map((n) => this.record(owner, 'PTR', `${n}.${this.zone}`)),
    );
  }
}

/** Answers a question in the cluster zone, or says it is for the upstream resolvers. */
export function lookup(records: ClusterRecords, q: LookupQuestion, config: LookupConfig): LookupResult {
  if (q.class !== undefined && q.class !== 'IN') return { forward: true };
  const qname = normalizeName(q.name);
  const zone = new ZoneLookup(records, config);
  if (REVERSE_ZONES.some((z) => isSubdomain(qname, z))) {
    // Reverse names the cluster knows are answered; the rest fall through to the upstream resolvers.
    const ip = q.type === 'PTR' ? addressFromReverseName(qname) : undefined;
    const names = ip ? records.reverseNames(ip) : [];
    return names.length ? { forward: false, ...zone.ptr(q.name, names) } : { forward: true };
  }
  if (!isSubdomain(qname, config.zone)) return { forward: true };
  return { forward: false, ...zone.answer(q, qname) };
}
