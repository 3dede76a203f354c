/**
 * The indicator's clipboard and chat: the chat with the operator (the shared ChatPanel, with its unread mark), and
 * the user's switch to share this device's clipboard with the operator as it changes; off by default, refused with
 * the relay's reason where the policy does not allow it, and it stops by itself when the assistance ends.
 */
import { useState } from 'react';
import { ChatToggle, useAssistView } from '../shared/ChatPanel';

const getAssist = () => window.flxra.host.getAssist();
const onAssist = (cb: Parameters<typeof window.flxra.host.onAssist>[0]) => window.flxra.host.onAssist(cb);
const sendChat = (text: string) => window.flxra.host.sendChat(text);

export function HostAssist() {
  const view = useAssistView(getAssist, onAssist);
  const [problem, setProblem] = useState<string | null>(null);
  if (!view?.features) return null;
  const fromDevice = view.features.clipboardFromDevice;
  return (
    <div className="assist-buttons" data-testid="host-assist">
      <label title={fromDevice.allowed ? undefined : fromDevice.reason}>
        <input
          type="checkbox"
          data-testid="share-clipboard"
          checked={view.sharing === true}
          disabled={!fromDevice.allowed}
          onChange={(e) =>
            void window.flxra.host
              .shareClipboard(e.target.checked)
              .then((r) => setProblem(r.ok ? null : r.message))
              .catch(() => setProblem('The clipboard could not be shared.'))
          }
        />
        Share my clipboard with the operator
      </label>
      {problem && <span className="error">{problem}</span>}
      <ChatToggle view={view} me="user" send={sendChat} />
    </div>
  );
}
