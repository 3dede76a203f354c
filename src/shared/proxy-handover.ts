/**
 * How a host the agent starts gets the password of the agent's explicit proxy (`Proxy_Url`),
 * which only the agent holds (its keychain): over a pipe only the two share, the child's file
 * descriptor 3 (the spawn's fourth stdio entry), never argv, never the environment, never a file.
 * The agent writes one line of JSON and closes its end; the host reads it at start, before its
 * proxy resolution, and keeps it in memory for its own connections, for answering Chromium's
 * proxy sign-in and for the request made before peers exist. FLXRA_PROXY_HANDOVER_FD says which
 * descriptor to read (it carries no secret); a host without it was not handed anything.
 * The decision and its trade-off: docs/security.md, "The proxy password and the hosts".
 */
import { z } from 'zod';

/** The environment variable naming the descriptor the handover comes on. */
export const PROXY_HANDOVER_FD_ENV = 'FLXRA_PROXY_HANDOVER_FD';

/** The child's descriptor the agent writes to (stdio[3]). */
export const PROXY_HANDOVER_FD = 3;

/** What is handed: the proxy as the host's FLXRA_PROXY_URL names it (user, no password), and the password. */
export const ProxyHandover = z
  .object({
    v: z.literal(1),
    /** `http(s)://user@host:port`, as `hostProxySetting` gives the host. */
    proxy: z.string().min(1).max(2000),
    password: z.string().min(1).max(1000),
  })
  .strict();
export type ProxyHandover = z.infer<typeof ProxyHandover>;
