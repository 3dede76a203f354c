/**
 * The Windows side of a Wine run (dev/wine/wine-session.ts): a script bundled for the Windows
 * node.exe calls `probe(fn)`; fn gets the test's input and its result (or its error) is written
 * as JSON to the file the session reads. Nothing goes through stdio, which Wine's Node cannot
 * use when it is a Linux pipe.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export function probe<I, O>(fn: (input: I) => O | Promise<O>): void {
  const [inputFile, outputFile] = process.argv.slice(2);
  if (!inputFile || !outputFile) throw new Error('probe: usage node.exe <script> <input.json> <output.json>');
  const write = (result: { ok: boolean; value?: O; error?: string }) =>
    writeFileSync(outputFile, JSON.stringify(result));
  (async () => {
    const input = JSON.parse(readFileSync(inputFile, 'utf8')) as I;
    write({ ok: true, value: await fn(input) });
  })().catch((err: unknown) => {
    write({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exitCode = 1;
  });
}
