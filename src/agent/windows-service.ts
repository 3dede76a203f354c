/**
 * How the agent runs as a Windows service, as data: node.exe cannot answer the Service Control
 * Manager itself (a service started as plain `node.exe cli.mjs` is killed with error 1053), so a
 * WinSW v2 wrapper (MIT licence, a single .exe renamed flxra-agent-service.exe beside its XML) is
 * the host process that speaks the SCM protocol and starts node.exe. This module produces that
 * XML and the command vectors an installer runs: LocalSystem, automatic delayed start, restart on
 * failure with a growing delay, logs under %ProgramData%\flxra\agent\logs. The agent keeps its
 * one outbound connection: nothing here opens a port or a firewall rule.
 */
import path from 'node:path';

export const SERVICE_ID = 'flxra-agent';
export const SERVICE_NAME = 'flxra agent';

export interface WindowsServiceLayout {
  /** The install folder, e.g. C:\Program Files\flxra\agent (node.exe, cli.mjs, the wrapper). */
  installDir: string;
  /** %ProgramData%, normally C:\ProgramData. */
  programData: string;
}

export function servicePaths(layout: WindowsServiceLayout) {
  const data = path.win32.join(layout.programData, 'flxra');
  return {
    wrapper: path.win32.join(layout.installDir, `${SERVICE_ID}-service.exe`),
    wrapperXml: path.win32.join(layout.installDir, `${SERVICE_ID}-service.xml`),
    node: path.win32.join(layout.installDir, 'node.exe'),
    agent: path.win32.join(layout.installDir, 'cli.mjs'),
    config: path.win32.join(data, 'agent.json'),
    stateDir: path.win32.join(data, 'agent'),
    logDir: path.win32.join(data, 'agent', 'logs'),
  };
}

/** Restarts after a failure: 10 s, then 60 s, then every 5 minutes; the count resets after a day up. */
export const RESTART_DELAYS_S = [10, 60, 300] as const;
export const FAILURE_RESET_S = 86_400;

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A Windows command-line argument as CommandLineToArgvW reads it back (quotes when needed). */
export function quoteWindowsArg(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let slashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      slashes++;
      continue;
    }
    if (ch === '"') out += '\\'.repeat(slashes * 2 + 1) + '"';
    else out += '\\'.repeat(slashes) + ch;
    slashes = 0;
  }
  return `${out}${'\\'.repeat(slashes * 2)}"`;
}

/** The arguments node.exe gets from the wrapper (the relay and token come from the stored state). */
export function agentServiceArgs(layout: WindowsServiceLayout): string[] {
  const p = servicePaths(layout);
  return [p.agent, '--state-dir', p.stateDir, '--config', p.config];
}

/** The wrapper's XML (WinSW v2 schema). */
export function winswXml(layout: WindowsServiceLayout): string {
  const p = servicePaths(layout);
  const args = agentServiceArgs(layout).map(quoteWindowsArg).join(' ');
  const failures = RESTART_DELAYS_S.map((s) => `  <onfailure action="restart" delay="${s} sec"/>`);
  return [
    '<service>',
    `  <id>${SERVICE_ID}</id>`,
    `  <name>${SERVICE_NAME}</name>`,
    '  <description>flxra device agent: one outbound connection to the relay; listens on no port.</description>',
    `  <executable>${xmlEscape(p.node)}</executable>`,
    `  <arguments>${xmlEscape(args)}</arguments>`,
    '  <startmode>Automatic</startmode>',
    '  <delayedAutoStart>true</delayedAutoStart>',
    '  <serviceaccount><username>LocalSystem</username></serviceaccount>',
    ...failures,
    `  <resetfailure>${FAILURE_RESET_S} sec</resetfailure>`,
    '  <stoptimeout>15 sec</stoptimeout>',
    `  <logpath>${xmlEscape(p.logDir)}</logpath>`,
    '  <log mode="roll-by-size"><sizeThreshold>10240</sizeThreshold><keepFiles>5</keepFiles></log>',
    '</service>',
    '',
  ].join('\n');
}

export type Command = readonly string[];

/** What an installer runs, in order, as argument vectors (no shell: paths with spaces stay whole). */
export function serviceCommands(layout: WindowsServiceLayout) {
  const p = servicePaths(layout);
  const failureActions = RESTART_DELAYS_S.map((s) => `restart/${s * 1000}`).join('/');
  return {
    install: [
      [p.wrapper, 'install'],
      // WinSW writes the same; sc.exe repeats it so the SCM's own record is checked by `sc qfailure`.
      ['sc.exe', 'failure', SERVICE_ID, `reset=`, String(FAILURE_RESET_S), `actions=`, failureActions],
      ['sc.exe', 'config', SERVICE_ID, 'start=', 'delayed-auto'],
    ] as Command[],
    start: [[p.wrapper, 'start']] as Command[],
    stop: [[p.wrapper, 'stop']] as Command[],
    /** Stop, replace node.exe/cli.mjs (the XML and the state stay), start. */
    upgrade: [
      [p.wrapper, 'stop'],
      [p.wrapper, 'start'],
    ] as Command[],
    uninstall: [
      [p.wrapper, 'stop'],
      [p.wrapper, 'uninstall'],
    ] as Command[],
    /** The ACL on %ProgramData%\flxra\agent: SYSTEM and Administrators only, no inheritance. */
    aclState: [
      ['icacls.exe', p.stateDir, '/inheritance:r', '/grant:r', '*S-1-5-18:(OI)(CI)F', '*S-1-5-32-544:(OI)(CI)F'],
    ] as Command[],
  };
}
