/**
 * The operator app's JSON calls to its relay's HTTP API (Ask again, redeeming a sign-in code):
 * only to a relay address flxra connects to (https, or http on this computer), through the way the
 * app's proxy resolution chose for it (relay-route.ts; a proxy's refusal sends nothing), with a
 * timeout, the answer checked against its schema, and every failure as a sentence for the operator.
 */
import type { z } from 'zod';
import { relayRequest, type RelayHttpAnswer } from '../../platform/proxy/relay-request.js';
import { tunnelTo, type RelayRoutes } from '../relay-route.js';
import { ApiError } from '../../shared/relay-api.js';
import { describeConnectionFailure } from '../../shared/relay-certificate.js';
import { secureRelayUrl } from '../../shared/relay-url.js';

export type RelayAnswer<T> = { ok: true; body: T } | { ok: false; status: number; code: string; message: string };

export async function postToRelay<S extends z.ZodType>(
  relay: string,
  path: string,
  body: unknown,
  answer: S,
  opts: { token?: string; timeoutMs?: number; routes?: RelayRoutes } = {},
): Promise<RelayAnswer<z.output<S>>> {
  const checked = secureRelayUrl(relay);
  if (!checked.ok) return { ok: false, status: 0, code: 'insecure-relay', message: checked.message };
  const origin = new URL(checked.url).origin;
  const tunnel = await tunnelTo(opts.routes, origin);
  if (!tunnel.ok) return { ok: false, status: 0, code: 'proxy-refused', message: tunnel.message };
  let response: RelayHttpAnswer;
  try {
    response = await relayRequest(new URL(`${origin}${path}`), {
      method: 'POST',
      body,
      ...(opts.token ? { headers: { authorization: `Bearer ${opts.token}` } } : {}),
      ...(tunnel.agent ? { agent: tunnel.agent } : {}),
      timeoutMs: opts.timeoutMs ?? 10_000,
    });
  } catch (err) {
    return {
      ok: false,
      status: 0,
      code: 'unreachable',
      message: `Cannot reach the relay at ${origin}: ${describeConnectionFailure(err)}`,
    };
  }
  const { status, json } = response;
  if (status < 200 || status >= 300) {
    const error = ApiError.safeParse(json);
    return error.success
      ? { ok: false, status, ...error.data.error }
      : { ok: false, status, code: 'http', message: `the relay answered ${status}` };
  }
  const parsed = answer.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      status,
      code: 'bad-answer',
      message: 'the relay sent an answer flxra does not understand',
    };
  return { ok: true, body: parsed.data };
}
