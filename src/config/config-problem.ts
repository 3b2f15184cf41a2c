/**
 * One thing wrong with the configuration, as every reader of it reports it: the key, where it was read (the
 * environment, the configuration file, or a file the configuration names), the line, what is wrong and the fix.
 */

/** One thing wrong with the configuration. */
export interface ConfigProblem {
  /** `PORT`, or `routingPoints[0].members[2]` in the file, or `presence.rulesFile` for a file it names. */
  readonly key: string;
  readonly where: 'environment' | 'file';
  /**
   * The file {@link line} is in when it is not the configuration file itself but one the configuration names
   * (`presence.rulesFile`, the certificate, the private key); absent for the configuration file.
   */
  readonly file?: string | undefined;
  /** 1-based line in the configuration file (or in {@link file}); null when no line applies. */
  readonly line: number | null;
  readonly message: string;
  readonly fix: string;
}

/**
 * One problem as a line for people: `routingPoints[0].members[1] (connector.yaml line 12): … Fix: …`; a problem in
 * a file the configuration names shows that file: `presence.rulesFile (config/rules.yaml line 3): … Fix: …`.
 */
export function formatProblem(p: ConfigProblem, configPath: string): string {
  const line = p.line ? ` line ${p.line}` : '';
  const where = p.where === 'environment' ? 'environment' : `${p.file ?? configPath}${line}`;
  return `${p.key} (${where}): ${p.message}. Fix: ${p.fix}.`;
}
