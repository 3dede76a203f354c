/**
 * How a launched host receives its one-time token: in the environment, never on the command
 * line, which every user of the machine can read (/proc/<pid>/cmdline is world-readable, a
 * process's environment is not). The host takes it out at start-up, so the processes it starts
 * in turn (Electron's renderers, Chromium) do not inherit it.
 */
export const HOST_TOKEN_ENV = 'FLXRA_HOST_TOKEN';

/** The token, removed from `env`; undefined when this host was not started by the agent. */
export function takeHostToken(env: Record<string, string | undefined>): string | undefined {
  const token = env[HOST_TOKEN_ENV];
  delete env[HOST_TOKEN_ENV];
  return token || undefined;
}
