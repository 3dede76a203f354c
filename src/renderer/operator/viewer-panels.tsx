/**
 * The side panels the viewer toolbar opens (one at a time, in the slot beside the remote screen):
 * the clipboard, the chat and the files register theirs here, each a button in the toolbar. Only what
 * exists is listed: a feature not built yet has no button. A panel's button
 * shows only while the relay's session:features allow it (none before the assistance is active);
 * a panel open when the policy switches it off stays open, saying why, until the operator closes it.
 */
import type { ComponentType, ReactNode } from 'react';
import { useEffect } from 'react';
import { create } from 'zustand';
import type { AssistView } from '../../shared/assist-protocol';
import { ChatPanel, unreadCount } from '../shared/ChatPanel';
import { ClipboardPanel } from './ClipboardPanel';
import { FilesPanel } from './FilesPanel';

export type ViewerPanelId = 'clipboard' | 'chat' | 'files';

/** What a panel and its button draw from: main's view of the assistance, and whether the operator controls now. */
export interface PanelContext {
  view: AssistView;
  control: boolean;
}

export interface ViewerPanel {
  id: ViewerPanelId;
  /** The toolbar button's text. */
  label: string;
  /** Whether the relay's session:features allow it now: no button otherwise. */
  allowed: (view: AssistView) => boolean;
  /**
   * Something waiting to be read (chat messages), shown on the button: a component, so that it
   * follows what arrives while the panel is closed. `open`: its panel is showing.
   */
  Unread?: ComponentType<PanelContext & { open: boolean }>;
  /** The panel's content while it is open (may render a component that uses hooks). */
  render: (ctx: PanelContext) => ReactNode;
}

/** The last chat message the operator has seen, per session: shared by the button's mark and the open panel. */
const useChatSeen = create<{ sessionId: string | null; seen: number }>(() => ({ sessionId: null, seen: 0 }));
const seenIn = (s: { sessionId: string | null; seen: number }, sessionId: string | null) =>
  s.sessionId === sessionId ? s.seen : 0;

function ChatUnread({ view, open }: PanelContext & { open: boolean }) {
  const seen = useChatSeen((s) => seenIn(s, view.sessionId));
  const unread = open ? 0 : unreadCount(view, 'operator', seen);
  if (unread === 0) return null;
  return (
    <span className="unread" data-testid="chat-unread" aria-label={`${unread} unread`}>
      {unread}
    </span>
  );
}

const sendChat = (text: string) => window.flxra.operator.sendChat(text);

/** The chat while it shows: every message it shows counts as read. */
function OperatorChat({ view }: PanelContext) {
  const last = view.messages.at(-1)?.id ?? 0;
  useEffect(() => {
    useChatSeen.setState({ sessionId: view.sessionId, seen: last });
  }, [view.sessionId, last]);
  return <ChatPanel view={view} me="operator" send={sendChat} />;
}

export const VIEWER_PANELS: ViewerPanel[] = [
  {
    id: 'clipboard',
    label: 'Clipboard',
    allowed: (v) => !!v.features && (v.features.clipboardToDevice.allowed || v.features.clipboardFromDevice.allowed),
    render: ({ view, control }) => <ClipboardPanel view={view} control={control} />,
  },
  {
    id: 'chat',
    label: 'Chat',
    allowed: (v) => !!v.features?.chat.allowed,
    Unread: ChatUnread,
    render: (ctx) => <OperatorChat {...ctx} />,
  },
  {
    id: 'files',
    label: 'Files',
    allowed: (v) => !!v.features?.files && (v.features.files.toDevice.allowed || v.features.files.fromDevice.allowed),
    render: ({ view }) => <FilesPanel view={view} />,
  },
];
