/**
 * One query in, one reply out: names in the cluster zone (and known reverse names) from the records, everything
 * else from the upstream resolvers; replies fitted to the transport (UDP limit and TC bit).
 */
import dnsPacket from 'dns-packet';
import type { Logger } from '../util/logger.js';
import type { ClusterRecords } from './cluster-records.js';
import type { Forwarder } from './forwarder.js';
import { lookup, type LookupConfig, type ZoneAnswer } from './lookup.js';
import {
  ADVERTISED_UDP_SIZE,
  buildReply,
  encodeWithin,
  parseQuery,
  relayReply,
  udpLimit,
  unsupportedEdns,
  type Query,
} from './messages.js';

export type Transport = 'udp' | 'tcp';

const TCP_LIMIT = 65535;
/** Queries waiting on the upstream at once; more are refused (CoreDNS forward's max_concurrent, 1000). */
const MAX_FORWARDS = 1000;

export class Resolver {
  private forwarding = 0;

  constructor(
    private readonly records: ClusterRecords,
    private readonly config: LookupConfig,
    private readonly forwarder: Forwarder,
    private readonly logger: Logger,
  ) {}

  /** The reply to a query, or undefined when it deserves none. */
  async resolve(message: Buffer, transport: Transport): Promise<Buffer | undefined> {
    const parsed = parseQuery(message);
    if (!parsed.ok) return parsed.reply;
    const query = parsed.query;
    const limit = transport === 'udp' ? udpLimit(query) : TCP_LIMIT;
    if (unsupportedEdns(query)) {
      return encodeWithin(
        buildReply(query, { rcode: 'NOERROR', authoritative: false, badVersion: true }),
        limit,
      );
    }
    const result = lookup(this.records, query.question, this.config);
    if (result.forward) return this.forward(message, query, limit);
    const answer = result.chase ? await this.chase(result) : result;
    return encodeWithin(
      buildReply(query, {
        rcode: answer.rcode,
        authoritative: true,
        answers: answer.answers,
        authorities: answer.authorities,
        additionals: answer.additionals,
      }),
      limit,
    );
  }

  private async forward(message: Buffer, query: Query, limit: number): Promise<Buffer> {
    if (this.forwarding >= MAX_FORWARDS) {
      return encodeWithin(buildReply(query, { rcode: 'REFUSED', authoritative: false }), limit);
    }
    this.forwarding++;
    try {
      return relayReply(await this.forwarder.forward(message), query, limit);
    } catch (err) {
      this.logger.debug('upstream DNS failed', { name: query.question.name, error: (err as Error).message });
      return encodeWithin(buildReply(query, { rcode: 'SERVFAIL', authoritative: false }), limit);
    } finally {
      this.forwarding--;
    }
  }

  /** Resolves the outside target of an ExternalName CNAME upstream and appends its answers. */
  private async chase(answer: ZoneAnswer): Promise<ZoneAnswer> {
    const chase = answer.chase!;
    const question = dnsPacket.encode({
      type: 'query',
      id: 0,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ name: chase.name, type: chase.type, class: 'IN' }],
      additionals: [
        {
          name: '.',
          type: 'OPT',
          udpPayloadSize: ADVERTISED_UDP_SIZE,
          extendedRcode: 0,
          ednsVersion: 0,
          flags: 0,
          flag_do: false,
          options: [],
        },
      ],
    });
    try {
      const reply = dnsPacket.decode(await this.forwarder.forward(question));
      return { ...answer, answers: [...answer.answers, ...(reply.answers ?? [])] };
    } catch (err) {
      this.logger.debug('upstream DNS failed', { name: chase.name, error: (err as Error).message });
      return chase.fallback;
    }
  }
}
