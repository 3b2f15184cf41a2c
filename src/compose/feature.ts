/**
 * The one shape every feature of the connector is assembled in (`src/compose/<feature>.ts`): a factory
 * `create<Feature>(its config slice, the infrastructure and the parts it needs) → Feature & { … }` that builds the
 * feature's parts, subscribes them to the events they react to, and hands back what it serves over HTTP and its
 * lifecycle. The composition root (`src/app.ts`) lists the features, mounts their routers in order, starts them in
 * order and stops them in reverse.
 */
import type { Router } from 'express';
import type { Logger } from 'pino';
import type { OpenDatabase } from '../adapters/store/open-database.js';
import type { Clock } from '../ports/clock.js';

/** An express router a feature serves, mounted at `path` (the root when absent). */
export interface Mount {
  readonly path?: string | undefined;
  readonly router: Router;
}

/** A feature as the composition root sees it. */
export interface Feature {
  /** The feature's name (in logs). */
  readonly name: string;
  /** What it serves over HTTP, in mount order. */
  readonly mounts?: readonly Mount[] | undefined;
  /** Starts its background work (timers, workers, listeners). Due work from before a restart runs now. */
  start?(): void;
  /** Stops its background work; resolves when in-flight work has finished. */
  stop?(): Promise<void>;
}

/** What every feature is built on: one clock, one logger, the database. */
export interface Infrastructure {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly database: OpenDatabase;
}
