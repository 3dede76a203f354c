/**
 * Where the relay reads the time (ms since the epoch) for everything that expires: activation
 * files, password back-off, assistance grace periods. Tests inject their own and move it forward
 * instead of sleeping.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Real time that never steps back, for the rate limits (src/relay/limits/); tests may inject their own. */
export const monotonicClock: Clock = { now: () => performance.now() };
