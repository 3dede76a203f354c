/**
 * The registry search done in-process over a `reg export` of the key, for a reg.exe whose `query` has no `/f`
 * (Wine's answers "Invalid syntax"). It gives what Windows' `reg query KEY /f TEXT /s /k|/v` lists: subkeys whose own
 * name matches (/k), and values, including the start key's own, whose name matches (/v); names only, case-insensitive,
 * TEXT matching anywhere in the name unless it has reg.exe's wildcards (`*` any run, `?` one character).
 */
import type { RegistryMatch } from '../../../shared/tools-results.js';
import type { RegFileKey } from './reg-file.js';
import { sameKey } from './reg-paths.js';

function matcher(text: string): (name: string) => boolean {
  const pattern = text
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const re = new RegExp(/[*?]/.test(text) ? `^${pattern}$` : pattern, 'i');
  return (name) => re.test(name);
}

/** The matches under `base` (its long form, as the file names keys), in the file's order. */
export function searchRegFile(
  keys: RegFileKey[],
  base: string,
  text: string,
  where: 'keys' | 'values' | 'both',
): RegistryMatch[] {
  const matches = matcher(text);
  const prefix = `${base}\\`.toLowerCase();
  const out: RegistryMatch[] = [];
  for (const k of keys) {
    const own = sameKey(k.key, base);
    if (!own && !k.key.toLowerCase().startsWith(prefix)) continue;
    const values = where === 'keys' ? [] : k.values.filter((v) => v.name !== '' && matches(v.name));
    if (values.length > 0) for (const value of values) out.push({ key: k.key, value });
    else if (!own && where !== 'values' && matches(k.key.slice(k.key.lastIndexOf('\\') + 1))) out.push({ key: k.key });
  }
  return out;
}
