/**
 * The device agent as it ships: plain Node, run as a service (`npm run agent -- --relay <url>
 * --enroll-file <token file>` the first time; see agent-args.ts), starting hosts as the installed
 * flxra app.
 */
import { createElectronLauncher } from './launcher/electron.js';
import { runAgent } from './main.js';

runAgent(process.argv.slice(2), {
  electron: (args, log, proxyHandover) =>
    createElectronLauncher({ executable: args.app, log, ...(proxyHandover ? { proxyHandover } : {}) }),
});
