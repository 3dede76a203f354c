/**
 * The capabilities the policy decides, one list for every one the product has or will have
 * (the Flexxible Tools now; clipboard, chat, file transfer, recording and the browser operator
 * later), the roles they are given to, and what each is by default. The matrix of capability ×
 * role is part of the policy (policy.ts): the product level sets cells, a report group overrides
 * some. No Node imports: pages import this.
 */
import { z } from 'zod';

export const Capability = z.enum([
  'tool.cmd',
  'tool.powershell',
  'tool.registry',
  'tool.processes',
  /** A terminal opened as the signed-in user instead of the agent's account. */
  'tool.user-shell',
  /** Any tool during an unattended assistance (nobody at the device to see it). */
  'tool.unattended',
  'clipboard.to-device',
  'clipboard.from-device',
  'chat',
  'files.to-device',
  'files.from-device',
  'recording',
  'browser-operator',
  /** The viewer toolbar's "Request control": asking the user, who allowed view only, for control. */
  'control.request',
  /** Special keys sent as the remote keystroke: the Windows key, Alt+Tab, Print Screen, Ctrl+Alt+Del. */
  'keys.special',
  /** Seeing the device's other displays (switching to one, or all at once); without it the primary one alone. */
  'displays.switch',
]);
export type Capability = z.infer<typeof Capability>;

/** The tools the side panel opens; each also needs tool.unattended during an unattended assistance. */
export const TOOL_CAPABILITIES = ['tool.cmd', 'tool.powershell', 'tool.registry', 'tool.processes'] as const;

/** What the console and the relay's refusals call each capability. */
export const CAPABILITY_LABELS: Record<Capability, string> = {
  'tool.cmd': 'CMD',
  'tool.powershell': 'PowerShell',
  'tool.registry': 'Registry editor',
  'tool.processes': 'Task manager',
  'tool.user-shell': 'Terminal as the signed-in user',
  'tool.unattended': 'Tools during unattended assistance',
  'clipboard.to-device': 'Clipboard to the device',
  'clipboard.from-device': 'Clipboard from the device',
  chat: 'Chat',
  'files.to-device': 'Files to the device',
  'files.from-device': 'Files from the device',
  recording: 'Recording',
  'browser-operator': 'Browser operator',
  'control.request': 'Asking for control',
  'keys.special': 'Special keys',
  'displays.switch': 'Other displays',
};

/**
 * A role's name: the console's two (admin, operator) and those administrators define. Lower-case
 * letters, digits and dashes, so that it reads the same in the store, the CLI and the audit.
 */
export const RoleName = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,39}$/,
    'a role name is 1 to 40 lower-case letters, digits or dashes, starting with a letter',
  );
export type RoleName = z.infer<typeof RoleName>;

export const BUILT_IN_ROLES = ['admin', 'operator'] as const;

/** A role as the console lists it; the built-in ones cannot be removed. */
export const RoleInfo = z.object({
  name: RoleName,
  description: z.string().trim().max(200, 'a description has at most 200 characters'),
  builtIn: z.boolean(),
});
export type RoleInfo = z.infer<typeof RoleInfo>;

/** One capability's cells: role → allowed. A role without a cell takes the level below. */
export const CapabilityCells = z.record(RoleName, z.boolean());
/** The matrix at one level (product or group): only the cells that level sets. */
export const CapabilityMatrix = z.partialRecord(Capability, CapabilityCells);
export type CapabilityMatrix = z.infer<typeof CapabilityMatrix>;

/**
 * What a capability is where nobody set it: the tools (and the user-account terminal) for
 * administrators only, never during unattended assistance, clipboard and chat for everyone,
 * files on, recording and the browser operator off; the viewer toolbar's asking for control, special keys and other
 * displays on (the product works as it did before they were capabilities).
 */
export function defaultCapability(capability: Capability, role: string): boolean {
  switch (capability) {
    case 'tool.cmd':
    case 'tool.powershell':
    case 'tool.registry':
    case 'tool.processes':
    case 'tool.user-shell':
      return role === 'admin';
    case 'tool.unattended':
    case 'recording':
    case 'browser-operator':
      return false;
    case 'clipboard.to-device':
    case 'clipboard.from-device':
    case 'chat':
    case 'files.to-device':
    case 'files.from-device':
    case 'control.request':
    case 'keys.special':
    case 'displays.switch':
      return true;
  }
}
