/**
 * The doctor's subscriber-account checks: each account listed in `presence.subscriptions.accounts` has a stored,
 * decryptable token cache from which a delegated token is obtained silently (as the connector does), and the
 * accounts together cover every knowledge worker (one subscription per account, at most 650 users each).
 */
import type { TokenSource } from '../../adapters/graph/app-token.js';
import { GraphAuthError } from '../../adapters/graph/graph-errors.js';
import type { PresenceOptions } from '../../adapters/graph/presence-options.js';
import { type CheckResult, describeFailure, failed, passed, skipped } from './check-result.js';

/** Users one presence subscription covers at most (Graph's limit). */
export const USERS_PER_SUBSCRIPTION = 650;

/** How many users the `index`-th account covers when `users` are sharded as the subscription manager does. */
export function usersCoveredBy(index: number, users: number): number {
  return Math.max(0, Math.min(USERS_PER_SUBSCRIPTION, users - index * USERS_PER_SUBSCRIPTION));
}

/** Whether the accounts cover the users, and the fix when they do not. Pure. */
export function checkCoverage(accounts: readonly string[], users: number): CheckResult {
  const name = 'subscription coverage';
  const capacity = accounts.length * USERS_PER_SUBSCRIPTION;
  if (users <= capacity)
    return passed(
      name,
      `${users} knowledge worker(s) fit in ${accounts.length} account(s) × ${USERS_PER_SUBSCRIPTION} = ${capacity}`,
    );
  const needed = Math.ceil(users / USERS_PER_SUBSCRIPTION);
  const more = needed - accounts.length;
  return failed(
    name,
    `${users} knowledge workers need ${needed} subscriber accounts (${USERS_PER_SUBSCRIPTION} each) but ${accounts.length} ${accounts.length === 1 ? 'is' : 'are'} configured: ${users - capacity} are only polled`,
    `add ${more} more subscriber account${more === 1 ? '' : 's'} to presence.subscriptions.accounts and sign each in with uc-connector presence sign-in <upn> (docs/admin.md section 6)`,
  );
}

/** The subscriber account's delegated token source, as the connector builds it. */
export type DelegatedTokenSourceFor = (account: string) => TokenSource;

/** Checks one account: a delegated token is obtained silently from its stored cache. */
export async function checkSubscriberAccount(
  account: string,
  index: number,
  users: number,
  tokensFor: DelegatedTokenSourceFor,
): Promise<CheckResult> {
  const name = `subscriber account ${account}`;
  const covers = usersCoveredBy(index, users);
  const again = `run uc-connector presence sign-in ${account} and sign in as ${account}`;
  try {
    await tokensFor(account).getToken();
    return passed(
      name,
      covers > 0
        ? `signed in; a delegated token was obtained; it covers ${covers} user(s)`
        : 'signed in; a delegated token was obtained; it covers no users now (spare)',
    );
  } catch (error) {
    if (error instanceof GraphAuthError && error.reason === 'account_not_signed_in')
      return failed(name, `never signed in: the ${covers} user(s) it should cover are only polled`, again);
    if (
      error instanceof GraphAuthError &&
      (error.reason === 'invalid_grant' || error.reason === 'interaction_required')
    )
      return failed(
        name,
        `its sign-in no longer works (${error.reason}: password changed, account disabled, consent withdrawn or Conditional Access)`,
        again,
      );
    if (!(error instanceof GraphAuthError))
      return failed(
        name,
        `its stored tokens cannot be read (${describeFailure(error)}): PRESENCE_TOKEN_CACHE_KEY is not the key they were stored with`,
        `restore the previous PRESENCE_TOKEN_CACHE_KEY, or ${again}`,
      );
    return failed(name, `no delegated token (${error.reason})`, again);
  }
}

/** All subscriber checks: one per account, then the coverage. Skipped without subscriptions or a database. */
export async function checkSubscribers(
  presence: PresenceOptions | null,
  users: number,
  tokensFor: DelegatedTokenSourceFor | null,
): Promise<CheckResult[]> {
  const subscriptions = presence?.subscriptions;
  if (!presence) return [];
  if (!subscriptions)
    return [passed('subscriber accounts', 'none configured: presence is polled only (no change notifications)')];
  const results: CheckResult[] = [];
  for (const [i, account] of subscriptions.accounts.entries())
    results.push(
      tokensFor
        ? await checkSubscriberAccount(account, i, users, tokensFor)
        : skipped(`subscriber account ${account}`, 'needs the database, where its tokens are kept'),
    );
  results.push(checkCoverage(subscriptions.accounts, users));
  return results;
}
