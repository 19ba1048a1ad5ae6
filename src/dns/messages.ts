/** DNS messages on the wire (through dns-packet): reading queries, building replies, fitting them to UDP. */
import dnsPacket, {
  type Answer,
  type DecodedPacket,
  type OptAnswer,
  type Packet,
  type Question,
} from 'dns-packet';

export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
} as const;
export type RcodeName = keyof typeof RCODE;

/** EDNS's BADVERS (16): its upper 8 bits go into the OPT record, the header's rcode stays 0. */
const BADVERS_UPPER_BITS = 1;
/** Without EDNS a UDP reply must fit in 512 bytes (RFC 1035). */
export const CLASSIC_UDP_SIZE = 512;
/** The payload size we advertise in our OPT records (the DNS flag day 2020 value, no IP fragments). */
export const ADVERTISED_UDP_SIZE = 1232;
const MAX_UDP_SIZE = 65507;
const QR = 0x8000;
const OPCODE_MASK = 0x7800;
const AA = 0x0400;
const TC = 0x0200;
const RD = 0x0100;
const RA = 0x0080;
const CD = 0x0010;
const HEADER_BYTES = 12;

export interface Query {
  id: number;
  /** The header's flag bits (opcode, RD, CD…), as sent. */
  flags: number;
  question: Question;
  /** The EDNS record, when the query had one. */
  opt?: OptAnswer;
}

export type ParsedQuery =
  | { ok: true; query: Query }
  /** What to send back (FORMERR, NOTIMP…), or nothing for what deserves no reply (a response, garbage). */
  | { ok: false; reply?: Buffer };

/** Reads a query; malformed or unsupported ones get the error reply upstream servers give. */
export function parseQuery(buf: Buffer): ParsedQuery {
  if (buf.length < HEADER_BYTES) return { ok: false };
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  if (flags & QR) return { ok: false };
  let packet: DecodedPacket;
  try {
    packet = dnsPacket.decode(buf);
  } catch {
    return { ok: false, reply: headerOnly(id, flags, RCODE.FORMERR) };
  }
  const opcode = (flags & OPCODE_MASK) >> 11;
  if (opcode !== 0) return { ok: false, reply: headerOnly(id, flags, RCODE.NOTIMP) };
  const question = packet.questions?.[0];
  if (!question || packet.questions?.length !== 1) {
    return { ok: false, reply: headerOnly(id, flags, RCODE.FORMERR) };
  }
  const opts = (packet.additionals ?? []).filter((a): a is OptAnswer => a.type === 'OPT');
  if (opts.length > 1) return { ok: false, reply: headerOnly(id, flags, RCODE.FORMERR) };
  return { ok: true, query: { id, flags, question, ...(opts[0] ? { opt: opts[0] } : {}) } };
}

function headerOnly(id: number, queryFlags: number, rcode: number): Buffer {
  return dnsPacket.encode({
    type: 'response',
    id,
    flags: (queryFlags & (OPCODE_MASK | RD | CD)) | RA | rcode,
    questions: [],
  });
}

/** Whether the query's EDNS version is one we do not speak (we speak 0): answer BADVERS. */
export function unsupportedEdns(query: Query): boolean {
  return (query.opt?.ednsVersion ?? 0) > 0;
}

/** The largest UDP reply the client accepts: its EDNS payload size, at least 512. */
export function udpLimit(query: Query): number {
  const size = query.opt?.udpPayloadSize ?? CLASSIC_UDP_SIZE;
  return Math.min(Math.max(size, CLASSIC_UDP_SIZE), MAX_UDP_SIZE);
}

export interface ReplyContent {
  rcode: RcodeName;
  authoritative: boolean;
  answers?: Answer[];
  authorities?: Answer[];
  additionals?: Answer[];
  /** EDNS BADVERS instead of rcode. */
  badVersion?: boolean;
}

/** The reply to a query: its id, question, RD and CD bits; recursion available; an OPT record if it sent one. */
export function buildReply(query: Query, content: ReplyContent): Packet {
  const rcode = content.badVersion ? 0 : RCODE[content.rcode];
  const flags = (query.flags & (RD | CD)) | RA | (content.authoritative ? AA : 0) | rcode;
  const additionals = [...(content.additionals ?? [])];
  if (query.opt) additionals.push(optRecord(query.opt, content.badVersion === true));
  return {
    type: 'response',
    id: query.id,
    flags,
    questions: [query.question],
    answers: content.answers ?? [],
    authorities: content.authorities ?? [],
    additionals,
  };
}

function optRecord(theirs: OptAnswer, badVersion: boolean): OptAnswer {
  return {
    name: '.',
    type: 'OPT',
    udpPayloadSize: ADVERTISED_UDP_SIZE,
    extendedRcode: badVersion ? BADVERS_UPPER_BITS : 0,
    ednsVersion: 0,
    // Echo the DO bit (RFC 3225); we sign nothing, so no signatures follow.
    flags: theirs.flag_do ? dnsPacket.DNSSEC_OK : 0,
    flag_do: theirs.flag_do,
    options: [],
  };
}

function recordLength(a: Answer): number {
  return dnsPacket.encodingLength({ answers: [a] }) - HEADER_BYTES;
}

/**
 * Encodes a reply to fit `limit` bytes: records are left out from the end (additional, then authority, then
 * answer records; the OPT record stays) and TC is set when any was, so the client asks again over TCP.
 */
export function encodeWithin(reply: Packet, limit: number): Buffer {
  const full = dnsPacket.encode(reply);
  if (full.length <= limit) return full;
  const opt = (reply.additionals ?? []).filter((a) => a.type === 'OPT');
  let size =
    dnsPacket.encodingLength({ questions: reply.questions ?? [] }) +
    opt.reduce((s, a) => s + recordLength(a), 0);
  const keep = (records: Answer[] | undefined): Answer[] => {
    const kept: Answer[] = [];
    for (const a of records ?? []) {
      const length = recordLength(a);
      if (size + length > limit) break;
      size += length;
      kept.push(a);
    }
    return kept;
  };
  const answers = keep(reply.answers);
  const authorities = answers.length === (reply.answers ?? []).length ? keep(reply.authorities) : [];
  const additionals =
    authorities.length === (reply.authorities ?? []).length
      ? keep((reply.additionals ?? []).filter((a) => a.type !== 'OPT'))
      : [];
  return dnsPacket.encode({
    ...reply,
    flags: (reply.flags ?? 0) | TC,
    answers,
    authorities,
    additionals: [...additionals, ...opt],
  });
}

/** A reply from an upstream server, with the client's id and fitted to its limit. */
export function relayReply(upstream: Buffer, query: Query, limit: number): Buffer {
  const out = Buffer.from(upstream);
  out.writeUInt16BE(query.id, 0);
  if (out.length <= limit) return out;
  try {
    const decoded = dnsPacket.decode(out);
    return encodeWithin({ ...decoded, type: 'response', flags: decoded.flags ?? 0 }, limit);
  } catch {
    return dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: (out.readUInt16BE(2) & ~QR) | TC,
      questions: [query.question],
    });
  }
}

/** Whether a reply had to be truncated (the TC bit). */
export function isTruncated(reply: Buffer): boolean {
  return reply.length >= 4 && (reply.readUInt16BE(2) & TC) !== 0;
}

export function replyRcode(reply: Buffer): number {
  return reply.length >= 4 ? reply.readUInt16BE(2) & 0xf : -1;
}
