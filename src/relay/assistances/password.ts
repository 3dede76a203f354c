/**
 * Unattended assistances' one-time passwords: read aloud over the phone and typed by the
 * operator, so no look-alike characters (0/o, 1/i/l) and no case. 15 characters from 31 give
 * 15·log2(31) ≈ 74 bits, shown as xxxxx-xxxxx-xxxxx.
 */
import { randomInt } from 'node:crypto';

export const PASSWORD_ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
const GROUPS = 3;
const GROUP_LENGTH = 5;

export function generatePassword(): string {
  const group = () =>
    Array.from({ length: GROUP_LENGTH }, () => PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)]).join('');
  return Array.from({ length: GROUPS }, group).join('-');
}

/** What is hashed and compared: what people type, without case, dashes or spaces. */
export function normalizePassword(text: string): string {
  return text.toLowerCase().replace(/[\s-]/g, '');
}
