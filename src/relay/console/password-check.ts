/**
 * How the relay judges a new console password (the first admin's, a new user's, a changed or a
 * reset one): at least MIN_PASSWORD_LENGTH characters, and not easy to guess, as zxcvbn-ts
 * estimates it against its lists of common and breached passwords, keyboard patterns, dates and
 * sequences, and the words of the account itself (username, name, organisation). A refusal is a
 * sentence saying why and how to do better, worded here (the library gives only keys).
 *
 * Cheap by construction: the dictionaries are loaded once, on the first check (not at start);
 * only the first SCORED_CHARS characters are scored (the estimate's cost grows faster than the
 * length, and the rest of a long password only adds to its strength); fewer l33t substitutions
 * are tried than the library's default. Every caller checks who is asking before it asks this.
 */
import type { TranslationKeys, ZxcvbnFactory } from '@zxcvbn-ts/core';
import { MIN_PASSWORD_LENGTH, WEAK_PASSWORD } from '../../shared/console-passwords.js';

/** Scored at most: about 10 ms typical, tens of ms at worst on this project's machines. */
export const SCORED_CHARS = 64;
/** zxcvbn's 3: "safely unguessable", about 10^10 guesses. */
const MIN_SCORE = 3;
const L33T_MAX_SUBSTITUTIONS = 8;
/** What people put in a password for this product, whoever they are. */
const PRODUCT_WORDS = ['flxra', 'console', 'relay', 'remote', 'assistance', 'support', 'helpdesk'];

export type PasswordVerdict = { ok: true } | { ok: false; code: typeof WEAK_PASSWORD; message: string };

/** What the checks have cost so far (for the abuse tests). */
export interface PasswordCheckStats {
  /** Times the dictionaries were loaded: 0 until the first check, then 1. */
  loads: number;
  checks: number;
  /** The most characters one check scored. */
  longestScored: number;
}

const WARNINGS: Record<keyof TranslationKeys['warnings'], string> = {
  straightRow: 'This password is a row of keys on the keyboard, which is easy to guess.',
  keyPattern: 'This password is a short keyboard pattern, which is easy to guess.',
  simpleRepeat: 'This password repeats characters (like "aaa"), which is easy to guess.',
  extendedRepeat: 'This password repeats a pattern (like "abcabc"), which is easy to guess.',
  sequences: 'This password is built on a sequence (like "abc" or "6543"), which is easy to guess.',
  recentYears: 'This password is built on a recent year, which is easy to guess.',
  dates: 'This password is built on a date, which is easy to guess.',
  topTen: 'This password is among the ten most used passwords.',
  topHundred: 'This password is among the hundred most used passwords.',
  common: 'This password is among the most common passwords.',
  similarToCommon: 'This password is a small change to one of the most common passwords.',
  wordByItself: 'This password is a single word, which is easy to guess.',
  namesByThemselves: 'This password is made of names, which are easy to guess.',
  commonNames: 'This password is made of common names, which are easy to guess.',
  userInputs:
    "This password is built on the account's username, name or organisation (or on flxra), which guessers try first.",
  pwned: 'This password has appeared in data breaches.',
};

const SUGGESTIONS: Record<keyof TranslationKeys['suggestions'], string> = {
  l33t: 'Letters swapped for look-alikes (like "@" for "a") do not help much.',
  reverseWords: 'A word spelt backwards does not help much.',
  allUppercase: 'Capitals everywhere do not help much.',
  capitalization: 'A capital at the start does not help much.',
  dates: 'Leave out dates and years that belong to you.',
  recentYears: 'Leave out recent years.',
  associatedYears: 'Leave out years that belong to you.',
  sequences: 'Leave out common sequences of characters.',
  repeated: 'Leave out repeated words and characters.',
  longerKeyboardPattern: 'Leave out keyboard patterns.',
  anotherWord: 'Add a few more words that are not common, or that do not belong together.',
  useWords: 'Use several words, but not a common phrase.',
  noNeed: 'A strong password needs no symbols, digits or capitals: length and unusual words do it.',
  pwned: 'If you use it anywhere else, change it there too.',
};

const ADVICE = 'Four or more words that do not belong together make a strong password that is easy to remember.';

export class PasswordCheck {
  private factory: Promise<ZxcvbnFactory> | null = null;
  private readonly counts: PasswordCheckStats = { loads: 0, checks: 0, longestScored: 0 };

  /** `accountWords`: the account's username, name and organisation, as an attacker would try them. */
  async check(password: string, accountWords: readonly string[]): Promise<PasswordVerdict> {
    const characters = [...password];
    const tooShort = characters.length < MIN_PASSWORD_LENGTH;
    const scored = characters.slice(0, SCORED_CHARS).join('');
    const zxcvbn = await (this.factory ??= this.load());
    this.counts.checks += 1;
    this.counts.longestScored = Math.max(this.counts.longestScored, Math.min(characters.length, SCORED_CHARS));
    const words = accountInputs(accountWords);
    const result = zxcvbn.check(scored, [...words, ...PRODUCT_WORDS]);
    // "olivia2024!!": a guesser tries the account's own words with digits and symbols first.
    const ownWords = onlyOwnWords(scored, words);
    if (!tooShort && !ownWords && result.score >= MIN_SCORE) return { ok: true };
    const length = `A password has at least ${MIN_PASSWORD_LENGTH} characters; this one has ${characters.length}.`;
    const { suggestions } = result.feedback;
    const warning = ownWords ? 'userInputs' : result.feedback.warning;
    const weak = ownWords || result.score < MIN_SCORE;
    // The library's keys; one it adds in a later version reads as the general sentence.
    const why = weak ? (sentence(WARNINGS, warning) ?? 'This password is easy to guess.') : null;
    const how = weak ? suggestions.flatMap((key) => sentence(SUGGESTIONS, key) ?? []) : [];
    const message = [...(tooShort ? [length] : []), ...(why ? [why] : []), ...how, ADVICE].join(' ');
    return { ok: false, code: WEAK_PASSWORD, message };
  }

  stats(): PasswordCheckStats {
    return { ...this.counts };
  }

  /** Both packages, once: their word lists are a few MB, needed only when a password is set. */
  private async load(): Promise<ZxcvbnFactory> {
    this.counts.loads += 1;
    const [{ ZxcvbnFactory }, common] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
    ]);
    return new ZxcvbnFactory({
      dictionary: { ...common.dictionary },
      graphs: common.adjacencyGraphs,
      l33tMaxSubstitutions: L33T_MAX_SUBSTITUTIONS,
    });
  }
}

function sentence(sentences: Record<string, string>, key: string | null): string | null {
  return key !== null && Object.hasOwn(sentences, key) ? sentences[key]! : null;
}

/** The account's words whole and one by one ("Ada Admin" → "ada admin", "ada", "admin"). */
function accountInputs(accountWords: readonly string[]): string[] {
  const words = new Set<string>();
  for (const text of accountWords) {
    const lower = text.toLowerCase().slice(0, SCORED_CHARS);
    words.add(lower);
    for (const part of lower.split(/[^\p{L}\p{N}]+/u)) if (part.length >= 3) words.add(part);
  }
  return [...words];
}

/** Whether nothing but digits and symbols is left once the account's and the product's words are taken out. */
function onlyOwnWords(password: string, words: readonly string[]): boolean {
  let rest = password.toLowerCase();
  // Longest first: "ada admin" goes before "ada" would leave " admin".
  for (const word of [...words, ...PRODUCT_WORDS].sort((a, b) => b.length - a.length)) {
    if (word.length >= 3) rest = rest.split(word).join(' ');
  }
  return rest !== password.toLowerCase() && !/\p{L}/u.test(rest);
}
