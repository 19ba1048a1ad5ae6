// Runs a componentCommand whose component holds no handle of its own (as a standby replica), for the tests.
// argv: KUBECONFIG
import { componentCommand } from '../component-command.js';

const [kubeconfig = ''] = process.argv.slice(2);
const command = componentCommand({
  name: 'fixture',
  summary: 'test fixture',
  description: 'test fixture',
  start() {
    process.stdout.write('READY\n');
    return Promise.resolve({ stop: () => Promise.resolve(void process.stdout.write('STOPPED\n')) });
  },
});
const io = { stdout: () => {}, stderr: () => {}, env: {}, uid: 1000, home: '', cwd: '' };
process.exitCode = await command.run({ kubeconfig, 'log-level': 'error' }, io);
