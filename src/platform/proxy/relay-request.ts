/**
 * HTTP requests to a relay through the way the proxy resolution chose, for every Node program:
 * the agent's (its enrolment, the wait for the relay before it: src/agent/relay-route.ts) and the
 * app's main process (the operator's JSON calls and the relay's published keys:
 * src/main/relay-route.ts): node:http(s) with the proxy's Node agent, which `fetch` cannot take.
 * A bounded wait, a bounded body, and the same errors Node's sockets give (readCertificateProblem
 * and describeConnectionFailure read them).
 */
import http, { type Agent } from 'node:http';
import https from 'node:https';

export interface RelayHttpAnswer {
  status: number;
  /** The body parsed as JSON; null when it is not JSON. */
  json: unknown;
}

export interface RelayHttpRequest {
  method?: 'GET' | 'POST';
  /** Sent as JSON. */
  body?: unknown;
  /** The proxy's agent; absent: direct. */
  agent?: Agent;
  /** More request headers (an operator's bearer token). */
  headers?: Record<string, string>;
  timeoutMs?: number;
}

const MAX_BODY = 256 * 1024;

export function relayRequest(url: URL, req: RelayHttpRequest = {}): Promise<RelayHttpAnswer> {
  const client = url.protocol === 'https:' ? https : http;
  const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
  const timeoutMs = req.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const request = client.request(url, {
      method: req.method ?? 'GET',
      headers: {
        ...req.headers,
        ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
      },
      ...(req.agent ? { agent: req.agent } : {}),
    });
    request.setTimeout(timeoutMs, () =>
      request.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
    );
    request.on('error', reject);
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY) return res.destroy(new Error('the relay answered with too large a body'));
        chunks.push(chunk);
      });
      res.on('error', reject);
      res.on('end', () => {
        let json: unknown = null;
        try {
          json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          // Not JSON: the caller says what it expected.
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    request.end(payload);
  });
}
