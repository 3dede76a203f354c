/**
 * The agent's non-secret state: which relay it enrolled with and as which device. Its credential
 * is not in this file but in the OS keychain, or, without one, in the owner-only credentials.json
 * beside it (credentials.ts): whoever can read agent.json learns the device id, not how to act as
 * the device.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

export const AgentState = z.object({
  relayUrl: z.string().url(),
  deviceId: z.string().min(1),
  environmentId: z.string(),
  reportGroup: z.string(),
  /** ISO 8601. */
  enrolledAt: z.string(),
});
export type AgentState = z.infer<typeof AgentState>;

const STATE_FILE = 'agent.json';

/**
 * A service's state lives with the system (/var/lib, %ProgramData%); an agent run by a user
 * (tests, a trial) keeps it in that user's state directory.
 */
export function defaultStateDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (platform === 'win32') return path.win32.join(env.ProgramData ?? 'C:\\ProgramData', 'flxra', 'agent');
  if (process.getuid?.() === 0) return '/var/lib/flxra-agent';
  return path.join(env.XDG_STATE_HOME ?? path.join(os.homedir(), '.local', 'state'), 'flxra-agent');
}

/** The state, or null when the agent has not enrolled yet; a damaged file is an error, not "not enrolled". */
export async function readAgentState(dir: string): Promise<AgentState | null> {
  let text: string;
  try {
    text = await readFile(path.join(dir, STATE_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const parsed = AgentState.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${path.join(dir, STATE_FILE)} is damaged: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Written whole or not at all (a crash mid-write must not leave half a file), readable by the agent's user only. */
export async function writeAgentState(dir: string, state: AgentState): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, STATE_FILE);
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  await rename(partial, file);
}
