/**
 * Where a call at a voice routing point goes, read from its interaction (seed 000 step 8): still previewing, routed
 * to the knowledge worker (at once by the `direct` rule, or because they accepted the preview), or to the default
 * route (they declined, the preview timed out, or it could not be delivered to them in Teams); or abandoned (the
 * caller hung up first). Pure.
 */
import type { Interaction } from '../interaction/types.js';

/** Why the call went where it went. */
export type CallDecisionReason = 'direct' | 'accepted' | 'declined' | 'timed_out' | 'undeliverable';

/** The state of a call's decision. */
export type CallDecision =
  | { readonly status: 'previewing'; readonly expiresAt: number }
  /** The caller hung up while the preview was open: the call goes nowhere. */
  | { readonly status: 'abandoned'; readonly abandonedAt: number }
  | {
      readonly status: 'decided';
      readonly route: 'knowledge-worker';
      readonly reason: 'direct' | 'accepted';
      readonly decidedAt: number;
    }
  | {
      readonly status: 'decided';
      readonly route: 'default';
      readonly reason: 'declined' | 'timed_out' | 'undeliverable';
      readonly decidedAt: number;
    };

/** The decision of a voice call's interaction (`media` `voice`). */
export function callDecisionOf(ix: Interaction): CallDecision {
  const inv = ix.invitations[0];
  if (ix.endedAt === null) return { status: 'previewing', expiresAt: inv?.dueAt ?? ix.createdAt };
  const decidedAt = ix.endedAt;
  if (!inv) return { status: 'decided', route: 'knowledge-worker', reason: 'direct', decidedAt };
  if (inv.state === 'customer_abandoned') return { status: 'abandoned', abandonedAt: decidedAt };
  if (inv.state === 'accepted') return { status: 'decided', route: 'knowledge-worker', reason: 'accepted', decidedAt };
  const reason = inv.state === 'rejected' ? 'declined' : inv.state === 'timed_out' ? 'timed_out' : 'undeliverable';
  return { status: 'decided', route: 'default', reason, decidedAt };
}
