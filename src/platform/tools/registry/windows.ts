/**
 * The Windows registry editor through `%SystemRoot%\System32\reg.exe`, run as the agent's account with argument
 * vectors (reg-args.ts), its output decoded from the device's OEM code page and parsed (reg-query.ts, reg-file.ts).
 * A native module (such as native-reg) would be faster and exact: pass it as `native` and it is used instead; until
 * then reg.exe is the whole backend. reg.exe has no rename: a key is copied and the original deleted, a value
 * written under its new name and the old one deleted. Every change first reads what it replaces, for the audit.
 *
 * Wine's reg.exe (the Windows test tier runs this backend under Wine) differs in three ways, handled here so that
 * the same code works on both: its messages are on stdout after "reg: " ("reg: Unable to find the specified
 * registry key"), it prints a QWORD's data as "(null)" (such a key's values are then read from `reg export`), and
 * its `query` has no `/f` ("Invalid syntax"), so a search exports the key and looks through it (reg-search.ts).
 */
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { done, refuse, type RegistryKeyListing, type ToolResult } from '../../../shared/tools-results.js';
import {
  createRawRunner,
  decodeConsoleText,
  OEM_CODE_PAGE_QUERY,
  parseOemCodePage,
  system32,
  systemRoot as checkedSystemRoot,
  type RawRunner,
} from '../windows-console.js';
import type { RegistryBackend } from './backend.js';
import { dataArgs, regArgs } from './reg-args.js';
import { decodeRegFile, parseRegFile, type RegFileKey } from './reg-file.js';
import { checkKeyName, HIVES, parseKeyPath, sameKey, type KeyPath } from './reg-paths.js';
import { KNOWN_DEFAULT_NAMES, parseDefaultName, parseRegQuery } from './reg-query.js';
import { searchRegFile } from './reg-search.js';

export interface WindowsRegistryOptions {
  run?: RawRunner;
  systemRoot?: string;
  /** Known OEM code page; otherwise asked of the registry once. */
  codePage?: number;
  /** Where `reg export` writes before the file is read and deleted. */
  tempDir?: string;
  native?: RegistryBackend;
  /** The most matches a search returns. */
  maxMatches?: number;
}

// Windows: "ERROR: The system was unable to find the specified registry key or value."; Wine: "reg: Unable to find
// the specified registry key" (or "value").
const NOT_FOUND =
  /unable to find the specified registry (?:key|value)|nicht gefunden|n.a pas trouv|no pudo encontrar|impossibile trovare|localizar a chave/i;
const ACCESS_DENIED =
  /access is denied|zugriff verweigert|acc[eè]s refus|acceso denegado|accesso negato|acesso negado/i;

/** Wine's reg.exe refusing `query /f` (Windows never prints this for the arguments the backend builds). */
const INVALID_SYNTAX = /^reg: invalid syntax/im;

interface Reg {
  code: number;
  stdout: string;
  stderr: string;
}

/** reg.exe's failure in the operator's terms: a missing key, access denied, or reg.exe's own words. */
function refusalOf<T>(r: Reg, what: string): ToolResult<T> {
  const words = (r.stderr || r.stdout).trim().replace(/\s+/g, ' ');
  if (NOT_FOUND.test(words)) return refuse('no-such-key', `${what} does not exist.`);
  if (ACCESS_DENIED.test(words)) return refuse('access-denied', `The agent's account may not do this to ${what}.`);
  return refuse('command-failed', `reg.exe failed on ${what} (exit ${r.code}): ${words.slice(0, 300)}`);
}

export function createWindowsRegistryBackend(opts: WindowsRegistryOptions = {}): RegistryBackend {
  if (opts.native) return opts.native;
  const rawRun = opts.run ?? createRawRunner();
  const regExe = system32(checkedSystemRoot(opts.systemRoot), 'reg.exe');
  const maxMatches = opts.maxMatches ?? 1000;
  let codePage: Promise<number | undefined> | undefined;
  let defaultName: Promise<string[]> | undefined;

  const reg = async (args: string[]): Promise<Reg> => {
    codePage ??=
      opts.codePage !== undefined
        ? Promise.resolve(opts.codePage)
        : rawRun(regExe, OEM_CODE_PAGE_QUERY).then((r) => parseOemCodePage(r.stdout.toString('latin1')));
    const cp = await codePage;
    const r = await rawRun(regExe, args);
    return { code: r.code, stdout: decodeConsoleText(r.stdout, cp), stderr: decodeConsoleText(r.stderr, cp) };
  };
  // Every key has a default slot: /ve on a key that is always there tells how this device's reg.exe names it.
  const defaultNames = () =>
    (defaultName ??= reg(regArgs.queryDefault(parseKeyPath('HKLM\\SOFTWARE') as KeyPath)).then((r) => {
      const learned = r.code === 0 ? parseDefaultName(r.stdout) : undefined;
      return learned ? [learned] : KNOWN_DEFAULT_NAMES;
    }));

  const keyOf = (input: string): KeyPath | ToolResult<never> => {
    const key = parseKeyPath(input);
    return typeof key === 'string' ? refuse('bad-input', key) : key;
  };
  const isRefusal = (k: KeyPath | ToolResult<never>): k is ToolResult<never> => 'ok' in k;

  async function exportText(key: KeyPath): Promise<ToolResult<string>> {
    const file = path.join(opts.tempDir ?? tmpdir(), `flxra-export-${randomUUID()}.reg`);
    try {
      const r = await reg(regArgs.exportKey(key, file));
      if (r.code !== 0) return refusalOf(r, key.long);
      return done(decodeRegFile(await readFile(file)));
    } finally {
      await rm(file, { force: true });
    }
  }

  async function exportedKeys(key: KeyPath): Promise<ToolResult<RegFileKey[]>> {
    const text = await exportText(key);
    if (!text.ok) return text;
    const parsed = parseRegFile(text.value);
    if ('error' in parsed) return refuse('parse-error', `The export of ${key.long} could not be read: ${parsed.error}`);
    return done(parsed.keys);
  }

  async function list(key: KeyPath): Promise<ToolResult<RegistryKeyListing>> {
    const r = await reg(regArgs.query(key));
    if (r.code !== 0) return refusalOf(r, key.long);
    const parsed = parseRegQuery(r.stdout, await defaultNames());
    if ('error' in parsed)
      return refuse('parse-error', `The listing of ${key.long} could not be read: ${parsed.error}`);
    const own = parsed.keys.find((k) => sameKey(k.key, key.long));
    let values = own?.values ?? [];
    if (own && own.unprinted.length > 0) {
      // Wine: reg query left some data out; the export has every value exactly.
      const exported = await exportedKeys(key);
      if (!exported.ok) return exported;
      values = exported.value.find((k) => sameKey(k.key, key.long))?.values ?? [];
    }
    const prefix = `${key.long}\\`.toLowerCase();
    const subkeys = parsed.keys
      .filter((k) => k.key.toLowerCase().startsWith(prefix) && !k.key.slice(prefix.length).includes('\\'))
      .map((k) => k.key.slice(prefix.length));
    return done({ path: key.long, subkeys, values });
  }

  const exists = async (key: KeyPath) => (await reg(regArgs.query(key))).code === 0;
  const label = (name: string) => (name === '' ? 'the default value' : `the value "${name}"`);

  return {
    async hives() {
      return done(HIVES.map(([, long]) => long));
    },

    async list(input) {
      const key = keyOf(input);
      return isRefusal(key) ? key : list(key);
    },

    async setValue(input, value) {
      const key = keyOf(input);
      if (isRefusal(key)) return key;
      const data = dataArgs(value);
      if (typeof data === 'string') return refuse('wrong-type', data);
      const before = await list(key);
      if (!before.ok) return before;
      const old = before.value.values.find((v) => v.name === value.name);
      const r = await reg(regArgs.add(key, value, data));
      if (r.code !== 0) return refusalOf(r, key.long);
      return done(old ? { key: key.long, old } : { key: key.long });
    },

    async deleteValue(input, name) {
      const key = keyOf(input);
      if (isRefusal(key)) return key;
      const before = await list(key);
      if (!before.ok) return before;
      const old = before.value.values.find((v) => v.name === name);
      if (!old)
        return refuse('no-such-value', `${key.long} has no ${name === '' ? 'default value' : `value "${name}"`}.`);
      const r = await reg(regArgs.deleteValue(key, name));
      if (r.code !== 0) return refusalOf(r, key.long);
      return done({ key: key.long, old });
    },

    async renameValue(input, name, newName) {
      const key = keyOf(input);
      if (isRefusal(key)) return key;
      if (name === '' || newName === '') return refuse('bad-input', 'The default value cannot be renamed.');
      const before = await list(key);
      if (!before.ok) return before;
      const old = before.value.values.find((v) => v.name === name);
      if (!old)
        return refuse('no-such-value', `${key.long} has no ${name === '' ? 'default value' : `value "${name}"`}.`);
      if (before.value.values.some((v) => v.name.toLowerCase() === newName.toLowerCase()))
        return refuse('bad-input', `${key.long} already has ${label(newName)}.`);
      const data = dataArgs(old);
      if (typeof data === 'string') return refuse('wrong-type', data);
      const added = await reg(regArgs.add(key, { ...old, name: newName }, data));
      if (added.code !== 0) return refusalOf(added, key.long);
      const removed = await reg(regArgs.deleteValue(key, name));
      if (removed.code !== 0) return refusalOf(removed, key.long);
      return done({ key: key.long, old });
    },

    async createKey(input) {
      const key = keyOf(input);
      if (isRefusal(key)) return key;
      if (key.parts.length === 0) return refuse('bad-input', `${key.long} is a hive: it always exists.`);
      if (await exists(key)) return refuse('bad-input', `${key.long} already exists.`);
      const r = await reg(regArgs.addKey(key));
      return r.code === 0 ? done({}) : refusalOf(r, key.long);
    },

    async deleteKey(input) {
      const key = keyOf(input);
      if (isRefusal(key)) return key;
      if (key.parts.length === 0) return refuse('bad-input', `${key.long} is a hive and cannot be deleted.`);
      const r = await reg(regArgs.deleteKey(key));
      return r.code === 0 ? done({}) : refusalOf(r, key.long);
    },

    async renameKey(input, newName) {
      const key = keyOf(input);
      if (isRefusal(key)) return key;
      const wrong = checkKeyName(newName);
      if (wrong) return refuse('bad-input', wrong);
      if (key.parts.length === 0) return refuse('bad-input', `${key.long} is a hive and cannot be renamed.`);
      const target = parseKeyPath([key.short.split('\\').slice(0, -1).join('\\'), newName].join('\\')) as KeyPath;
      if (!(await exists(key))) return refuse('no-such-key', `${key.long} does not exist.`);
      if (await exists(target)) return refuse('bad-input', `${target.long} already exists.`);
      const copied = await reg(regArgs.copyKey(key, target));
      if (copied.code !== 0) return refusalOf(copied, key.long);
      const removed = await reg(regArgs.deleteKey(key));
      return removed.code === 0 ? done({}) : refusalOf(removed, key.long);
    },

    async exportKey(input) {
      const key = keyOf(input);
      if (isRefusal(key)) return key;
      const text = await exportText(key);
      return text.ok ? done({ key: key.long, text: text.value }) : text;
    },

    async find(input, text, where) {
      const key = keyOf(input);
      if (isRefusal(key)) return key;
      const r = await reg(regArgs.find(key, text, where));
      if (r.code !== 0 && INVALID_SYNTAX.test(r.stdout)) {
        const exported = await exportedKeys(key);
        if (!exported.ok) return exported;
        return done(searchRegFile(exported.value, key.long, text, where).slice(0, maxMatches));
      }
      const parsed = parseRegQuery(r.stdout, await defaultNames());
      if ('error' in parsed) return refuse('parse-error', `The search results could not be read: ${parsed.error}`);
      // No match: exit code 1 and no key in the output (only the localised "End of search: 0 match(es) found.").
      if (r.code !== 0 && (parsed.keys.length > 0 || r.stderr.trim())) return refusalOf(r, key.long);
      const matches = parsed.keys.flatMap((k) =>
        k.values.length === 0 ? [{ key: k.key }] : k.values.map((value) => ({ key: k.key, value })),
      );
      return done(matches.slice(0, maxMatches));
    },
  };
}
