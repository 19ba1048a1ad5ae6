/** Building iptables-restore input: chain declarations first, then rules, as kube-proxy writes it. Pure. */

/** Quotes an argument with spaces (comments); iptables-restore splits the line on whitespace otherwise. */
export function quote(arg: string): string {
  return /\s/.test(arg) ? `"${arg}"` : arg;
}

export class RestoreText {
  private readonly chainLines: string[] = [];
  private readonly declared = new Set<string>();
  private readonly ruleLines: string[] = [];

  constructor(private readonly table: 'nat' | 'filter') {}

  /** Declares (and so, under --noflush, flushes) a chain once. */
  chain(name: string): void {
    if (this.declared.has(name)) return;
    this.declared.add(name);
    this.chainLines.push(`:${name} - [0:0]`);
  }

  has(name: string): boolean {
    return this.declared.has(name);
  }

  /** One rule line from arguments; nested arrays are flattened. Arguments are written as given. */
  rule(...args: (string | readonly string[])[]): void {
    this.ruleLines.push(args.flat().join(' '));
  }

  text(): string {
    return [`*${this.table}`, ...this.chainLines, ...this.ruleLines, 'COMMIT', ''].join('\n');
  }
}
