/**
 * Test support: Service and EndpointSlice objects in few words, records built from them, a fake upstream
 * resolver and DNS clients for UDP and TCP (all on 127.0.0.1).
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server } from 'node:net';
import dnsPacket, { type Answer, type DecodedPacket, type Packet, type Question } from 'dns-packet';
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { FakeClock } from '../util/clock.js';
import { ClusterRecords, SERVICE_NAME_LABEL } from './cluster-records.js';

export function clusterIpService(
  namespace: string,
  name: string,
  ips: string[],
  ports: ServicePort[],
): Service {
  return {
    metadata: { namespace, name },
    spec: { type: 'ClusterIP', clusterIP: ips[0]!, clusterIPs: ips, ports },
  };
}

export function headlessService(
  namespace: string,
  name: string,
  ports: ServicePort[],
  extra: Partial<NonNullable<Service['spec']>> = {},
): Service {
  return {
    metadata: { namespace, name },
    spec: { clusterIP: 'None', clusterIPs: ['None'], ports, ...extra },
  };
}

export function externalNameService(namespace: string, name: string, externalName: string): Service {
  return { metadata: { namespace, name }, spec: { type: 'ExternalName', externalName } };
}

export function endpointSlice(
  namespace: string,
  name: string,
  service: string,
  endpoints: Endpoint[],
  ports: EndpointSlice['ports'] = [],
  addressType = 'IPv4',
): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace, name, labels: { [SERVICE_NAME_LABEL]: service } },
    addressType,
    endpoints,
    ports,
  };
}

export function recordsOf(
  namespaces: string[],
  services: Service[],
  slices: EndpointSlice[],
  clock = new FakeClock(),
): ClusterRecords {
  const records = new ClusterRecords(clock);
  for (const ns of namespaces) records.setNamespace(ns);
  for (const s of services) records.setService(s);
  for (const s of slices) records.setEndpointSlice(s);
  records.markSynced();
  return records;
}

/** A DNS server on 127.0.0.1 standing in for the host's resolvers: answers from a table, UDP and TCP. */
export class FakeUpstream {
  /** Questions received, as `transport type name`. */
  readonly seen: string[] = [];
  silent = false;
  private udp: UdpSocket | undefined;
  private tcp: Server | undefined;
  port = 0;

  /** `answers(question)` gives the answer records, or undefined for NXDOMAIN. */
  constructor(private readonly answers: (q: Question) => Answer[] | undefined) {}

  async start(): Promise<void> {
    const udp = createSocket('udp4');
    udp.on('message', (msg, peer) => {
      const reply = this.reply(msg, 'udp');
      if (reply) udp.send(reply, peer.port, peer.address);
    });
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    this.port = udp.address().port;
    const tcp = createServer((socket) => {
      socket.on('error', () => socket.destroy());
      socket.on('data', (chunk: Buffer) => {
        const reply = this.reply(chunk.subarray(2), 'tcp');
        if (!reply) return;
        const length = Buffer.alloc(2);
        length.writeUInt16BE(reply.length);
        socket.write(Buffer.concat([length, reply]));
      });
    });
    await new Promise<void>((resolve) => tcp.listen(this.port, '127.0.0.1', resolve));
    this.udp = udp;
    this.tcp = tcp;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.udp ? this.udp.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()));
  }

  private reply(message: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined {
    const query = dnsPacket.decode(message);
    const q = query.questions![0]!;
    this.seen.push(`${transport} ${q.type} ${q.name}`);
    if (this.silent) return undefined;
    const answers = this.answers(q);
    const reply = {
      type: 'response' as const,
      id: query.id ?? 0,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (answers ? 0 : 3),
      questions: [q],
      answers: answers ?? [],
    };
    const full = dnsPacket.encode(reply);
    // Without EDNS over UDP, as a real server: 512 bytes at most, else TC and no answers.
    if (transport === 'udp' && full.length > 512) {
      return dnsPacket.encode({ ...reply, flags: reply.flags | dnsPacket.TRUNCATED_RESPONSE, answers: [] });
    }
    return full;
  }
}

/** Sends one query over UDP and waits for the reply (or times out). */
export function udpQuery(
  port: number,
  query: Packet,
  timeoutMs = 3000,
  address = '127.0.0.1',
): Promise<DecodedPacket & { size: number }> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('no UDP reply'));
    }, timeoutMs);
    socket.on('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      resolve(Object.assign(dnsPacket.decode(msg), { size: msg.length }));
    });
    socket.send(dnsPacket.encode(query), port, address);
  });
}

/** Sends queries over one TCP connection, in pieces to exercise the framing, and collects the replies by id. */
export function tcpQueries(port: number, queries: Packet[]): Promise<Map<number, DecodedPacket>> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const replies = new Map<number, DecodedPacket>();
    let buffered = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= buffered.readUInt16BE(0) + 2) {
        const size = buffered.readUInt16BE(0);
        const reply = dnsPacket.decode(buffered.subarray(2, size + 2));
        buffered = buffered.subarray(size + 2);
        replies.set(reply.id ?? -1, reply);
        if (replies.size === queries.length) {
          socket.end();
          resolve(replies);
        }
      }
    });
    const bytes = Buffer.concat(queries.map((q) => dnsPacket.streamEncode(q)));
    // Cut mid-frame: the server must reassemble.
    const cut = Math.floor(bytes.length / 2) + 1;
    socket.write(bytes.subarray(0, cut));
    setTimeout(() => socket.write(bytes.subarray(cut)), 20);
  });
}
