/**
 * The relay's settings for assistances (names in the activation files, lifetimes, password
 * cost), in a module of their own so that every part of the assistance layer (creation,
 * opening, the host's place, ending) can take the few it needs without importing the service
 * that wires them.
 */
import { ActivationClaims } from '../../shared/activation-file.js';
import type { ScryptParams } from '../store/store.js';
import { summarizeIssues } from '../validate.js';

export interface AssistanceSettings {
  /** The relay's URL as operators' apps reach it: the `relay` claim. */
  publicUrl: string;
  /** The `env` claim. */
  environment: string;
  /** The `iss` claim. */
  relayName: string;
  /** How long an activation file is accepted after it is issued. */
  activationLifetimeMs: number;
  /** How long after the operator's connection ends the assistance expires. */
  graceMs: number;
  /** How long an assistance's host has to come back after its connection dropped (default 60 s). */
  hostGraceMs: number;
  /** How long an assistance nobody was admitted to lives. */
  unconnectedLifetimeMs: number;
  /** Cost of the password hashes. */
  scrypt: ScryptParams;
}

/**
 * Refuses, before the relay starts, names that would make every activation file invalid
 * (the app checks the claims against the same schema). The public URL may be unknown yet.
 */
export function checkActivationNames(names: { publicUrl?: string; environment: string; relayName: string }): void {
  const schema = ActivationClaims.pick({ relay: true, env: true, iss: true }).partial({ relay: true });
  const checked = schema.safeParse({ relay: names.publicUrl, env: names.environment, iss: names.relayName });
  if (!checked.success)
    throw new Error(`invalid relay settings for activation files (${summarizeIssues(checked.error)})`);
}
