/** Time, injected: the domain never reads the clock itself. */

/** The current time in epoch milliseconds. */
export interface Clock {
  now(): number;
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };
