/**
 * What the Teams app package is built from: the bot and app ids, the public domain, the app's name and version.
 * `manifestOptionsSchema` validates them (the config module can compose it into the config file schema) and
 * `describeOptionIssues` turns its issues into problems an admin can act on.
 */
import { z } from 'zod';
import type { PackageProblem } from './package-problem.js';

/** A GUID as the Teams manifest schema accepts it (any version, either case). */
export const guidPattern = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;

/** `x.y.z`, as the Teams manifest schema accepts it for `version`. */
export const manifestVersionPattern = /^([0-9]|[1-9]+[0-9]*)\.([0-9]|[1-9]+[0-9]*)\.([0-9]|[1-9]+[0-9]*)$/;

const guid = z
  .string()
  .trim()
  .regex(guidPattern, { error: 'must be a GUID such as 00000000-0000-0000-0000-000000000000' });

const httpsUrl = z
  .string()
  .trim()
  .refine((value) => URL.canParse(value), { error: 'must be an absolute URL such as https://connector.example.com' })
  .refine((value) => !URL.canParse(value) || new URL(value).protocol === 'https:', {
    error: 'must use https:// (Teams only talks to HTTPS endpoints)',
  });

/**
 * The inputs of the Teams app package. Only `botId` and `publicBaseUrl` are required.
 */
export const manifestOptionsSchema = z.object({
  /** Application (client) ID of the bot's Entra app registration (`MICROSOFT_APP_ID`). Required. */
  botId: guid,
  /** The Teams app id (`manifest.id`). Default: the bot id. */
  teamsAppId: guid.optional(),
  /** App registration whose Graph permissions the connector uses (`webApplicationInfo.id`). Default: the bot id. */
  graphAppId: guid.optional(),
  /** The connector's public HTTPS base URL; its host becomes the valid domain. Required. */
  publicBaseUrl: httpsUrl,
  /** Short name shown in Teams, at most 30 characters. Default: `UC Connector`. */
  name: z.string().trim().min(1, { error: 'must not be empty' }).max(30, { error: 'must be at most 30 characters' }),
  /** Full name, at most 100 characters. Default: the short name. */
  fullName: z.string().trim().min(1).max(100, { error: 'must be at most 100 characters' }).optional(),
  /** Package version `x.y.z`; Teams only accepts an update with a higher version. Default: `1.0.0`. */
  version: z.string().trim().regex(manifestVersionPattern, { error: 'must look like 1.0.0 (three numbers)' }),
  /** Publisher name, at most 32 characters. Default: `Teams UC Connector`. */
  developerName: z.string().trim().min(1).max(32, { error: 'must be at most 32 characters' }),
  /** Publisher website. Default: the public base URL. */
  websiteUrl: httpsUrl.optional(),
  /** Privacy statement. Default: `<publicBaseUrl>/privacy`. */
  privacyUrl: httpsUrl.optional(),
  /** Terms of use. Default: `<publicBaseUrl>/terms`. */
  termsOfUseUrl: httpsUrl.optional(),
  /** Accent color `#rrggbb` behind the icons. Default: `#1F6FB2`. */
  accentColor: z
    .string()
    .trim()
    .regex(/^#[0-9a-fA-F]{6}$/, { error: 'must look like #1F6FB2' }),
});

/** Raw inputs, before defaults: what a caller passes in. */
export type ManifestOptionsInput = z.input<typeof manifestOptionsSchema>;

/** Validated inputs with every default applied. */
export interface ManifestOptions {
  readonly botId: string;
  readonly teamsAppId: string;
  readonly graphAppId: string;
  readonly publicBaseUrl: string;
  /** Host (and port, if any) of `publicBaseUrl`: the manifest's valid domain. */
  readonly domain: string;
  readonly name: string;
  readonly fullName: string;
  readonly version: string;
  readonly developerName: string;
  readonly websiteUrl: string;
  readonly privacyUrl: string;
  readonly termsOfUseUrl: string;
  readonly accentColor: string;
}

/** Defaults for the optional inputs that have a fixed default. */
export const manifestOptionDefaults = {
  name: 'UC Connector',
  version: '1.0.0',
  developerName: 'Teams UC Connector',
  accentColor: '#1F6FB2',
} as const;

/** How to fix each input when it is wrong. */
const fixes: Record<string, string> = {
  botId:
    "set it to the Application (client) ID of the bot's Entra app registration (Azure portal → Azure Bot → Configuration)",
  teamsAppId: 'leave it unset to reuse the bot id, or give the GUID of an existing Teams app to update it',
  graphAppId:
    'leave it unset to reuse the bot id, or give the Application (client) ID that holds the Graph permissions',
  publicBaseUrl: 'set it to the HTTPS address where Teams reaches the connector, e.g. https://connector.example.com',
  name: 'choose a short name of 1 to 30 characters',
  fullName: 'choose a full name of at most 100 characters',
  version: 'use three numbers such as 1.0.0, and raise it for every upload',
  developerName: 'use a publisher name of at most 32 characters',
  websiteUrl: 'use an https:// address',
  privacyUrl: 'use an https:// address',
  termsOfUseUrl: 'use an https:// address',
  accentColor: 'use a color such as #1F6FB2',
};

/** A tagged result: the validated options, or one problem per wrong input. */
export type ParsedManifestOptions =
  | { readonly ok: true; readonly options: ManifestOptions }
  | { readonly ok: false; readonly problems: readonly PackageProblem[] };

/** Validates the inputs, applies defaults, and names every wrong input with its fix. */
export function parseManifestOptions(input: Partial<ManifestOptionsInput>): ParsedManifestOptions {
  const withDefaults = {
    ...input,
    name: input.name ?? manifestOptionDefaults.name,
    version: input.version ?? manifestOptionDefaults.version,
    developerName: input.developerName ?? manifestOptionDefaults.developerName,
    accentColor: input.accentColor ?? manifestOptionDefaults.accentColor,
  };
  const parsed = manifestOptionsSchema.safeParse(withDefaults);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue): PackageProblem => {
      const field = String(issue.path[0] ?? 'options');
      const missing = issue.code === 'invalid_type' && issue.input === undefined;
      return {
        cause: 'options',
        where: field,
        message: missing ? 'is missing' : issue.message,
        fix: fixes[field] ?? 'correct this value',
      };
    });
    return { ok: false, problems };
  }
  const o = parsed.data;
  const base = o.publicBaseUrl.replace(/\/+$/, '');
  return {
    ok: true,
    options: {
      botId: o.botId,
      teamsAppId: o.teamsAppId ?? o.botId,
      graphAppId: o.graphAppId ?? o.botId,
      publicBaseUrl: base,
      domain: new URL(base).host,
      name: o.name,
      fullName: o.fullName ?? o.name,
      version: o.version,
      developerName: o.developerName,
      websiteUrl: o.websiteUrl ?? base,
      privacyUrl: o.privacyUrl ?? `${base}/privacy`,
      termsOfUseUrl: o.termsOfUseUrl ?? `${base}/terms`,
      accentColor: o.accentColor,
    },
  };
}
