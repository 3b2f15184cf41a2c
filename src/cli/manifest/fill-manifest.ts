/**
 * Fills the manifest template (`manifest/manifest.template.json`) with the package options. Placeholders are
 * `{{name}}` tokens inside JSON strings, replaced after parsing so a value can never break the JSON. The bots'
 * command lists are written from the bot's own commands (`BOT_COMMANDS`), so the menu Teams shows is what the bot
 * answers. Pure.
 */
import { BOT_COMMANDS } from '../../adapters/teams/bot-commands.js';
import type { ManifestOptions } from './manifest-options.js';
import type { PackageProblem } from './package-problem.js';

/** A filled manifest, as plain JSON data. */
export type ManifestJson = Record<string, unknown>;

/** A tagged result: the filled manifest, or the template's problems. */
export type FilledManifest =
  | { readonly ok: true; readonly manifest: ManifestJson }
  | { readonly ok: false; readonly problems: readonly PackageProblem[] };

const placeholder = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;

/** Parses the template text and replaces every `{{option}}` with the option's value. */
export function fillManifest(templateText: string, options: ManifestOptions, templateName: string): FilledManifest {
  let template: unknown;
  try {
    template = JSON.parse(templateText);
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : 'unreadable JSON';
    return {
      ok: false,
      problems: [
        {
          cause: 'template',
          where: templateName,
          message: `is not valid JSON (${reason})`,
          fix: 'repair the JSON syntax',
        },
      ],
    };
  }
  if (typeof template !== 'object' || template === null || Array.isArray(template)) {
    return {
      ok: false,
      problems: [
        { cause: 'template', where: templateName, message: 'must hold a JSON object', fix: 'restore the template' },
      ],
    };
  }
  const values: Record<string, string> = { ...options };
  const unknown = new Set<string>();
  const fill = (node: unknown): unknown => {
    if (typeof node === 'string') {
      return node.replace(placeholder, (token, key: string) => {
        const value = values[key];
        if (value === undefined) {
          unknown.add(key);
          return token;
        }
        return value;
      });
    }
    if (Array.isArray(node)) return node.map(fill);
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fill(v)]));
    }
    return node;
  };
  const manifest = fill(template) as ManifestJson;
  if (unknown.size > 0) {
    const known = Object.keys(values).join(', ');
    return {
      ok: false,
      problems: [...unknown].map((key) => ({
        cause: 'template' as const,
        where: templateName,
        message: `uses the unknown placeholder {{${key}}}`,
        fix: `use one of: ${known}`,
      })),
    };
  }
  return { ok: true, manifest: withBotCommands(manifest) };
}

/** The manifest with every bot's command lists holding the bot's commands (`BOT_COMMANDS`). */
export function withBotCommands(manifest: ManifestJson): ManifestJson {
  if (!Array.isArray(manifest.bots)) return manifest;
  const commands = BOT_COMMANDS.map(({ title, description }) => ({ title, description }));
  const bots = manifest.bots.map((bot: unknown) => {
    if (typeof bot !== 'object' || bot === null) return bot;
    const { commandLists } = bot as { commandLists?: unknown };
    const lists = Array.isArray(commandLists) ? commandLists : [{ scopes: ['personal'] }];
    return { ...bot, commandLists: lists.map((list: unknown) => ({ ...(list as object), commands })) };
  });
  return { ...manifest, bots };
}
