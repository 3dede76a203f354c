/**
 * The operator app's JSON calls to its relay's HTTP API (Ask again, redeeming a sign-in code):
 * only to a relay address flxra connects to (https, or http on this computer), with a timeout,
 * the answer checked against its schema, and every failure as a sentence for the operator.
 */
import type { z } from 'zod';
import { ApiError } from '../../shared/relay-api.js';
import { describeConnectionFailure } from '../../shared/relay-certificate.js';
import { secureRelayUrl } from '../../shared/relay-url.js';

export type RelayAnswer<T> = { ok: true; body: T } | { ok: false; status: number; code: string; message: string };

export async function postToRelay<S extends z.ZodType>(
  relay: string,
  path: string,
  body: unknown,
  answer: S,
  opts: { token?: string; timeoutMs?: number } = {},
): Promise<RelayAnswer<z.output<S>>> {
  const checked = secureRelayUrl(relay);
  if (!checked.ok) return { ok: false, status: 0, code: 'insecure-relay', message: checked.message };
  const origin = new URL(checked.url).origin;
  let response: Response;
  try {
    response = await fetch(`${origin}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      },
      body: JSON.stringify(body),
      redirect: 'error',
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
  } catch (err) {
    return {
      ok: false,
      status: 0,
      code: 'unreachable',
      message: `Cannot reach the relay at ${origin}: ${describeConnectionFailure(err)}`,
    };
  }
  const json: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = ApiError.safeParse(json);
    return error.success
      ? { ok: false, status: response.status, ...error.data.error }
      : { ok: false, status: response.status, code: 'http', message: `the relay answered ${response.status}` };
  }
  const parsed = answer.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      status: response.status,
      code: 'bad-answer',
      message: 'the relay sent an answer flxra does not understand',
    };
  return { ok: true, body: parsed.data };
}
