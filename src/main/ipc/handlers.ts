/**
 * The one table of IPC handlers (channel → handler). Electron's ipcMain and the tests' bridge
 * both serve it through `dispatchIpc`, which validates the channel, the sender and the payload
 * before any handler runs.
 */
import type { z } from 'zod';
import {
  channelRole,
  invokeChannels,
  isInvokeChannel,
  type InvokeChannel,
  type InvokeResult,
} from '../../shared/ipc.js';
import type { HostSession } from '../host/host-session.js';
import type { OperatorController } from '../operator/operator-controller.js';
import { senderRole, type SenderPolicy } from './sender.js';

type Handler<C extends InvokeChannel> = (
  payload: z.output<(typeof invokeChannels)[C]>,
) => InvokeResult<C> | Promise<InvokeResult<C>>;
export type IpcHandlers = { [C in InvokeChannel]: Handler<C> };

export class IpcError extends Error {}

/** The app runs one role at a time; the other role's channels answer that they are unavailable. */
export function createIpcHandlers(roles: { host?: HostSession; operator?: OperatorController }): IpcHandlers {
  const host = (): HostSession => {
    if (!roles.host) throw new IpcError('This app is not running as a host.');
    return roles.host;
  };
  const operator = (): OperatorController => {
    if (!roles.operator) throw new IpcError('This app is not running as an operator.');
    return roles.operator;
  };
  return {
    'host:get-state': () => host().state,
    'host:consent': ({ decision }) => host().answerConsent(decision),
    'host:set-mode': ({ mode }) => host().setMode(mode),
    'host:end': () => host().end(),
    'host:decline': () => host().decline(),
    'host:signal': ({ signal }) => host().sendSignal(signal),
    'host:input': ({ event }) => host().handleInput(event),
    'host:displays': () => host().displays(),
    'host:verification': (verification) => host().reportVerification(verification),
    'host:confirm-words': ({ words }) => host().confirmWords(words),
    'host:reject-words': () => host().rejectWords(),
    'host:close-tool': ({ toolId }) => host().closeTool(toolId),
    'operator:get-state': () => operator().state,
    'operator:join': ({ sessionId }) => operator().join(sessionId),
    'operator:leave': () => operator().leave(),
    'operator:signal': ({ signal }) => operator().sendSignal(signal),
    'operator:trust-relay': ({ trust }) => operator().trustRelay(trust),
    'operator:password': ({ password }) => operator().submitPassword(password),
    'operator:sign-in': ({ token }) => operator().signIn(token),
    'operator:confirm-sign-in': ({ yes }) => operator().confirmSignIn(yes),
    'operator:open-file': () => operator().pickFile(),
    'operator:open-dropped': ({ name, base64 }) => operator().openDropped(name, base64),
    'operator:open-console': () => operator().openConsole(),
    'operator:ask-again': () => operator().askAgain(),
    'operator:tool-request': ({ request }) => operator().tools.send(request),
    'operator:tools-available': () => operator().tools.available,
    'operator:save-export': ({ key, text }) => operator().saveExport(key, text),
    'operator:clipboard-write': ({ text }) => operator().writeClipboard(text),
    'operator:clipboard-read': () => operator().readClipboard(),
  };
}

/**
 * Validates and runs one invoke. `senderUrl` is the URL of the frame that sent it: only the
 * app's own pages may call, and each page only the channels of its role.
 */
export async function dispatchIpc(
  handlers: IpcHandlers,
  policy: SenderPolicy,
  channel: unknown,
  payload: unknown,
  senderUrl: string | undefined,
): Promise<unknown> {
  if (!isInvokeChannel(channel)) throw new IpcError(`Unknown IPC channel: ${String(channel).slice(0, 64)}`);
  const role = senderRole(policy, senderUrl);
  if (role === null) throw new IpcError(`IPC from an untrusted sender refused (${channel}).`);
  if (role !== channelRole(channel)) throw new IpcError(`The ${role} window may not use ${channel}.`);
  const parsed = invokeChannels[channel].safeParse(payload);
  if (!parsed.success)
    throw new IpcError(`Invalid payload for ${channel}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const handler = handlers[channel] as Handler<InvokeChannel>;
  return handler(parsed.data);
}
