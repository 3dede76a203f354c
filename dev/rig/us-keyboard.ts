/**
 * Types text the way a person does on a US keyboard: physical keys, with Shift pressed for
 * capitals and shifted punctuation. (Playwright's keyboard.type sends each character's key
 * without Shift, which is not what a physical keyboard produces.)
 */
import type { Page } from 'playwright-core';

const unshifted = "`1234567890-=[]\\;',./";
const shifted = '~!@#$%^&*()_+{}|:"<>?';
const codes = [
  'Backquote',
  'Digit1',
  'Digit2',
  'Digit3',
  'Digit4',
  'Digit5',
  'Digit6',
  'Digit7',
  'Digit8',
  'Digit9',
  'Digit0',
  'Minus',
  'Equal',
  'BracketLeft',
  'BracketRight',
  'Backslash',
  'Semicolon',
  'Quote',
  'Comma',
  'Period',
  'Slash',
];

function physicalKey(char: string): { code: string; shift: boolean } {
  if (/^[a-z]$/.test(char)) return { code: `Key${char.toUpperCase()}`, shift: false };
  if (/^[A-Z]$/.test(char)) return { code: `Key${char}`, shift: true };
  if (char === ' ') return { code: 'Space', shift: false };
  const i = unshifted.indexOf(char);
  if (i >= 0) return { code: codes[i]!, shift: false };
  const j = shifted.indexOf(char);
  if (j >= 0) return { code: codes[j]!, shift: true };
  throw new Error(`no US key for ${JSON.stringify(char)}`);
}

export async function typeOnUsKeyboard(page: Page, text: string): Promise<void> {
  for (const char of text) {
    const { code, shift } = physicalKey(char);
    if (shift) await page.keyboard.down('Shift');
    await page.keyboard.press(code);
    if (shift) await page.keyboard.up('Shift');
  }
}
