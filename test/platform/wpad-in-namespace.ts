/**
 * Run by proxy-wpad-netns.test.ts inside a network namespace of its own (`ip netns exec`, which
 * bind-mounts the namespace's /etc/netns/<name>/hosts and resolv.conf over /etc's): a WPAD server
 * on 127.0.0.1:80 serving wpad.dat, a tinyproxy it names, and a stand-in relay. It runs the
 * platform's resolution as the agent does (no setting, no system proxy, WPAD's addresses from
 * this namespace's resolv.conf), makes one request to the relay through the route chosen, and
 * prints what happened as one JSON line.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { proxyAgentFor, resolveProxy } from '../../src/platform/proxy/index.js';
import { linuxWpadCandidates } from '../../src/platform/proxy/wpad.js';
import { relayRequest } from '../../src/platform/proxy/relay-request.js';
import { startTinyproxy } from '../fixtures/tinyproxy.js';

const proxy = await startTinyproxy();
const relay = http.createServer((_req, res) => res.end(JSON.stringify('relay answered')));
await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
const relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}/`;
const wpad = http.createServer((req, res) => {
  if (req.url !== '/wpad.dat') return res.writeHead(404).end();
  res
    .writeHead(200, { 'content-type': 'application/x-ns-proxy-autoconfig' })
    .end(`function FindProxyForURL(url, host) { return "PROXY 127.0.0.1:${proxy.port}"; }`);
});
await new Promise<void>((resolve) => wpad.listen(80, '127.0.0.1', resolve));

try {
  const candidates = await linuxWpadCandidates();
  const resolution = await resolveProxy({ relayUrl, system: { read: async () => null }, wpadUrls: candidates });
  const agent = resolution.ok ? proxyAgentFor(resolution) : undefined;
  const answer = await relayRequest(new URL(relayUrl), agent ? { agent } : {});
  console.log(
    JSON.stringify({
      candidates,
      resolution: resolution.ok ? { ok: true, choice: resolution.choice } : resolution,
      proxyUrl: proxy.url,
      answer: answer.json,
      connects: await proxy.connects(),
      relayTarget: new URL(relayUrl).host,
    }),
  );
} finally {
  await proxy.close();
  relay.close();
  wpad.close();
}
