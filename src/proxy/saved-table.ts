/** What `iptables-save -t TABLE` printed: the table's chains and rules, for stale-chain and jump-rule checks. Pure. */

export interface SavedTable {
  chains: Set<string>;
  /** Every `-A CHAIN …` line, as printed. */
  rules: string[];
}

export const emptyTable = (): SavedTable => ({ chains: new Set(), rules: [] });

export function parseSave(text: string): SavedTable {
  const table = emptyTable();
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) table.chains.add(line.slice(1).split(' ')[0] ?? '');
    else if (line.startsWith('-A ')) table.rules.push(line);
  }
  return table;
}

/** A rule line split into arguments; a double-quoted argument (a comment) is one argument without its quotes. */
export function ruleArgs(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

/**
 * Whether `line` (as iptables-save printed it) is the rule `args`. iptables-save reorders some matches (`-d` and
 * `-p` come first) and quotes every comment, so the arguments are compared as multisets.
 */
export function sameRule(line: string, args: string[]): boolean {
  const a = ruleArgs(line).sort();
  const b = [...args].sort();
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
