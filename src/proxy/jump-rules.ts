/**
 * The rules in the built-in chains that send traffic into ours (upstream's iptablesJumpChains, without the
 * health-check chain we do not make). They are inserted first in their chain when
 * missing, and deleted by cleanup.
 */
import {
  EXTERNAL_SERVICES_CHAIN,
  FORWARD_CHAIN,
  LOCALNET_FIREWALL_CHAIN,
  POSTROUTING_CHAIN,
  PROXY_FIREWALL_CHAIN,
  SERVICES_CHAIN,
} from './chain-names.js';
import { quote } from './restore-text.js';
import { sameRule, type SavedTable } from './saved-table.js';

export interface JumpRule {
  table: 'nat' | 'filter';
  /** The built-in chain the rule sits in. */
  from: string;
  to: string;
  comment?: string;
  extra: string[];
}

const NEW = ['-m', 'conntrack', '--ctstate', 'NEW'];

export const JUMP_RULES: readonly JumpRule[] = [
  {
    table: 'filter',
    from: 'INPUT',
    to: EXTERNAL_SERVICES_CHAIN,
    comment: 'kubernetes externally-visible service portals',
    extra: NEW,
  },
  {
    table: 'filter',
    from: 'FORWARD',
    to: EXTERNAL_SERVICES_CHAIN,
    comment: 'kubernetes externally-visible service portals',
    extra: NEW,
  },
  { table: 'filter', from: 'FORWARD', to: SERVICES_CHAIN, comment: 'kubernetes service portals', extra: NEW },
  { table: 'filter', from: 'OUTPUT', to: SERVICES_CHAIN, comment: 'kubernetes service portals', extra: NEW },
  { table: 'filter', from: 'FORWARD', to: FORWARD_CHAIN, comment: 'kubernetes forwarding rules', extra: [] },
  ...(['INPUT', 'OUTPUT', 'FORWARD'] as const).map((from) => ({
    table: 'filter' as const,
    from,
    to: PROXY_FIREWALL_CHAIN,
    comment: 'kubernetes load balancer firewall',
    extra: NEW,
  })),
  { table: 'nat', from: 'OUTPUT', to: SERVICES_CHAIN, comment: 'kubernetes service portals', extra: [] },
  { table: 'nat', from: 'PREROUTING', to: SERVICES_CHAIN, comment: 'kubernetes service portals', extra: [] },
  {
    table: 'nat',
    from: 'POSTROUTING',
    to: POSTROUTING_CHAIN,
    comment: 'kubernetes postrouting rules',
    extra: [],
  },
];

/** With localhost node ports: every packet in and out passes the localnet firewall (plain jumps, as kubelet's). */
export const LOCALNET_FIREWALL_JUMPS: readonly JumpRule[] = [
  { table: 'filter', from: 'INPUT', to: LOCALNET_FIREWALL_CHAIN, extra: [] },
  { table: 'filter', from: 'OUTPUT', to: LOCALNET_FIREWALL_CHAIN, extra: [] },
];

/** The rule's arguments after `-A CHAIN`, as iptables-save would list them (comment unquoted). */
export function jumpArgs(j: JumpRule): string[] {
  const comment = j.comment === undefined ? [] : ['-m', 'comment', '--comment', j.comment];
  return [...j.extra, ...comment, '-j', j.to];
}

/** `-I CHAIN 1 …` lines for the table's jump rules that the saved table lacks. */
export function missingJumpLines(
  table: 'nat' | 'filter',
  saved: SavedTable,
  opts: { localhostNodePorts?: boolean } = {},
): string[] {
  return [...JUMP_RULES, ...(opts.localhostNodePorts ? LOCALNET_FIREWALL_JUMPS : [])]
    .filter((j) => j.table === table)
    .filter((j) => !saved.rules.some((line) => sameRule(line, ['-A', j.from, ...jumpArgs(j)])))
    .map((j) => ['-I', j.from, '1', ...jumpArgs(j).map(quote)].join(' '));
}
