/**
 * How an operator opens an assistance on the rigs, as a person does: the relay's `.flxra` file
 * saved as the browser would download it, handed to the operator app's file-open handler, and,
 * the first time, the relay's key trusted on its fingerprint, compared with the one the relay
 * publishes (the operator reading both). Shared by the end-to-end tests of both rigs
 * (session-rig.ts, agent-rig.ts).
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RELAY_KEYS_PATH, type AssistanceResponse } from '../../src/shared/relay-api.js';
import type { RigOperator } from './rig-operator.js';

/** The activation file as a download lands: in `dir` (a fresh folder by default); its path. */
export async function saveActivation(response: AssistanceResponse, dir?: string): Promise<string> {
  const folder = dir ?? (await mkdtemp(path.join(os.tmpdir(), 'flxra-downloads-')));
  const file = path.join(folder, response.activation.fileName);
  await writeFile(file, response.activation.content);
  return file;
}

/** The operator app asks to trust the relay's key: its fingerprint is the relay's published one, and it is trusted. */
export async function trustRelayKey(operator: RigOperator, relayUrl: string): Promise<void> {
  const page = operator.page;
  await page.getByTestId('trust-relay').waitFor();
  const published = (await (await fetch(`${relayUrl}${RELAY_KEYS_PATH}`)).json()) as {
    keys: Array<{ fingerprint: string }>;
  };
  assert.equal(await page.getByTestId('fingerprint').textContent(), published.keys[0]!.fingerprint);
  await page.getByRole('button', { name: 'The fingerprints match: trust it' }).click();
}

/**
 * Opens the assistance in the operator app from its file, trusting the relay's key if the app
 * asks (it does the first time). Resolves once the app has taken the file (then it waits for
 * the user's consent, or asks for the password); returns the file's path (the app deletes the
 * file once its session ends).
 */
export async function openActivation(
  operator: RigOperator,
  relayUrl: string,
  response: AssistanceResponse,
  opts: { dir?: string } = {},
): Promise<string> {
  const file = await saveActivation(response, opts.dir);
  await operator.controller.openFile(file);
  if (operator.controller.state.status === 'trust-relay') await trustRelayKey(operator, relayUrl);
  return file;
}
