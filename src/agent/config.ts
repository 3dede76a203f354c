/**
 * The agent's configuration file: what the device's administrator decides on the device itself,
 * out of the relay's reach: whether control needs the verification words
 * (src/shared/verification-policy.ts, docs/security.md), which the agent hands to every host it
 * starts, and `Proxy_Url`, the explicit proxy to the relay (proxy-setting.ts: a password written
 * in it is moved to the keychain and the file rewritten without it). A device without the file
 * runs with the defaults; a file that cannot be read or has a mistake in it (an unknown key is
 * one: a misspelt setting must not quietly weaken the device) stops the agent, saying which file
 * and why.
 *
 *   { "verification": { "required": true, "unattended": "view" }, "Proxy_Url": "http://proxy.corp:8080" }
 *
 * Where it is: /etc/flxra/agent.json for the service (root), %ProgramData%\flxra\agent.json on
 * Windows, the user's config folder for an agent a user runs; `--config <file>` says otherwise.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_VERIFICATION, VerificationPolicy } from '../shared/verification-policy.js';

export const AgentConfig = z
  .object({
    verification: VerificationPolicy.default(DEFAULT_VERIFICATION),
    Proxy_Url: z.string().trim().min(1).optional(),
  })
  .strict();
export type AgentConfig = z.infer<typeof AgentConfig>;

export const DEFAULT_AGENT_CONFIG: AgentConfig = { verification: DEFAULT_VERIFICATION };

/** The configuration file is there but unusable: someone must fix it (exit code 3). */
export class AgentConfigProblem extends Error {}

export function defaultConfigPath(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (platform === 'win32') return path.win32.join(env.ProgramData ?? 'C:\\ProgramData', 'flxra', 'agent.json');
  if (process.getuid?.() === 0) return '/etc/flxra/agent.json';
  return path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'flxra', 'agent.json');
}

export async function readAgentConfig(file: string): Promise<AgentConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_AGENT_CONFIG;
    throw new AgentConfigProblem(`cannot read the configuration ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new AgentConfigProblem(`the configuration ${file} is not JSON: ${(err as Error).message}`);
  }
  const parsed = AgentConfig.safeParse(json);
  if (!parsed.success) throw new AgentConfigProblem(`the configuration ${file}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** How the agent says what it will ask of its hosts, once at start. */
export function describeVerification(policy: VerificationPolicy): string {
  if (!policy.required) return 'verification words: shown, not required';
  return `verification words: required before control (unattended: ${policy.unattended === 'view' ? 'view only without them' : 'control without them'})`;
}
