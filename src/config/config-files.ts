/**
 * The files the configuration names, read and checked at startup so a problem with one is a configuration problem
 * (key, path or line, fix) rather than a failure while the connector builds: `presence.rulesFile` (compiled mapping
 * rules), `presence.subscriptions.certificateFile` (base64 DER for Graph) and `presence.subscriptions.privateKeyFile`
 * (PEM, checked with `createPrivateKey`; its content never appears in a message). Also the rules file's re-read for
 * hot reload; the watcher stays with the presence feature. Reading goes through an injected {@link ReadTextFile}.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LoadedPresenceOptions, PresenceOptions } from '../adapters/graph/presence-options.js';
import {
  type AgentPresenceRule,
  DEFAULT_AGENT_PRESENCE_RULES,
  parseAgentPresenceFile,
} from '../domain/presence/agent-presence.js';
import { compileMappingRules, DEFAULT_MAPPING_RULES, type MappingRuleSet } from '../domain/presence/mapping-rules.js';
import { parseRulesFile } from '../domain/presence/rules-file.js';
import type { ConfigProblem } from './config-problem.js';
import type { Config } from './read-config.js';

/** Reads a file's text (UTF-8) by the path the configuration gives; throws Node's errors (`ENOENT`, `EACCES`, …). */
export type ReadTextFile = (path: string) => string;

/** Reads files with relative paths resolved against `cwd` (default: the process's working directory). */
export function readTextFileIn(cwd: string = process.cwd()): ReadTextFile {
  return (path) => readFileSync(resolve(cwd, path), 'utf8');
}

/** The configuration with the files it names read and checked: what the connector is built from. */
export interface LoadedConfig extends Omit<Config, 'presence'> {
  /** The presence engine with its rules, certificate and key; null without a `presence` section. */
  readonly presence: LoadedPresenceOptions | null;
}

/** The loaded configuration, or every problem with the files it names. */
export type LoadedConfigResult =
  | { readonly ok: true; readonly config: LoadedConfig }
  | { readonly ok: false; readonly problems: ConfigProblem[] };

/** A re-read of the rules file: the compiled rules, or the problem (with the rules file's line when it has one). */
export type RulesReload =
  | { readonly ok: true; readonly rules: MappingRuleSet }
  | { readonly ok: false; readonly problem: ConfigProblem };

const RULES_KEY = 'presence.rulesFile';
const CERTIFICATE_KEY = 'presence.subscriptions.certificateFile';
const PRIVATE_KEY_KEY = 'presence.subscriptions.privateKeyFile';
const AGENT_MAPPING_KEY = 'presence.write.agents.mappingFile';

/** What each file is, for the fix of a file that cannot be read. */
const wanted: Record<string, string> = {
  [RULES_KEY]: 'the mapping rules file (docs/presence.md), or remove it for the shipped rules',
  [CERTIFICATE_KEY]: 'the PEM certificate Graph encrypts presence data with (docs/admin.md section 6)',
  [PRIVATE_KEY_KEY]: "that certificate's private key, a PEM file (docs/admin.md section 6)",
  [AGENT_MAPPING_KEY]: "the agents' presence mapping file (docs/presence.md), or remove it for the shipped mapping",
};

/**
 * Reads and checks the files `config` names. Without a `presence` section there is nothing to read. Relative paths
 * are resolved by `readFile` (default: against the working directory, as the connector always has).
 */
export function loadConfigFiles(config: Config, readFile: ReadTextFile = readTextFileIn()): LoadedConfigResult {
  const presence = config.presence;
  if (!presence) return { ok: true, config: { ...config, presence: null } };
  const problems: ConfigProblem[] = [];
  const rules = presence.rulesFile
    ? reloadPresenceRules(presence.rulesFile, readFile)
    : { ok: true as const, rules: compileMappingRules(DEFAULT_MAPPING_RULES) };
  if (!rules.ok) problems.push(rules.problem);
  const subscriptions = presence.subscriptions ? readKeyMaterial(presence.subscriptions, readFile, problems) : null;
  const mappingFile = presence.write?.agents?.mappingFile;
  const agents = mappingFile
    ? reloadAgentPresenceMapping(mappingFile, readFile)
    : { ok: true as const, rules: DEFAULT_AGENT_PRESENCE_RULES };
  if (!agents.ok) problems.push(agents.problem);
  if (!rules.ok || !agents.ok || problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: { ...config, presence: { ...presence, rules: rules.rules, subscriptions, agentRules: agents.rules } },
  };
}

/** Reads and checks the agents' presence mapping file again (hot reload); never throws. */
export function reloadAgentPresenceMapping(
  path: string,
  readFile: ReadTextFile = readTextFileIn(),
): { ok: true; rules: readonly AgentPresenceRule[] } | { ok: false; problem: ConfigProblem } {
  const text = readText(AGENT_MAPPING_KEY, path, readFile);
  if (!text.ok) return { ok: false, problem: text.problem };
  const parsed = parseAgentPresenceFile(text.text);
  if (parsed.ok) return { ok: true, rules: parsed.rules };
  return {
    ok: false,
    problem: {
      key: AGENT_MAPPING_KEY,
      where: 'file',
      file: path,
      line: parsed.line,
      message: parsed.message,
      fix: `correct the entry at line ${parsed.line} of ${path} (the format is in docs/presence.md), or remove ${AGENT_MAPPING_KEY} for the shipped mapping`,
    },
  };
}

/**
 * Reads and compiles the rules file again, for hot reload: the caller keeps its current rules on a problem and logs
 * it (`line` is the rules file's line for an invalid rule, null when the file cannot be read; `message` is the
 * parser's, e.g. `rules.0.state: Invalid option…`). Never throws.
 */
export function reloadPresenceRules(path: string, readFile: ReadTextFile = readTextFileIn()): RulesReload {
  const text = readText(RULES_KEY, path, readFile);
  if (!text.ok) return { ok: false, problem: text.problem };
  const parsed = parseRulesFile(text.text);
  if (parsed.ok) return { ok: true, rules: parsed.rules };
  return {
    ok: false,
    problem: {
      key: RULES_KEY,
      where: 'file',
      file: path,
      line: parsed.line,
      message: parsed.message,
      fix: `correct the rule at line ${parsed.line} of ${path} (the format is in docs/presence.md), or remove ${RULES_KEY} for the shipped rules`,
    },
  };
}

type Subscriptions = NonNullable<PresenceOptions['subscriptions']>;

/** The certificate and the key of `subscriptions`, or null with their problems added to `problems`. */
function readKeyMaterial(
  subscriptions: Subscriptions,
  readFile: ReadTextFile,
  problems: ConfigProblem[],
): LoadedPresenceOptions['subscriptions'] {
  const certificateBase64 = readCertificate(subscriptions.certificateFile, readFile, problems);
  const privateKeyPem = readPrivateKey(subscriptions.privateKeyFile, readFile, problems);
  if (certificateBase64 === null || privateKeyPem === null) return null;
  return { ...subscriptions, certificateBase64, privateKeyPem };
}

function readCertificate(path: string, readFile: ReadTextFile, problems: ConfigProblem[]): string | null {
  const text = readText(CERTIFICATE_KEY, path, readFile);
  if (!text.ok) {
    problems.push(text.problem);
    return null;
  }
  try {
    return new X509Certificate(text.text).raw.toString('base64');
  } catch {
    problems.push(
      fileProblem(
        CERTIFICATE_KEY,
        `${path} is not a certificate in PEM form`,
        `point ${CERTIFICATE_KEY} at the certificate's PEM file (it starts with -----BEGIN CERTIFICATE-----), not at its key`,
      ),
    );
    return null;
  }
}

function readPrivateKey(path: string, readFile: ReadTextFile, problems: ConfigProblem[]): string | null {
  const text = readText(PRIVATE_KEY_KEY, path, readFile);
  if (!text.ok) {
    problems.push(text.problem);
    return null;
  }
  try {
    createPrivateKey(text.text);
    return text.text;
  } catch (error) {
    // Only the error's code is used: OpenSSL's messages never carry the key, but nothing of it is passed on.
    const code = (error as { code?: unknown }).code;
    problems.push(
      code === 'ERR_MISSING_PASSPHRASE'
        ? fileProblem(
            PRIVATE_KEY_KEY,
            `${path} is encrypted with a passphrase, which the connector does not take`,
            `store the key unencrypted (openssl pkey -in <key> -out <new key>) in a file only the connector's user can read`,
          )
        : fileProblem(
            PRIVATE_KEY_KEY,
            `${path} is not a private key in PEM form (PKCS#8 or PKCS#1)`,
            `point ${PRIVATE_KEY_KEY} at the certificate's private key (it starts with -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)`,
          ),
    );
    return null;
  }
}

type TextRead = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly problem: ConfigProblem };

/** A file's text, or the problem naming the key, the path and why it cannot be read. */
function readText(key: string, path: string, readFile: ReadTextFile): TextRead {
  try {
    return { ok: true, text: readFile(path) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const fix = `point ${key} at ${wanted[key] ?? 'the right file'}`;
    if (code === 'ENOENT') return { ok: false, problem: fileProblem(key, `${path} does not exist`, fix) };
    if (code === 'EACCES' || code === 'EPERM')
      return {
        ok: false,
        problem: fileProblem(
          key,
          `${path} cannot be read (permission denied)`,
          `let the connector's user read ${path}`,
        ),
      };
    if (code === 'EISDIR') return { ok: false, problem: fileProblem(key, `${path} is a directory`, fix) };
    const why = typeof code === 'string' ? code : 'unknown error';
    return { ok: false, problem: fileProblem(key, `${path} cannot be read (${why})`, fix) };
  }
}

function fileProblem(key: string, message: string, fix: string): ConfigProblem {
  return { key, where: 'file', line: null, message, fix };
}
