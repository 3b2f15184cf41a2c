/**
 * Renders the doctor's checklist: ✔ / ✖ / ! / – marks on a terminal, `[ok]` / `[FAIL]` / `[warn]` / `[skip]` when
 * the output is a file or a pipe, each failed or warned line followed by its fix, then a summary line.
 */
import type { CheckResult, CheckStatus } from './check-result.js';

const symbols: Record<CheckStatus, string> = { ok: '✔', fail: '✖', warn: '!', skip: '–' };
const words: Record<CheckStatus, string> = { ok: '[ok]  ', fail: '[FAIL]', warn: '[warn]', skip: '[skip]' };

/** One check as printed lines. */
export function formatCheck(result: CheckResult, tty: boolean): string {
  const mark = tty ? symbols[result.status] : words[result.status];
  const fix = result.fix && (result.status === 'fail' || result.status === 'warn') ? `\n      fix: ${result.fix}` : '';
  return `  ${mark} ${result.name}: ${result.detail}${fix}\n`;
}

/** Counts per status. */
export function tally(results: readonly CheckResult[]): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of results) counts[r.status]++;
  return counts;
}

/** The closing summary line. */
export function formatSummary(results: readonly CheckResult[]): string {
  const c = tally(results);
  const parts = [`${c.ok} passed`, `${c.warn} warning${c.warn === 1 ? '' : 's'}`, `${c.fail} failed`];
  if (c.skip > 0) parts.push(`${c.skip} skipped`);
  const verdict =
    c.fail > 0
      ? `Fix the failed check${c.fail === 1 ? '' : 's'} above, then run uc-connector doctor again.`
      : 'The connector is ready.';
  return `Summary: ${parts.join(', ')}. ${verdict}\n`;
}
