/**
 * Adding devices from the console, as the route table (console-api.ts) uses it: the enrolment
 * tokens an administrator makes, lists and revokes, and the one-line commands that enrol a device
 * with one, for Linux and for Windows (shown beside the token, both once). No Node imports: pages
 * import this.
 */
import { z } from 'zod';
import { MAX_ENROLMENT_USES } from './agent-protocol.js';
import { Name } from './names.js';

/**
 * The enrolment tokens an administrator made for adding devices (the relay keeps only their MAC:
 * a token is shown once, when made). `usable` until used up, expired or revoked.
 */
export const ListedEnrolmentToken = z.object({
  id: z.string(),
  environmentId: z.string(),
  reportGroup: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  uses: z.number().int(),
  /** null: any number (tokens from before uses were counted). */
  maxUses: z.number().int().nullable(),
  state: z.enum(['usable', 'used-up', 'expired', 'revoked']),
});
export type ListedEnrolmentToken = z.infer<typeof ListedEnrolmentToken>;
/** POST /console/api/enrolment-tokens (admin only). */
export const NewEnrolmentTokenRequest = z.object({
  reportGroup: Name,
  days: z.number().int().min(1, 'from 1 to 365 days').max(365, 'from 1 to 365 days').default(7),
  uses: z
    .number()
    .int()
    .min(1, `from 1 to ${MAX_ENROLMENT_USES} devices`)
    .max(MAX_ENROLMENT_USES, `from 1 to ${MAX_ENROLMENT_USES} devices`)
    .default(1),
});
/** The token, shown once, and the one-line commands that enrol a device with it (enrol-commands.ts). */
export const NewEnrolmentTokenResponse = z.object({
  enrolmentToken: ListedEnrolmentToken,
  token: z.string(),
  relayUrl: z.string(),
  commands: z.object({ linux: z.string(), windows: z.string() }),
});
export type NewEnrolmentTokenResponse = z.infer<typeof NewEnrolmentTokenResponse>;

/** The "Add devices" routes (admin only), spread into the console's route table (CONSOLE_ROUTES). */
export const ENROLMENT_ROUTES = {
  enrolmentTokens: {
    method: 'GET',
    path: '/enrolment-tokens',
    access: 'admin',
    response: z.object({ enrolmentTokens: z.array(ListedEnrolmentToken) }),
  },
  createEnrolmentToken: {
    method: 'POST',
    path: '/enrolment-tokens',
    access: 'admin',
    body: NewEnrolmentTokenRequest,
    what: 'enrolment token',
    status: 201,
    response: NewEnrolmentTokenResponse,
  },
  /** Devices enrolled with it stay enrolled; 404 when there is no such token, or it was revoked already. */
  revokeEnrolmentToken: {
    method: 'DELETE',
    path: '/enrolment-tokens/:id',
    access: 'admin',
    params: z.object({ id: z.string().min(1).max(64) }),
    response: z.object({}),
  },
} as const;

/**
 * The commands an administrator runs on a device to enrol it, in a flxra checkout there (the
 * agent's recipe in the README: the agent is a plain Node program, built to out/agent/cli.mjs).
 * The token goes in on standard input (`--enroll-file -`), never as an argument, where every user
 * of the machine could read it in the process list: `printf` is the shell's own, and PowerShell
 * pipes its string itself. Linux: `npm run agent` (it installs and builds what is missing first);
 * Windows: the built agent with node (npm's pre-step there needs bash), from an administrator's
 * PowerShell (the service's state is under %ProgramData%).
 */
export function enrolCommands(relayUrl: string, token: string): { linux: string; windows: string } {
  const relay = quoted(relayUrl);
  const secret = quoted(token);
  return {
    linux: `printf %s ${secret} | npm run agent -- --relay ${relay} --enroll-file -`,
    windows: `${secret} | node out\\agent\\cli.mjs --relay ${relay} --enroll-file -`,
  };
}

/**
 * In single quotes, which both sh and PowerShell take literally (a quote inside would need sh's
 * '\'' or PowerShell's '', which differ: none is allowed).
 */
function quoted(text: string): string {
  if (text.includes("'")) throw new Error('a quote cannot be put in an enrolment command');
  return `'${text}'`;
}
