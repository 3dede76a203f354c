/**
 * Input for the device's secure desktop (a UAC prompt, the Ctrl+Alt+Del screen, the logon screen),
 * as the operator sends it and the relay forwards it to the device's agent, which hands it to the
 * SYSTEM helper (docs/secure-desktop.md). One schema for the operator's event and the agent's, so
 * the two cannot drift; the ranges are what the helper's pipe format carries.
 */
import { z } from 'zod';

const int32 = z.number().int().min(-0x80000000).max(0x7fffffff);
const u16 = z.number().int().min(0).max(0xffff);

export const SecureDesktopInput = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('pointer'),
    /** Virtual-screen pixels of the secure desktop's frames. */
    x: int32,
    y: int32,
    action: z.enum(['move', 'down', 'up', 'wheel']),
    button: z.enum(['left', 'right', 'middle']).optional(),
    wheel: z.number().int().min(-0x8000).max(0x7fff).optional(),
  }),
  z.object({
    kind: z.literal('key'),
    vk: u16,
    scan: u16,
    down: z.boolean(),
    extended: z.boolean().optional(),
    unicode: z.boolean().optional(),
  }),
  /** Ctrl+Alt+Del: SendSAS on Windows; refused with a reason elsewhere. */
  z.object({ kind: z.literal('sas') }),
]);
export type SecureDesktopInput = z.infer<typeof SecureDesktopInput>;
