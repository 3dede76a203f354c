/**
 * The registry editor tab: hives and keys as a tree loaded one level at a time, the selected key's values with their
 * types, a form per type to create or edit one, create / rename / delete of keys and values after a confirmation,
 * a key exported as a `.reg` file to the operator's machine (the save dialog is main's), and find by name. What the
 * device refuses (no such key, access denied, wrong type) is shown in words and changes nothing.
 */
import { useEffect, useState, type ReactElement } from 'react';
import type { RegistryOp } from '../../../shared/tools-protocol';
import type { RegistryKeyListing, RegistryMatch, RegistryValue, ToolResult } from '../../../shared/tools-results';
import { displayData, EDITABLE_TYPES, formText, isEditable, parseForm, type EditableType } from './registry-forms';
import { ask, type Tab } from './tools-client';
import { ToolMessages } from './ToolMessages';

type Node = { path: string; children?: string[]; open: boolean };
type Form = { mode: 'new' | 'edit'; name: string; type: EditableType; text: string };
type Confirm = { question: string; action: () => Promise<void> };
type Naming = { label: string; text: string; done: (name: string) => void };

const join = (key: string, sub: string) => `${key}\\${sub}`;
const parent = (key: string) => key.slice(0, Math.max(key.lastIndexOf('\\'), 0));

export function RegistryTab({ tab, visible }: { tab: Tab; visible: boolean }) {
  const [nodes, setNodes] = useState<Record<string, Node>>({});
  const [roots, setRoots] = useState<string[]>([]);
  const [selected, setSelected] = useState<RegistryKeyListing | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [form, setForm] = useState<Form | null>(null);
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  // A name asked for in the panel (Electron has no window.prompt).
  const [naming, setNaming] = useState<Naming | null>(null);
  const askName = (label: string, text: string, done: (name: string) => void) => setNaming({ label, text, done });
  const [find, setFind] = useState('');
  const [matches, setMatches] = useState<RegistryMatch[] | null>(null);
  // The value a match went to, marked in the value list.
  const [found, setFound] = useState<{ key: string; name: string } | null>(null);
  const open = tab.state.phase === 'open';

  const run = async <T,>(request: RegistryOp): Promise<T | null> => {
    const r: ToolResult<T> = await ask<T>({ type: 'registry', toolId: tab.toolId, request });
    if (!r.ok) {
      // The refusal is the latest word: an older "Saved …" would read as if this had worked.
      setNotice(null);
      setProblem(r.refusal.message);
      return null;
    }
    setProblem(null);
    return r.value;
  };

  useEffect(() => {
    if (!open) return;
    void run<string[]>({ op: 'hives' }).then((hives) => hives && setRoots(hives));
  }, [open]);

  const load = async (key: string) => {
    const listing = await run<RegistryKeyListing>({ op: 'list', key });
    if (!listing) return;
    setNodes((n) => ({ ...n, [key]: { path: key, children: listing.subkeys, open: true } }));
    setSelected(listing);
  };
  const toggle = (key: string) => {
    setFound(null);
    const node = nodes[key];
    if (node?.open) setNodes((n) => ({ ...n, [key]: { ...node, open: false } }));
    else void load(key);
  };
  const ask2 = (question: string, action: () => Promise<void>) => setConfirm({ question, action });
  const reload = (key: string) => void load(key);
  const key = selected?.path;

  const saveForm = async () => {
    if (!form || !key) return;
    const parsed = parseForm(form.name, form.type, form.text);
    if (!parsed.ok) return setProblem(parsed.message);
    const value = parsed.value;
    ask2(
      `${form.mode === 'new' ? 'Create' : 'Change'} the value "${form.name || '(Default)'}" in ${key}?`,
      async () => {
        if (await run({ op: 'set-value', key, value })) {
          setForm(null);
          setNotice(`Saved ${form.name || '(Default)'}.`);
          reload(key);
        }
      },
    );
  };

  const tree = (path: string, label: string, depth: number): ReactElement => {
    const node = nodes[path];
    return (
      <li key={path}>
        <button
          className={`tree-key${key === path ? ' selected' : ''}`}
          style={{ paddingLeft: `${depth}em` }}
          aria-expanded={node?.open ?? false}
          onClick={() => toggle(path)}
        >
          {node?.open ? '▾' : '▸'} {label}
        </button>
        {node?.open && node.children && node.children.length > 0 && (
          <ul>{node.children.map((c) => tree(join(path, c), c, depth + 1))}</ul>
        )}
      </li>
    );
  };

  return (
    <div className="tool-registry" hidden={!visible} data-testid="registry">
      {tab.state.phase === 'opening' && <p className="muted">Opening the registry…</p>}
      <ToolMessages state={tab.state} problem={problem} notice={notice} />
      {confirm && (
        <div className="confirm" role="alertdialog" aria-label="Confirm the registry change">
          <p>{confirm.question}</p>
          <button
            className="danger"
            onClick={() => {
              const c = confirm;
              setConfirm(null);
              void c.action();
            }}
          >
            Yes
          </button>
          <button onClick={() => setConfirm(null)}>Cancel</button>
        </div>
      )}
      {naming && (
        <form
          className="confirm"
          aria-label={naming.label}
          onSubmit={(e) => {
            e.preventDefault();
            const n = naming;
            setNaming(null);
            if (n.text.trim()) n.done(n.text.trim());
          }}
        >
          <label>
            {naming.label}
            <input autoFocus value={naming.text} onChange={(e) => setNaming({ ...naming, text: e.target.value })} />
          </label>
          <button className="primary" type="submit">
            OK
          </button>
          <button type="button" onClick={() => setNaming(null)}>
            Cancel
          </button>
        </form>
      )}
      {open && (
        <div className="registry-body">
          <div className="registry-tree">
            <form
              className="tool-toolbar"
              onSubmit={(e) => {
                e.preventDefault();
                if (!key || !find.trim()) return;
                void run<RegistryMatch[]>({ op: 'find', key, text: find.trim(), in: 'both' }).then(setMatches);
              }}
            >
              <input
                aria-label="Find by name"
                placeholder={key ? `Find under ${key}` : 'Select a key first'}
                value={find}
                onChange={(e) => setFind(e.target.value)}
              />
              <button type="submit" disabled={!key}>
                Find
              </button>
            </form>
            {matches && (
              <ul className="matches" aria-label="Found">
                {matches.length === 0 && <li className="muted">Nothing found.</li>}
                {matches.map((m) => (
                  <li key={`${m.key}/${m.value?.name ?? ''}`}>
                    <button
                      onClick={() => {
                        setFound(m.value ? { key: m.key, name: m.value.name } : null);
                        void load(m.key);
                      }}
                    >
                      {m.key}
                      {m.value ? ` → ${m.value.name || '(Default)'}` : ''}
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <ul className="tree">{roots.map((h) => tree(h, h, 0))}</ul>
          </div>
          {selected && key && (
            <div className="registry-values">
              <h3>{key}</h3>
              <div className="tool-toolbar">
                <button
                  onClick={() => {
                    askName('Name of the new key', '', (name) =>
                      ask2(`Create the key ${join(key, name)}?`, async () => {
                        if (await run({ op: 'create-key', key: join(key, name) })) {
                          setNotice(`Created the key ${name}.`);
                          reload(key);
                        }
                      }),
                    );
                  }}
                >
                  New key
                </button>
                <button
                  onClick={() => {
                    askName('New name of the key', key.split('\\').pop() ?? '', (newName) =>
                      ask2(`Rename ${key} to ${newName}?`, async () => {
                        if (await run({ op: 'rename-key', key, newName })) {
                          setNotice(`Renamed the key to ${newName}.`);
                          reload(parent(key));
                        }
                      }),
                    );
                  }}
                >
                  Rename key
                </button>
                <button
                  className="danger"
                  onClick={() =>
                    ask2(`Delete ${key} and everything under it?`, async () => {
                      if (await run({ op: 'delete-key', key })) {
                        setSelected(null);
                        setNotice(`Deleted the key ${key}.`);
                        reload(parent(key));
                      }
                    })
                  }
                >
                  Delete key
                </button>
                <button onClick={() => setForm({ mode: 'new', name: '', type: 'REG_SZ', text: '' })}>New value</button>
                <button
                  onClick={() =>
                    void run<{ key: string; text: string }>({ op: 'export', key }).then(async (r) => {
                      if (r) setNotice((await window.flxra.operator.tools.saveExport(r.key, r.text)).message);
                    })
                  }
                >
                  Export…
                </button>
              </div>
              {form && (
                <form
                  className="value-form"
                  aria-label="Value"
                  onSubmit={(e) => {
                    e.preventDefault();
                    void saveForm();
                  }}
                >
                  <label>
                    Name
                    <input
                      value={form.name}
                      disabled={form.mode === 'edit'}
                      onChange={(e) => setForm({ ...form, name: e.target.value })}
                    />
                  </label>
                  <label>
                    Type
                    <select
                      value={form.type}
                      disabled={form.mode === 'edit'}
                      onChange={(e) => setForm({ ...form, type: e.target.value as EditableType })}
                    >
                      {EDITABLE_TYPES.map((t) => (
                        <option key={t}>{t}</option>
                      ))}
                    </select>
                  </label>
                  <label>
                    Data
                    {form.type === 'REG_MULTI_SZ' || form.type === 'REG_BINARY' ? (
                      <textarea value={form.text} onChange={(e) => setForm({ ...form, text: e.target.value })} />
                    ) : (
                      <input value={form.text} onChange={(e) => setForm({ ...form, text: e.target.value })} />
                    )}
                  </label>
                  <button className="primary" type="submit">
                    Save
                  </button>
                  <button type="button" onClick={() => setForm(null)}>
                    Cancel
                  </button>
                </form>
              )}
              <table className="values">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Type</th>
                    <th>Data</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {selected.values.map((v: RegistryValue) => (
                    <tr
                      key={v.name}
                      className={found && found.key === key && found.name === v.name ? 'found' : undefined}
                      aria-current={found && found.key === key && found.name === v.name ? 'true' : undefined}
                    >
                      <td>{v.name || '(Default)'}</td>
                      <td>{v.type}</td>
                      <td className="cmdline">{displayData(v)}</td>
                      <td className="row-actions">
                        {isEditable(v.type) && (
                          <button
                            onClick={() =>
                              setForm({ mode: 'edit', name: v.name, type: v.type as EditableType, text: formText(v) })
                            }
                          >
                            Edit
                          </button>
                        )}
                        <button
                          onClick={() => {
                            askName(
                              'New name of the value',
                              v.name,
                              (newName) =>
                                newName !== v.name &&
                                ask2(`Rename the value "${v.name || '(Default)'}" to "${newName}"?`, async () => {
                                  if (await run({ op: 'rename-value', key, name: v.name, newName })) {
                                    setNotice(`Renamed ${v.name} to ${newName}.`);
                                    reload(key);
                                  }
                                }),
                            );
                          }}
                        >
                          Rename
                        </button>
                        <button
                          className="danger"
                          onClick={() =>
                            ask2(`Delete the value "${v.name || '(Default)'}"?`, async () => {
                              if (await run({ op: 'delete-value', key, name: v.name })) {
                                setNotice(`Deleted ${v.name || '(Default)'}.`);
                                reload(key);
                              }
                            })
                          }
                        >
                          Delete
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </div>
  );
}
