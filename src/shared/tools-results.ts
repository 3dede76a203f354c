/**
 * What the Flexxible Tools' backends answer (src/platform/tools/), in one place so the device agent, the relay and
 * the operator's panel read the same shapes: a refusal is data (a code and a sentence for the operator), never a
 * thrown error, and the process list and registry values have one schema each. The messages that carry them are in
 * tools-protocol.ts; the flow control of their streams in tool-streams.ts.
 */
import { z } from 'zod';

/** Why a tool did not do what it was asked. Each comes with a sentence worded for the operator. */
export const ToolRefusalCode = z.enum([
  'not-installed', // PowerShell on a Linux device without pwsh
  'no-registry', // the registry tool on a device that has none
  'not-open', // a message for a tool that is not open (or already closed)
  'already-open',
  'account-not-allowed', // a user terminal the agent's account cannot start
  'no-such-account',
  'account-cannot-sign-in', // the account's shell is nologin/false
  'not-supported', // something this platform's backend cannot do yet
  'spawn-failed',
  'shell-ended', // input or a resize for a terminal whose shell has exited
  'no-such-key',
  'no-such-value',
  'access-denied',
  'wrong-type', // a registry value's data that its type cannot hold
  'bad-input', // a malformed key path, value name, PID…
  'process-gone',
  'command-failed', // a system tool failed for a reason not recognised above; its words are in the message
  'parse-error', // a system tool answered something the parser does not understand
  'flow-violation', // a stream broke its credit bound or its order
  // Refused at the relay, before the device sees the request (src/relay/tools/):
  'not-permitted', // the policy does not give this tool to the operator's role (or during unattended assistance)
  'assistance-not-open', // the assistance is not running with this operator admitted, or its device is away
  'other-environment', // the operator and the device are in different environments
]);
export type ToolRefusalCode = z.infer<typeof ToolRefusalCode>;

export const ToolRefusal = z.object({ code: ToolRefusalCode, message: z.string().max(1000) });
export type ToolRefusal = z.infer<typeof ToolRefusal>;

export type ToolResult<T> = { ok: true; value: T } | { ok: false; refusal: ToolRefusal };

export const done = <T>(value: T): ToolResult<T> => ({ ok: true, value });
export const refuse = <T = never>(code: ToolRefusalCode, message: string): ToolResult<T> => ({
  ok: false,
  refusal: { code, message: message.length > 1000 ? `${message.slice(0, 997)}...` : message },
});

/** One row of the task manager. What a platform cannot tell is null, not a guess. */
export const ProcessInfo = z.object({
  pid: z.number().int().nonnegative(),
  /** Null where the platform's list does not say (tasklist). */
  ppid: z.number().int().nonnegative().nullable(),
  name: z.string().max(1024),
  user: z.string().max(512).nullable(),
  /** Share of the whole machine (all cores) between the last two samples, 0–100; null on the first sample. */
  cpuPercent: z.number().min(0).max(100).nullable(),
  /** Resident memory (Linux RSS, Windows working set). */
  memoryBytes: z.number().int().nonnegative().nullable(),
  /** ISO 8601, UTC. */
  startTime: z.string().max(40).nullable(),
  commandLine: z.string().max(32_768).nullable(),
});
export type ProcessInfo = z.infer<typeof ProcessInfo>;

/** A row the parser could not read is reported, not dropped silently and not fatal to the whole list. */
export const UnreadableRow = z.object({ line: z.string().max(2000), reason: z.string().max(500) });
export type UnreadableRow = z.infer<typeof UnreadableRow>;

export const ProcessList = z.object({
  processes: z.array(ProcessInfo),
  unreadable: z.array(UnreadableRow),
  /** Facts about the list as a whole, for the panel ("command lines are not available: …"). */
  notes: z.array(z.string().max(500)),
});
export type ProcessList = z.infer<typeof ProcessList>;

export const ProcessKilled = z.object({
  pid: z.number().int(),
  name: z.string().max(1024),
  /** Every PID that was ended, the root first. */
  ended: z.array(z.number().int()),
  /** Processes of the tree the agent's account may not end, left running (the panel says so). */
  notEnded: z.array(z.number().int()),
  /** The name of each ended PID, as the device knew it just before (for the audit: every process ended, by name). */
  names: z.array(z.object({ pid: z.number().int(), name: z.string().max(1024) })).optional(),
});
export type ProcessKilled = z.infer<typeof ProcessKilled>;

/** The six types the editor reads and writes, and any other a key holds, shown read-only. */
export const EDITABLE_REGISTRY_TYPES = [
  'REG_SZ',
  'REG_EXPAND_SZ',
  'REG_MULTI_SZ',
  'REG_DWORD',
  'REG_QWORD',
  'REG_BINARY',
] as const;
export const OTHER_REGISTRY_TYPES = [
  'REG_NONE',
  'REG_LINK',
  'REG_RESOURCE_LIST',
  'REG_FULL_RESOURCE_DESCRIPTOR',
  'REG_RESOURCE_REQUIREMENTS_LIST',
  'REG_DWORD_BIG_ENDIAN',
] as const;
export const RegistryTypeName = z.enum([...EDITABLE_REGISTRY_TYPES, ...OTHER_REGISTRY_TYPES]);
export type RegistryTypeName = z.infer<typeof RegistryTypeName>;

const HEX = /^(?:[0-9A-F]{2})*$/;
/** The empty name is the key's default value, whatever the device's language calls it. */
const ValueName = z.string().max(16_383);
export const RegistryValue = z.discriminatedUnion('type', [
  z.object({ name: ValueName, type: z.literal('REG_SZ'), data: z.string() }),
  z.object({ name: ValueName, type: z.literal('REG_EXPAND_SZ'), data: z.string() }),
  z.object({ name: ValueName, type: z.literal('REG_MULTI_SZ'), data: z.array(z.string()) }),
  z.object({ name: ValueName, type: z.literal('REG_DWORD'), data: z.number().int().min(0).max(0xffff_ffff) }),
  /** Decimal text: a QWORD does not fit a JavaScript number. */
  z.object({ name: ValueName, type: z.literal('REG_QWORD'), data: z.string().regex(/^\d{1,20}$/) }),
  /** Upper-case hex pairs. */
  z.object({ name: ValueName, type: z.literal('REG_BINARY'), data: z.string().regex(HEX) }),
  z.object({ name: ValueName, type: z.enum(OTHER_REGISTRY_TYPES), data: z.string().regex(HEX) }),
]);
export type RegistryValue = z.infer<typeof RegistryValue>;

export const RegistryKeyListing = z.object({
  /** The key as the backend names it, the hive in its long form (HKEY_LOCAL_MACHINE\…). */
  path: z.string(),
  subkeys: z.array(z.string()),
  values: z.array(RegistryValue),
});
export type RegistryKeyListing = z.infer<typeof RegistryKeyListing>;

export const RegistryMatch = z.object({ key: z.string(), value: RegistryValue.optional() });
export type RegistryMatch = z.infer<typeof RegistryMatch>;

/** What a change replaced, for the audit: the old value (absent when there was none). */
export const RegistryChange = z.object({ key: z.string(), old: RegistryValue.optional() });
export type RegistryChange = z.infer<typeof RegistryChange>;
