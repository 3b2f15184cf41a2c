/**
 * The `presence.write` section: the connector shows contact-center work in Teams through its own application
 * presence session (Graph `setPresence`, permission `Presence.ReadWrite.All`). Without the section nothing is written.
 */
import { z } from 'zod';
import { APP_SESSION_PAIRS, isAppSessionPair } from '../../domain/presence/presence-write.js';

const pairs = APP_SESSION_PAIRS.map(([a, b]) => `${a}/${b}`).join(', ');

/** An availability/activity pair `setPresence` accepts. */
export const appSessionPairSchema = z
  .strictObject({ availability: z.string().min(1), activity: z.string().min(1) })
  .refine((p) => isAppSessionPair(p.availability, p.activity), {
    message: `Graph's setPresence accepts only these pairs: ${pairs}`,
  });

/** The `presence.write` section. */
export const presenceWriteFileSchema = z.strictObject({
  /**
   * What an expert in a session (accepted preview, transfer, conference, consultation) shows in Teams. Default
   * Busy/InACall: Teams shows "In a call", what colleagues expect of someone on the phone with a customer.
   */
  experts: z
    .strictObject({
      availability: z.string().min(1).default('Busy'),
      activity: z.string().min(1).default('InACall'),
      /** A status message set with it and cleared after, e.g. "Helping a customer". Default: none. */
      statusMessage: z.string().min(1).max(280).optional(),
    })
    .refine((p) => isAppSessionPair(p.availability, p.activity), {
      message: `Graph's setPresence accepts only these pairs: ${pairs}`,
    })
    .default({ availability: 'Busy', activity: 'InACall' }),
  /**
   * Agents who use Teams too (`directory.agents[].entraUserId`) show their contact-center state there, as reported
   * through the agent API. Absent: agents' states are not written.
   */
  agents: z
    .strictObject({
      /**
       * A YAML mapping of reported states to what Teams shows (docs/presence.md), reloaded when it changes. Default:
       * busy on a call or a chat shows Busy/InACall, other states leave Teams alone.
       */
      mappingFile: z.string().min(1).optional(),
    })
    .optional(),
  /**
   * Lifetime of the connector's presence session in Graph, minutes (5 to 240): written again while the session lasts,
   * and the longest a presence can outlive a connector that stopped for good. Default 15.
   */
  expirationMinutes: z.number().int().min(5).max(240).default(15),
  /**
   * Share of the connector's presence budget (`quotaShare` of 1,500 calls per 30 s) writes may take ahead of polls.
   * Default 0.5.
   */
  writeShare: z.number().gt(0).max(1).default(0.5),
});

/** The `presence.write` section as validated. */
export type PresenceWriteOptions = z.output<typeof presenceWriteFileSchema>;
