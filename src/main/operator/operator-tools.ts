/**
 * The operator's Flexxible Tools in the main process: the relay side is shared with the operator in
 * the browser (src/shared/operator-tools.ts; the IPC table validates the panel's requests against
 * src/shared/tools-protocol.ts first). A `.reg` export is saved through the desktop's save dialog,
 * the path never coming from the page.
 */
export { OperatorTools, type ToolEmit, type ToolSend } from '../../shared/operator-tools.js';

export interface SaveDialog {
  /** The path the operator chose in the system's "save" dialog for `name`, or null when they cancelled. */
  saveTextFile(suggestedName: string, text: string): Promise<string | null>;
}

/** A file name for a key's export: its last part, letters, digits, `-` and `_` only. */
export function exportFileName(key: string): string {
  const last = key.split('\\').filter(Boolean).pop() ?? 'registry';
  return `${last.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 80) || 'registry'}.reg`;
}

/** Saves a key's export where the operator chooses; the answer says where, or that they cancelled. */
export async function saveRegistryExport(
  dialog: SaveDialog | undefined,
  key: string,
  text: string,
): Promise<{ saved: string | null; message: string }> {
  if (!dialog) return { saved: null, message: 'This app cannot save files here.' };
  const saved = await dialog.saveTextFile(exportFileName(key), text);
  return { saved, message: saved ? `Saved to ${saved}.` : 'Not saved.' };
}
