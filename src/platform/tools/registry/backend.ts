/**
 * The registry editor's backend: one small interface, with the Windows implementation (reg.exe, windows.ts; a
 * native module can take its place through the same interface) and the Linux one below, which has nothing to edit
 * and says so. Every answer is data: a listing, the old value a change replaced (for the audit), or a refusal.
 */
import type { RegistryOp } from '../../../shared/tools-protocol.js';
import {
  refuse,
  type RegistryChange,
  type RegistryKeyListing,
  type RegistryMatch,
  type RegistryValue,
  type ToolResult,
} from '../../../shared/tools-results.js';

export interface RegistryBackend {
  /** The hives the tree starts from, long form (HKEY_LOCAL_MACHINE…). */
  hives(): Promise<ToolResult<string[]>>;
  /** A key's values and its direct subkeys (the tree loads lazily, one key at a time). */
  list(key: string): Promise<ToolResult<RegistryKeyListing>>;
  setValue(key: string, value: RegistryValue): Promise<ToolResult<RegistryChange>>;
  deleteValue(key: string, name: string): Promise<ToolResult<RegistryChange>>;
  renameValue(key: string, name: string, newName: string): Promise<ToolResult<RegistryChange>>;
  createKey(key: string): Promise<ToolResult<Record<string, never>>>;
  deleteKey(key: string): Promise<ToolResult<Record<string, never>>>;
  renameKey(key: string, newName: string): Promise<ToolResult<Record<string, never>>>;
  /** The key and its subkeys as the text of a `.reg` file. */
  exportKey(key: string): Promise<ToolResult<{ key: string; text: string }>>;
  find(key: string, text: string, where: 'keys' | 'values' | 'both'): Promise<ToolResult<RegistryMatch[]>>;
}

/** One wire request to the backend call it names. */
export function runRegistryOp(backend: RegistryBackend, op: RegistryOp): Promise<ToolResult<unknown>> {
  switch (op.op) {
    case 'hives':
      return backend.hives();
    case 'list':
      return backend.list(op.key);
    case 'set-value':
      return backend.setValue(op.key, op.value);
    case 'delete-value':
      return backend.deleteValue(op.key, op.name);
    case 'rename-value':
      return backend.renameValue(op.key, op.name, op.newName);
    case 'create-key':
      return backend.createKey(op.key);
    case 'delete-key':
      return backend.deleteKey(op.key);
    case 'rename-key':
      return backend.renameKey(op.key, op.newName);
    case 'export':
      return backend.exportKey(op.key);
    case 'find':
      return backend.find(op.key, op.text, op.in);
  }
}

export const NO_REGISTRY = 'This device has no registry: it is not a Windows computer.';

/** Linux (and anything but Windows): every operation is the same refusal. */
export function createNoRegistryBackend(): RegistryBackend {
  const none = async () => refuse('no-registry', NO_REGISTRY);
  return {
    hives: none,
    list: none,
    setValue: none,
    deleteValue: none,
    renameValue: none,
    createKey: none,
    deleteKey: none,
    renameKey: none,
    exportKey: none,
    find: none,
  };
}
