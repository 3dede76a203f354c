/**
 * The console's accounts in its API (console-api.ts has the route table): the first admin's setup,
 * signing in, who is signed in, and the users an administrator adds, lists and changes.
 */
import { z } from 'zod';
import { TotpCode } from './console-security.js';
import { Password } from './console-passwords.js';
import { Name } from './names.js';
import { Role } from './policy.js';

/** Letters, digits, dot, dash, underscore; compared without regard to case. */
export const Username = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'a username is 1 to 64 letters, digits, dots, dashes or underscores');

/** GET /console/api/setup: whether the first admin is still to be made (the page then asks for the link). */
export const SetupState = z.object({ needed: z.boolean() });
export type SetupState = z.infer<typeof SetupState>;

/**
 * POST /console/api/setup/check: whether a setup link's token is the live one, checked as the
 * page opens and without using it up (403 invalid-setup-token, 410 setup-done); throttled by
 * address like sign-ins.
 */
export const SetupCheckRequest = z.object({ setupToken: z.string().min(1).max(256) });

/**
 * POST /console/api/setup: the one-time link printed at the relay's first start makes the first
 * admin, and with it the operator identity (name, organisation) the user at a device is shown.
 */
export const SetupRequest = z.object({
  setupToken: z.string().min(1).max(256),
  username: Username,
  name: Name,
  organisation: Name,
  password: Password,
});

/**
 * POST /console/api/login. A user with a second factor also sends its current code: without one
 * the answer is 401 `second-factor-required` (the page then asks for it and sends both again).
 */
export const LoginRequest = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
  code: TotpCode.optional(),
});
export const ConsoleUser = z.object({ username: z.string(), name: z.string(), role: Role, operatorId: z.string() });
export type ConsoleUser = z.infer<typeof ConsoleUser>;
export const LoginResponse = z.object({
  user: ConsoleUser,
  csrfToken: z.string(),
  /** An administrator requires a second factor and this user has none: only its setup is open. */
  secondFactorSetupNeeded: z.boolean(),
  /** An administrator reset this user's password: only its change is open until they choose one. */
  passwordChangeNeeded: z.boolean(),
});
export type LoginResponse = z.infer<typeof LoginResponse>;
/** Setup signs the new admin in; the token for the flxra app of its new operator identity is shown once. */
export const SetupResponse = LoginResponse.extend({ operatorToken: z.string() });
export type SetupResponse = z.infer<typeof SetupResponse>;
/** The header carrying the sign-in answer's csrfToken on every state-changing call. */
export const CSRF_HEADER = 'x-flxra-csrf';

/**
 * POST /console/api/users (admin only). With operatorId the user acts as that existing operator
 * (who already has the app's token); without, a new operator identity is made in the creating
 * admin's organisation and its app token is answered once.
 */
export const NewUserRequest = z.object({
  username: Username,
  name: Name,
  role: Role,
  password: Password,
  operatorId: z.string().min(1).max(64).optional(),
});
export const NewUserResponse = z.object({ user: ConsoleUser, operatorToken: z.string().optional() });
/** GET /console/api/users (admin only): each user, and whether they have a second factor. */
export const ListedConsoleUser = ConsoleUser.extend({ secondFactor: z.boolean(), passwordChangeNeeded: z.boolean() });
export type ListedConsoleUser = z.infer<typeof ListedConsoleUser>;
export type NewUserResponse = z.infer<typeof NewUserResponse>;

/**
 * PATCH /console/api/users/:username { role } (admin only): answers { user }. DELETE
 * /console/api/users/:username (admin only): answers {} and ends that user's console sessions;
 * their operator identity stays in the operator registry. Refused with 409: the only admin (to
 * remove or make an operator), and an admin's own account ("ask another administrator").
 */
export const UserRoleRequest = z.object({ role: Role });
export const ChangedUserResponse = z.object({ user: ConsoleUser });
export type ChangedUserResponse = z.infer<typeof ChangedUserResponse>;
