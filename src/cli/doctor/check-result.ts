/**
 * One line of `uc-connector doctor`'s checklist: what was checked, how it went, what was found, and the fix when it
 * is not fine. Checks are small functions returning these values; printing and the exit code are decided elsewhere.
 */

/** `ok` passed; `warn` works but deserves a look; `fail` breaks the connector; `skip` could not run (a check it needs failed). */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** The outcome of one check. */
export interface CheckResult {
  /** What was checked, e.g. `Graph permission User.Read.All`. */
  readonly name: string;
  readonly status: CheckStatus;
  /** What was found, in one or a few sentences. Never a secret. */
  readonly detail: string;
  /** What to do about it (for `warn` and `fail`). */
  readonly fix?: string | undefined;
}

/** A passed check. */
export const passed = (name: string, detail: string): CheckResult => ({ name, status: 'ok', detail });

/** A failed check with its fix. */
export const failed = (name: string, detail: string, fix: string): CheckResult => ({
  name,
  status: 'fail',
  detail,
  fix,
});

/** A warning with its fix. */
export const warned = (name: string, detail: string, fix: string): CheckResult => ({
  name,
  status: 'warn',
  detail,
  fix,
});

/** A check that could not run because `because` (an earlier check) failed or does not apply. */
export const skipped = (name: string, because: string): CheckResult => ({ name, status: 'skip', detail: because });

/** A secret-free description of why a call failed: the network error code, or the error's own message. */
export function describeFailure(error: unknown): string {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e instanceof Error; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+/.test(code)) return code;
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'no answer in time';
    e = e.cause;
  }
  return error instanceof Error ? error.message : String(error);
}
