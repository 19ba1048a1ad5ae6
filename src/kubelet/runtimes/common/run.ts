/** Helper commands (runc, ip, mount, CNI plugins) run as the rest of the project runs them. */
export {
  CommandError,
  run,
  signalNumber,
  type RunOptions,
  type RunResult,
} from '../../../util/run-command.js';
