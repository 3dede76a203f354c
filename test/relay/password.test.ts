/** Unattended one-time passwords: readable, typeable, and strong enough. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generatePassword, normalizePassword, PASSWORD_ALPHABET } from '../../src/relay/assistances/password.js';

describe('one-time passwords', () => {
  it('are three groups of five from an alphabet without look-alikes, over 60 bits', () => {
    assert.doesNotMatch(PASSWORD_ALPHABET, /[01ilo]/);
    assert.equal(new Set(PASSWORD_ALPHABET).size, PASSWORD_ALPHABET.length);
    const samples = Array.from({ length: 2_000 }, generatePassword);
    const seen = new Set<string>();
    for (const password of samples) {
      assert.match(password, /^[^-]{5}-[^-]{5}-[^-]{5}$/);
      for (const c of password.replace(/-/g, '')) seen.add(c);
    }
    assert.equal(seen.size, PASSWORD_ALPHABET.length, 'every character is drawn, and only those');
    assert.ok([...seen].every((c) => PASSWORD_ALPHABET.includes(c)));
    assert.equal(new Set(samples).size, samples.length);
    const bits = normalizePassword(samples[0]!).length * Math.log2(PASSWORD_ALPHABET.length);
    assert.ok(bits >= 60, `${bits} bits`);
  });

  it('compare as typed, ignoring case, dashes and spaces', () => {
    assert.equal(normalizePassword(' AB2c-D 3\tx '), 'ab2cd3x');
    assert.equal(normalizePassword('abcde-fghjk-mnpqr'), normalizePassword('ABCDE FGHJK MNPQR'));
  });
});
