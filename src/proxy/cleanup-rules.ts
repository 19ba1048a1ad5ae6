/**
 * iptables-restore input that removes everything the proxy (or another maker, by `ours`) made in one table: the rules elsewhere that jump
 * into our chains (taken from iptables-save's own lines, so they match exactly), then our chains, flushed and
 * deleted. Pure; an empty string when there is nothing to remove.
 */
import { isOurFilterChain, isOurNatChain } from './chain-names.js';
import { ruleArgs, type SavedTable } from './saved-table.js';

export function cleanupText(
  table: 'nat' | 'filter',
  saved: SavedTable,
  ours: (chain: string) => boolean = table === 'nat' ? isOurNatChain : isOurFilterChain,
): string {
  const chains = [...saved.chains].filter(ours).sort();
  if (chains.length === 0) return '';
  const mine = new Set(chains);
  const jumps = saved.rules.filter((line) => {
    const args = ruleArgs(line);
    const jump = args.findIndex((a) => a === '-j' || a === '-g');
    const target = jump >= 0 ? args[jump + 1] : undefined;
    return !mine.has(args[1] ?? '') && target !== undefined && mine.has(target);
  });
  return [
    `*${table}`,
    ...chains.map((c) => `:${c} - [0:0]`),
    ...jumps.map((line) => `-D${line.slice(2)}`),
    ...chains.map((c) => `-X ${c}`),
    'COMMIT',
    '',
  ].join('\n');
}
