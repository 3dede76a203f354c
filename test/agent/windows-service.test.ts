/**
 * The agent's Windows service configuration as data (src/agent/windows-service.ts): the WinSW
 * XML and the installer's argument vectors, with an install folder that has spaces in it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentServiceArgs, quoteWindowsArg, serviceCommands, winswXml } from '../../src/agent/windows-service.js';

const layout = { installDir: 'C:\\Program Files\\flxra\\agent', programData: 'C:\\ProgramData' };

test('node.exe gets the agent with the ProgramData state and config, no relay, no token', () => {
  assert.deepEqual(agentServiceArgs(layout), [
    'C:\\Program Files\\flxra\\agent\\cli.mjs',
    '--state-dir',
    'C:\\ProgramData\\flxra\\agent',
    '--config',
    'C:\\ProgramData\\flxra\\agent.json',
  ]);
});

test('paths with spaces, quotes and trailing backslashes are quoted as CommandLineToArgvW reads them', () => {
  assert.equal(quoteWindowsArg('C:\\x\\y'), 'C:\\x\\y');
  assert.equal(quoteWindowsArg('C:\\Program Files\\a'), '"C:\\Program Files\\a"');
  assert.equal(quoteWindowsArg('C:\\Program Files\\'), '"C:\\Program Files\\\\"');
  assert.equal(quoteWindowsArg('say "hi"'), '"say \\"hi\\""');
  assert.equal(quoteWindowsArg(''), '""');
});

test('the wrapper runs node.exe as LocalSystem, delayed automatic start, restarts with growing delays', () => {
  const xml = winswXml(layout);
  assert.match(xml, /<executable>C:\\Program Files\\flxra\\agent\\node\.exe<\/executable>/);
  assert.ok(
    xml.includes(
      '<arguments>&quot;C:\\Program Files\\flxra\\agent\\cli.mjs&quot; --state-dir C:\\ProgramData\\flxra\\agent --config C:\\ProgramData\\flxra\\agent.json</arguments>',
    ),
  );
  assert.match(xml, /<startmode>Automatic<\/startmode>/);
  assert.match(xml, /<delayedAutoStart>true<\/delayedAutoStart>/);
  assert.match(xml, /<username>LocalSystem<\/username>/);
  assert.deepEqual(
    [...xml.matchAll(/<onfailure action="restart" delay="(\d+) sec"\/>/g)].map((m) => Number(m[1])),
    [10, 60, 300],
  );
  assert.match(xml, /<logpath>C:\\ProgramData\\flxra\\agent\\logs<\/logpath>/);
  assert.doesNotMatch(xml.replace(/<description>.*<\/description>/, ''), /port|firewall|token|--relay/i);
});

test("the installer's commands are exact argument vectors", () => {
  const c = serviceCommands(layout);
  const wrapper = 'C:\\Program Files\\flxra\\agent\\flxra-agent-service.exe';
  assert.deepEqual(c.install, [
    [wrapper, 'install'],
    ['sc.exe', 'failure', 'flxra-agent', 'reset=', '86400', 'actions=', 'restart/10000/restart/60000/restart/300000'],
    ['sc.exe', 'config', 'flxra-agent', 'start=', 'delayed-auto'],
  ]);
  assert.deepEqual(c.start, [[wrapper, 'start']]);
  assert.deepEqual(c.uninstall, [
    [wrapper, 'stop'],
    [wrapper, 'uninstall'],
  ]);
  assert.deepEqual(c.aclState, [
    [
      'icacls.exe',
      'C:\\ProgramData\\flxra\\agent',
      '/inheritance:r',
      '/grant:r',
      '*S-1-5-18:(OI)(CI)F',
      '*S-1-5-32-544:(OI)(CI)F',
    ],
  ]);
});
