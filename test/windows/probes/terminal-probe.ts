/**
 * Under Wine's node.exe: the tools panel's Windows terminal backend (src/platform/tools/terminal/windows.ts,
 * cmd.exe through node-pty) opens a CMD terminal, types the test's lines, resizes it and lets it exit, and reports
 * what the operator would have seen: the output, the answers, how the shell ended. Mode "conpty" forces node-pty's
 * ConPTY path instead, to show what it does under Wine. test/windows/terminal-wine.test.ts checks both.
 */
import { release } from 'node:os';
import {
  conptyAvailable,
  createWindowsTerminalBackend,
  runningUnderWine,
} from '../../../src/platform/tools/terminal/windows.js';
import { probe } from '../../../dev/wine/probe.js';

const until = (what: () => boolean, ms: number) =>
  new Promise<boolean>((resolve) => {
    const started = Date.now();
    const tick = setInterval(() => {
      if (what() || Date.now() - started > ms) {
        clearInterval(tick);
        resolve(what());
      }
    }, 25);
  });

/** Output as the operator reads it: without the terminal's escape sequences. */
// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\u001b\][^\u0007]*\u0007|\u001b\[[0-9;?]*[A-Za-z]/g, '');

interface Input {
  mode: 'winpty' | 'conpty';
  line: string;
  waitMs: number;
}

probe(async (input: Input) => {
  const answer = await session(input);
  // node-pty's threads keep a Windows Node alive after its shell has gone: end once the answer is written.
  setTimeout(() => process.exit(0), 300).unref();
  return answer;
});

async function session(input: Input) {
  const wine = await runningUnderWine();
  const backend = createWindowsTerminalBackend(input.mode === 'conpty' ? { useConpty: true } : {});
  const opened = await backend.open({ slot: 'cmd', account: { kind: 'agent' }, cols: 80, rows: 24 });
  const chosen = {
    release: release(),
    wine,
    conptyByRelease: conptyAvailable(release()),
    conpty: conptyAvailable(release(), wine),
  };
  if (!opened.ok) return { ...chosen, opened };
  const term = opened.value;
  let output = '';
  term.onData((d) => (output += d));
  let ended: unknown;
  term.onExit((e) => (ended = e));
  const atPrompt = () => /C:\\>\s*$/.test(plain(output));
  if (input.mode === 'conpty') {
    await until(() => ended !== undefined || atPrompt(), input.waitMs);
    return { ...chosen, prompt: atPrompt(), ended, output: plain(output) };
  }
  const prompt = await until(atPrompt, input.waitMs);
  const typed = term.write('echo hello from %OS%\r');
  await until(() => /\nhello from Windows_NT/.test(plain(output)), input.waitMs);
  const mark = () => output.length;
  // A line longer than 80 columns, before and after widening to 100: winpty wraps what no longer fits.
  const narrowFrom = mark();
  term.write(`echo ${input.line}\r`);
  await until(() => /C:\\>\s*$/.test(plain(output.slice(narrowFrom))), input.waitMs);
  const narrow = plain(output.slice(narrowFrom));
  const resized = term.resize(100, 30);
  const badResize = term.resize(1, 1);
  const wideFrom = mark();
  term.write(`echo ${input.line}\r`);
  await until(() => /C:\\>\s*$/.test(plain(output.slice(wideFrom))), input.waitMs);
  const wide = plain(output.slice(wideFrom));
  term.write('exit 7\r');
  await until(() => ended !== undefined, input.waitMs);
  const afterExit = term.write('echo too late\r');
  return {
    ...chosen,
    pid: term.pid,
    account: term.account,
    prompt,
    typed,
    narrow,
    resized,
    badResize,
    wide,
    ended,
    afterExit,
    output: plain(output),
  };
}
