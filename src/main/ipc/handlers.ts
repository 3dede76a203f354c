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
    'host:keep-view-only': () => host().keepViewOnly(),
    'host:end': () => host().end(),
    'host:decline': () => host().decline(),
    'host:signal': ({ signal }) => host().sendSignal(signal),
    'host:input': ({ event }) => host().handleInput(event),
    'host:displays': () => host().displays(),
    'host:view': ({ display }) => host().view.choose(display),
    'host:captured-display': () => host().view.capture.covers,
    'host:verification': (verification) => host().reportVerification(verification),
    'host:confirm-words': ({ words }) => host().confirmWords(words),
    'host:reject-words': () => host().rejectWords(),
    'host:close-tool': ({ toolId }) => host().closeTool(toolId),
    'host:chat-send': ({ text }) => host().assist.sendChat(text),
    'host:clipboard-in': ({ text }) => host().assist.toDevice(text),
    'host:clipboard-out': () => host().assist.fromDevice(),
    'host:clipboard-image-in': ({ png }) => host().assist.imageToDevice(png),
    'host:clipboard-share': ({ on }) => host().assist.share(on),
    'host:assist': () => host().assist.view,
    'host:file-offer': ({ offer }) => host().files.offerIn(offer),
    'host:file-chunk': ({ id, offset, base64 }) => host().files.chunkIn(id, offset, Buffer.from(base64, 'base64')),
    'host:file-done': ({ id }) => host().files.doneIn(id),
    'host:file-cancel': ({ id, message }) => host().files.cancel(id, message),
    'host:file-paused': () => host().files.paused(),
    'host:file-fetch': ({ id, n, path }) => host().files.fetch(id, path, n),
    'host:file-read': async ({ id, offset, length }) => {
      const read = await host().files.read(id, offset, length);
      return read.ok ? { ok: true, base64: Buffer.from(read.bytes).toString('base64') } : read;
    },
    'host:file-fetched': ({ id, ok, message }) => host().files.fetched(id, ok, message),
    'host:file-list': ({ path }) => host().files.listFolder(path),
    'host:file-stop': ({ id }) => host().files.stopByUser(id),
    'host:files': () => host().files.list,
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
    'operator:request-control': () => operator().viewer.requestControl(),
    'operator:secure-desktop-input': ({ input }) => operator().viewer.secureDesktopInput(input),
    'operator:secure-desktop-key': ({ code, down }) => operator().viewer.secureDesktopKey(code, down),
    'operator:save-notes': (notes) => operator().viewer.saveNotes(notes),
    'operator:chat-send': ({ text }) => operator().assist.send(text),
    'operator:assist': () => operator().assist.view,
    'operator:recording-chunk': (chunk) => operator().recording.upload(chunk),
    'operator:file-offer': ({ offer }) => operator().files.offer(offer),
    'operator:file-chunk': ({ id, offset, base64 }) =>
      operator().files.chunk(id, offset, Buffer.from(base64, 'base64')),
    'operator:file-done': ({ id }) => operator().files.done(id),
    'operator:file-cancel': ({ id }) => operator().files.cancel(id),
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
