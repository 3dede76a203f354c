/**
 * The chat between operator and user, one component for both windows (the operator's viewer, the host's indicator):
 * the conversation, a line to write in, and an unread mark on the button that opens it. The messages come from main
 * (the relay delivered and audited each: assist-protocol.ts); this only draws them and sends what is written.
 */
import { useEffect, useRef, useState } from 'react';
import { CHAT_MAX_CHARS, type AssistView } from '../../shared/assist-protocol';
import type { ChatSendResult } from '../../shared/ipc';

/** The window's AssistView as main pushes it (fetched once, then followed). */
export function useAssistView(
  get: () => Promise<AssistView>,
  subscribe: (cb: (v: AssistView) => void) => () => void,
): AssistView | null {
  const [view, setView] = useState<AssistView | null>(null);
  useEffect(() => {
    let live = true;
    const off = subscribe((v) => live && setView(v));
    void get()
      .then((v) => live && setView((now) => now ?? v))
      .catch(() => undefined);
    return () => {
      live = false;
      off();
    };
  }, [get, subscribe]);
  return view;
}

export interface ChatProps {
  view: AssistView;
  /** Which side this window is: messages from the other side count as unread until the panel shows them. */
  me: 'operator' | 'user';
  send: (text: string) => Promise<ChatSendResult>;
}

/** How many of the other side's messages came after `seen` (a message ID). */
export function unreadCount(view: AssistView, me: ChatProps['me'], seen: number): number {
  return view.messages.filter((m) => m.from !== me && m.id > seen).length;
}

/** The button that opens the chat, with its unread mark, and the panel when open. */
export function ChatToggle(props: ChatProps) {
  const [open, setOpen] = useState(false);
  const [seen, setSeen] = useState(0);
  const last = props.view.messages.at(-1)?.id ?? 0;
  useEffect(() => {
    if (open) setSeen(last);
  }, [open, last]);
  useEffect(() => {
    setSeen(0);
  }, [props.view.sessionId]);
  const unread = open ? 0 : unreadCount(props.view, props.me, seen);
  return (
    <div className="chat-toggle">
      <button aria-expanded={open} data-testid="chat-button" onClick={() => setOpen(!open)}>
        Chat
        {unread > 0 && (
          <span className="unread" data-testid="chat-unread" aria-label={`${unread} unread`}>
            {unread}
          </span>
        )}
      </button>
      {open && <ChatPanel {...props} />}
    </div>
  );
}

export function ChatPanel({ view, me, send }: ChatProps) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const list = useRef<HTMLOListElement>(null);
  // A block: scrollIntoView returns a promise in recent Chromium, which React would take for a cleanup.
  useEffect(() => {
    void list.current?.lastElementChild?.scrollIntoView?.({ block: 'end' });
  }, [view.messages.length]);
  const refused = view.features?.chat.allowed === false ? view.features.chat.reason : null;
  const inactive = view.sessionId === null || !view.features;
  const submit = async () => {
    const r = await send(text).catch(() => ({ sent: false as const, message: 'The message could not be sent.' }));
    if (r.sent) {
      setText('');
      setProblem(null);
    } else setProblem(r.message);
  };
  return (
    <section className="chat-panel" aria-label="Chat" data-testid="chat-panel">
      <ol ref={list} className="chat-messages" data-testid="chat-messages">
        {view.messages.map((m) => (
          <li key={m.id} data-from={m.from} className={m.from === me ? 'mine' : 'theirs'}>
            <strong>{m.from === me ? 'You' : m.name}</strong>{' '}
            <time dateTime={new Date(m.at).toISOString()}>{new Date(m.at).toLocaleTimeString()}</time>
            <p>{m.text}</p>
          </li>
        ))}
      </ol>
      {refused && (
        <p className="error" role="alert" data-testid="chat-refused">
          {refused}
        </p>
      )}
      {(problem ?? view.chatProblem) && (
        <p className="error" role="alert" data-testid="chat-problem">
          {problem ?? view.chatProblem}
        </p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <input
          aria-label="Message"
          value={text}
          maxLength={CHAT_MAX_CHARS}
          disabled={inactive || refused !== null}
          placeholder={inactive ? 'The chat opens once the assistance is active' : 'Write a message'}
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit" disabled={inactive || refused !== null || text.trim() === ''}>
          Send
        </button>
      </form>
    </section>
  );
}
