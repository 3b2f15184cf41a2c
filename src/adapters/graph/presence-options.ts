/**
 * The presence engine's settings: the `presence` section of the configuration file, plus the secrets the
 * environment supplies (`GRAPH_CLIENT_SECRET`, `PRESENCE_TOKEN_CACHE_KEY`). Without the section, routing reads the
 * directory's static states.
 */
import { z } from 'zod';
import type { AgentPresenceRule } from '../../domain/presence/agent-presence.js';
import type { MappingRuleSet } from '../../domain/presence/mapping-rules.js';
import { presenceWriteFileSchema } from './presence-write-options.js';

const ms = z.number().int().positive();

/** Change-notification subscriptions (delegated, through subscriber accounts). */
export const presenceSubscriptionsFileSchema = z.strictObject({
  /** Subscriber (service) accounts' UPNs; sign each in once with `uc-connector presence sign-in <upn>`. */
  accounts: z.array(z.string().trim().min(3)).min(1, 'name at least one subscriber account'),
  /** PEM file of the certificate (public key) Graph encrypts resource data with. */
  certificateFile: z.string().min(1),
  /** PEM file of that certificate's private key (PKCS#8 or PKCS#1). */
  privateKeyFile: z.string().min(1),
  /** Our label of the certificate (≤ 128 characters), sent as `encryptionCertificateId`. */
  certificateId: z.string().min(1).max(128).default('uc-connector-1'),
  /** Where Graph posts notifications; default `PUBLIC_BASE_URL`. `/api/graph/notifications` and `/api/graph/lifecycle` are appended. */
  notificationBaseUrl: z.url().optional(),
  /** Renew a subscription when less than this remains (ms). Default 20 minutes. */
  renewBeforeMs: ms.max(3_300_000).default(1_200_000),
  /** How often subscriptions are checked and renewed (ms). Default 60 s. */
  maintainEveryMs: ms.default(60_000),
  /**
   * Child processes that decrypt notifications at a lower OS priority (niceness 10), so the 202 answers to Graph win
   * the CPU; default 1. 0 decrypts on the event loop in slices of a few ms. More processes decrypt more per second
   * where cores are spare (see docs/benchmarks.md).
   */
  decryptionProcesses: z.number().int().min(0).max(16).default(1),
  /**
   * Most notification items that may wait to be decrypted and applied. Beyond it the backlog is shed to polling:
   * the waiting items are dropped and their users polled at once, so Graph's POSTs are still answered at once.
   * Default 2,000 (under a second of decryption on one core).
   */
  maxBacklog: z.number().int().min(100).max(1_000_000).default(2_000),
  /** Replaced by `decryptionProcesses`; refused with that fix so an older file does not start with a surprise. */
  decryptionThreads: z
    .never({
      error: 'decryptionThreads was replaced by decryptionProcesses (child processes at a lower priority): rename it',
    })
    .optional(),
});

/** The `presence` section of the configuration file. */
export const presenceFileSchema = z.strictObject({
  /** Entra tenant id of the organisation (GUID or domain). */
  tenantId: z.string().trim().min(1),
  /** The app registration used for Graph; default the bot's `MICROSOFT_APP_ID`. */
  clientId: z.string().trim().min(1).optional(),
  /** Identity platform base URL. Default `https://login.microsoftonline.com`; the emulator's in local mode. */
  authorityBaseUrl: z.url().default('https://login.microsoftonline.com'),
  /** Graph base URL. Default `https://graph.microsoft.com/v1.0`. */
  graphBaseUrl: z.url().default('https://graph.microsoft.com/v1.0'),
  /** Where the validation tokens' signing keys are published; default `<authorityBaseUrl>/common/discovery/v2.0/keys`. */
  jwksUrl: z.url().optional(),
  /** Share of Graph's presence quota (1,500 calls per 30 s per app and tenant) the connector may use. Default 0.95. */
  quotaShare: z.number().gt(0).max(1).default(0.95),
  /** A presence not confirmed for this long becomes Unknown and is not routable (ms). Default 2 minutes. */
  staleAfterMs: ms.default(120_000),
  /** Concurrent sessions at which a knowledge worker counts as Busy for routing. Default 1. */
  defaultSessionLimit: z.number().int().min(1).max(100).default(1),
  /**
   * Users per shard: the sorted directory is cut into shards of this many users, each polled by one replica and
   * covered by one subscriber account's subscription (Graph allows at most 650). Default 650.
   */
  usersPerShard: z.number().int().min(1).max(650).default(650),
  poll: z
    .strictObject({
      /** Poll interval for users without a healthy subscription (ms). Default 15 s. */
      fastIntervalMs: ms.default(15_000),
      /** Reconciliation interval for users with a healthy subscription (ms). Default 120 s. */
      slowIntervalMs: ms.default(120_000),
    })
    .default({ fastIntervalMs: 15_000, slowIntervalMs: 120_000 }),
  /** A YAML file of mapping rules (see docs/presence.md); reloaded when it changes. Default: the shipped rules. */
  rulesFile: z.string().min(1).optional(),
  /** Change notifications; without them, presence is polled only. */
  subscriptions: presenceSubscriptionsFileSchema.optional(),
  /** Presence written to Teams (experts in a session); without it, nothing is written. */
  write: presenceWriteFileSchema.optional(),
});

/** The `presence` section as validated. */
export type PresenceFile = z.infer<typeof presenceFileSchema>;

/** The presence engine's resolved settings (file + environment). */
export interface PresenceOptions extends Omit<PresenceFile, 'clientId' | 'jwksUrl' | 'subscriptions'> {
  readonly clientId: string;
  /** Never logged. */
  readonly clientSecret: string;
  readonly jwksUrl: string;
  readonly subscriptions:
    | (Omit<NonNullable<PresenceFile['subscriptions']>, 'notificationBaseUrl'> & {
        readonly notificationBaseUrl: string;
        /** 32 bytes, base64: encrypts the subscriber accounts' token caches at rest. Never logged. */
        readonly tokenCacheKey: string;
      })
    | null;
}

/** The contents of the subscriptions' key files, read and checked at startup by the configuration. */
export interface NotificationKeyMaterial {
  /** The certificate of `certificateFile` as base64 DER: Graph's `encryptionCertificate`. */
  readonly certificateBase64: string;
  /** The private key of `privateKeyFile`, PEM as read (checked with `createPrivateKey`). Never logged. */
  readonly privateKeyPem: string;
}

/**
 * The presence engine's settings with the files they name read and checked (src/config/config-files.ts): the
 * compiled mapping rules, and the subscriptions' certificate and private key.
 */
export interface LoadedPresenceOptions extends Omit<PresenceOptions, 'subscriptions'> {
  /** The rules of `rulesFile`, compiled; the shipped rules without one. Reloads go through `reloadPresenceRules`. */
  readonly rules: MappingRuleSet;
  readonly subscriptions: (NonNullable<PresenceOptions['subscriptions']> & NotificationKeyMaterial) | null;
  /** The agents' mapping of `write.agents.mappingFile`, checked; the shipped mapping without one. */
  readonly agentRules: readonly AgentPresenceRule[];
}
