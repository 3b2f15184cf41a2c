/**
 * Offered, accepted and abandoned per interval over a range, for charts. Pure. An offer is placed in the interval
 * in which it was made (its fact's start), clamped into the range.
 */
import type { ResourceFact } from './resource-fact.js';
import { isAccepted, isOffer } from './summary.js';

/** One interval of a series. */
export interface SeriesBucket {
  readonly start: number;
  offered: number;
  accepted: number;
  /** Customers who left while queued, routing or ringing. */
  abandoned: number;
}

/** Builds a series fed one fact at a time. */
export class SeriesBuilder {
  readonly buckets: SeriesBucket[] = [];

  constructor(
    readonly from: number,
    readonly to: number,
    readonly intervalMs: number,
  ) {
    for (let t = from; t < to; t += intervalMs) this.buckets.push({ start: t, offered: 0, accepted: 0, abandoned: 0 });
  }

  /** Counts one fact. */
  add(fact: ResourceFact): void {
    if (this.buckets.length === 0) return;
    const at = Math.min(this.to - 1, Math.max(this.from, fact.startedAt));
    const bucket = this.buckets[Math.floor((at - this.from) / this.intervalMs)];
    if (!bucket) return;
    if (fact.result === 'CustomerAbandoned') bucket.abandoned++;
    if (!isOffer(fact)) return;
    bucket.offered++;
    if (isAccepted(fact)) bucket.accepted++;
  }
}
