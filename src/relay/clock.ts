/**
 * Where the relay reads the time (ms since the epoch) for everything that expires: activation
 * files, password back-off, assistance grace periods. Tests inject their own and move it forward
 * instead of sleeping.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
