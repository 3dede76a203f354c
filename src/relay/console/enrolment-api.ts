/**
 * The console's "Add devices" routes (handlers of the route table, dispatched by routes.ts): an
 * administrator makes enrolment tokens (the relay's own, agents/enrolment-tokens.ts, as `relay
 * enrolment create` makes them), lists them with what is left of each, and revokes them. The
 * token is answered once, with the commands that enrol a device with it; neither is logged or
 * audited. (Renaming a device is api.ts's, beside its removal.)
 */
import { enrolCommands } from '../../shared/console-enrolment.js';
import type { ConsoleUser } from '../../shared/console-api.js';
import type { EnrolmentTokens } from '../agents/enrolment-tokens.js';
import type { AuditActor, AuditTrail } from '../audit/audit-trail.js';
import { ApiFailure } from '../http/json.js';
import type { ConsoleHandlers } from './routes.js';

const DAY_MS = 24 * 60 * 60_000;

export interface EnrolmentApiDeps {
  enrolment: EnrolmentTokens;
  /** The environment the relay serves: its tokens enrol devices into it. */
  environment: string;
  /** The address devices reach the relay at, named in the commands. */
  publicUrl: string;
  audit: AuditTrail;
}

type EnrolmentRoutes = 'enrolmentTokens' | 'createEnrolmentToken' | 'revokeEnrolmentToken';

const actor = (user: ConsoleUser): AuditActor => ({ kind: user.role, id: user.username, name: user.name });

export function enrolmentHandlers(deps: EnrolmentApiDeps): Pick<ConsoleHandlers, EnrolmentRoutes> {
  return {
    enrolmentTokens: () => ({ enrolmentTokens: deps.enrolment.list() }),

    createEnrolmentToken({ body: { reportGroup, days, uses } }, { signedIn: { user } }) {
      const issued = deps.enrolment.create({
        environmentId: deps.environment,
        reportGroup,
        lifetimeMs: days * DAY_MS,
        uses,
      });
      const listed = deps.enrolment.list().find((t) => t.id === issued.id);
      if (!listed) throw new Error(`enrolment token ${issued.id} was made but is not listed`);
      deps.audit.record({
        actor: actor(user),
        action: 'enrolment-token.created',
        result: 'ok',
        detail: { id: issued.id, reportGroup: issued.reportGroup, uses: String(uses), expires: issued.expiresAt },
      });
      const relayUrl = deps.publicUrl.replace(/\/+$/, '');
      return { enrolmentToken: listed, token: issued.token, relayUrl, commands: enrolCommands(relayUrl, issued.token) };
    },

    revokeEnrolmentToken({ params: { id } }, { signedIn: { user } }) {
      if (!deps.enrolment.revoke(id))
        throw new ApiFailure(404, 'not-found', `no enrolment token ${id} that is not revoked already`);
      deps.audit.record({ actor: actor(user), action: 'enrolment-token.revoked', result: 'ok', detail: { id } });
      return {};
    },
  };
}
