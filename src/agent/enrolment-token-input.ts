/**
 * Where the agent reads its enrolment token from: a file (`--enroll-file <file>`) or standard input
 * (`--enroll-file -`), so that the token never appears in the process list as an argument would.
 * The file holds the token alone (surrounding whitespace and a final newline are fine); from
 * standard input the first line is the token, so one typed at a terminal ends with Enter.
 */
import { readFile } from 'node:fs/promises';
import { EnrolmentProblem } from './enrolment.js';

/** The first line of a stream, or what it held before it ended. */
function firstLine(input: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (value: string) => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      input.pause();
      resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString();
      const end = text.indexOf('\n');
      // A token is under a hundred characters: a stream that says more without a newline is not one.
      if (end >= 0 || text.length > 4096) done(end >= 0 ? text.slice(0, end) : text);
    };
    const onEnd = () => done(text);
    const onError = (err: Error) => reject(err);
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('error', onError);
    input.resume();
  });
}

/** The token from `source` (a path, or `-` for `stdin`); an EnrolmentProblem says what is wrong. */
export async function readEnrolmentToken(source: string, stdin: NodeJS.ReadableStream): Promise<string> {
  const where = source === '-' ? 'standard input' : source;
  let text: string;
  try {
    text = source === '-' ? await firstLine(stdin) : await readFile(source, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new EnrolmentProblem(
      `cannot read the enrolment token from ${where} (${code ?? (err as Error).message}): pass the file the relay's ` +
        'administrator gave you with --enroll-file <file>, or - to read it from standard input',
    );
  }
  const token = text.trim();
  if (!token) throw new EnrolmentProblem(`no enrolment token in ${where}: it is empty`);
  if (/\s/.test(token))
    throw new EnrolmentProblem(`${where} must hold the enrolment token alone, on one line (it holds more)`);
  return token;
}
