/**
 * The host page's part of file transfer: it only carries. Files the operator sends arrive on the files channel and
 * go to main chunk by chunk (main decides, writes and checks them: src/main/host/host-files.ts); files the operator
 * fetches are hashed and read by main and sent from here; the operator's folder listings are main's answers. The
 * user's Stop in the indicator (main says which) is told to the operator as a cancel.
 */
import type { FlxraApi } from '../../shared/api';
import type { FileChannelMessage } from '../../shared/file-transfer';
import { FileChannel, fromBase64, SourceError, toBase64 } from '../shared/file-channel';

export function hostFileChannel(api: FlxraApi): FileChannel {
  const files = api.host.files;
  const channel: FileChannel = new FileChannel(
    {
      offer: (offer) => files.offer(offer),
      chunk: (id, offset, bytes) => files.chunk(id, offset, toBase64(bytes)),
      done: (id) => files.done(id),
      cancel: (id, message) => files.cancel(id, message),
    },
    (m) => void fromOperator(m),
    () => void files.paused().catch(() => undefined),
  );

  const fromOperator = async (m: FileChannelMessage) => {
    if (m.t === 'list') {
      const r = await files.list(m.path).catch(() => null);
      channel.write(
        r?.ok
          ? { t: 'listing', req: m.req, listing: r.listing }
          : { t: 'list-failed', req: m.req, message: r?.message ?? 'The device did not answer.' },
      );
    } else if (m.t === 'fetch') {
      const r = await files.fetch(m.id, channel.allocate(), m.path).catch(() => null);
      if (!r?.ok) {
        channel.write({
          t: 'refuse',
          id: m.id,
          code: r?.code ?? 'failed',
          message: r?.message ?? 'The device did not answer.',
        });
        return;
      }
      const { id } = r.offer;
      channel.send(
        r.offer,
        {
          read: async (offset, length) => {
            const read = await files.read(id, offset, length);
            if (!read.ok) throw new SourceError(read.code, read.message);
            return fromBase64(read.base64);
          },
        },
        {
          progress: () => undefined, // main counts what it read, for the indicator
          ended: (outcome) =>
            void (
              outcome.code === 'cancelled'
                ? files.cancel(id, outcome.message)
                : files.fetched(id, outcome.ok, outcome.message)
            ).catch(() => undefined),
        },
      );
    }
  };

  files.onStopped(({ id, message }) => channel.cancel(id, message));
  return channel;
}
