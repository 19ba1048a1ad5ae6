/** Whether this host can run the service proxy: root, and the iptables and sysctl commands it runs. */
import { localRunner, type CommandRunner } from './command-runner.js';

const CHECKS: [argv: string[], pkg: string][] = [
  [['iptables', '--version'], 'iptables'],
  [['iptables-save', '--version'], 'iptables'],
  [['iptables-restore', '--version'], 'iptables'],
  [['sysctl', '-n', 'net.ipv4.ip_forward'], 'procps'],
];

/** Why the proxy cannot run here, or undefined when it can. */
export async function serviceProxyUnavailable(
  runner: CommandRunner = localRunner,
  uid: number | undefined = process.getuid?.(),
): Promise<string | undefined> {
  if (uid !== 0) return 'needs root to write iptables rules';
  for (const [argv, pkg] of CHECKS) {
    const result = await runner.run(argv).catch((err: NodeJS.ErrnoException) => err);
    if (result instanceof Error) {
      return result.code === 'ENOENT' ? `${argv[0]} not found (apt-get install ${pkg})` : result.message;
    }
    if (result.code !== 0) return `${argv.join(' ')} failed: ${(result.stderr || result.stdout).trim()}`;
  }
  return undefined;
}
