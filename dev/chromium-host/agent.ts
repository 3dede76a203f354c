/**
 * The development build of the device agent (out/dev/agent.mjs): the product's agent, unchanged,
 * with one more way to start hosts, `--launcher chromium`, the host page in Debian's Chromium
 * where Electron cannot run (tests, the demo); without `--launcher` it is chosen by itself when
 * the app is not installed (src/agent/launcher-choice.ts). FLXRA_DEV_MACHINE_IDENTITY (64 hex
 * digits) stands for another machine than the one it runs on. It needs the checkout and its
 * devDependencies.
 */
import { createElectronLauncher } from '../../src/agent/launcher/electron.js';
import { runAgent } from '../../src/agent/main.js';
import { createChromiumLauncher } from './launcher.js';

// Tests run many agents on one machine: each stands for a machine of its own when given one here.
const machineIdentity = process.env.FLXRA_DEV_MACHINE_IDENTITY;

runAgent(
  process.argv.slice(2),
  {
    electron: (args, log, proxyHandover) =>
      createElectronLauncher({ executable: args.app, log, ...(proxyHandover ? { proxyHandover } : {}) }),
    chromium: (_args, log, proxyHandover) =>
      createChromiumLauncher({ log, ...(proxyHandover ? { proxyHandover } : {}) }),
  },
  machineIdentity ? { read: () => Promise.resolve(machineIdentity) } : undefined,
);
