/**
 * Entra groups as routing points' members: a routing point whose members are an Entra group offers work to the
 * group's users. Users the configured directory does not list join the directory from what Graph says of them
 * (name, UPN, e-mail, phones) with default routing settings, so admins manage such a pool in Entra alone; entries of
 * the configured directory always win (they carry skills, priority and voice settings).
 */
import { type KnowledgeWorker, knowledgeWorkerSchema } from './knowledge-worker.js';

/** A user as Graph lists them among a group's members (`$select=id,displayName,userPrincipalName,mail,…`). */
export interface EntraUser {
  /** The Entra object id. */
  readonly id: string;
  readonly displayName: string | null;
  readonly userPrincipalName: string | null;
  readonly mail: string | null;
  readonly businessPhones: readonly string[];
  readonly mobilePhone: string | null;
}

/** A directory entry for an Entra user the configured directory does not list (default routing settings). */
export function knowledgeWorkerFromEntra(user: EntraUser): KnowledgeWorker {
  const base = { id: user.id, name: user.displayName?.trim() || user.userPrincipalName || user.id };
  const full = knowledgeWorkerSchema.safeParse({
    ...base,
    ...(user.mail && { email: user.mail }),
    ...(user.userPrincipalName && { upn: user.userPrincipalName }),
    businessPhones: [...user.businessPhones],
    mobilePhone: user.mobilePhone,
  });
  // A value Graph holds but the directory refuses (an odd e-mail, say) is left out rather than the person.
  return full.success ? full.data : knowledgeWorkerSchema.parse(base);
}

/**
 * The directory routing works with: the configured entries, then every group member they do not list (once, in
 * the order the groups list them).
 */
export function directoryWithGroupMembers(
  configured: readonly KnowledgeWorker[],
  groups: Iterable<readonly EntraUser[]>,
): KnowledgeWorker[] {
  const out = [...configured];
  const known = new Set(configured.map((kw) => kw.id));
  for (const members of groups) {
    for (const user of members) {
      if (known.has(user.id)) continue;
      known.add(user.id);
      out.push(knowledgeWorkerFromEntra(user));
    }
  }
  return out;
}
