/**
 * `GET /privacy` and `GET /terms`: the privacy statement and terms of use the Teams app package links to
 * (`privacyUrl`, `termsOfUseUrl` default to `<PUBLIC_BASE_URL>/privacy` and `/terms`). Plain, readable HTML saying
 * what the connector processes, where it keeps it and for how long. Organizations that publish their own pages
 * point the manifest elsewhere.
 */
import { Router } from 'express';

const style =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}' +
  'h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:1.6rem}li{margin:.25rem 0}';

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — Teams UC Connector</title><style>${style}</style></head>
<body>
<h1>${title}</h1>
${body}
</body>
</html>
`;
}

/** The privacy statement's HTML. */
export const privacyPage = page(
  'Privacy statement',
  `<p>The Teams UC Connector is run by your organization, on its own servers, to let contact-center agents reach
experts in Microsoft Teams. Everything it keeps stays in your organization's database; nothing is sent to the
makers of the software.</p>
<h2>What it processes</h2>
<ul>
<li><strong>Presence.</strong> Each expert's Teams availability and activity, read from Microsoft Graph, turned into
a contact-center state (ready, busy, not ready). Changes of state are kept with their times, for reporting time in
state.</li>
<li><strong>Names and contact details.</strong> Display names, Entra object ids, user principal names (sign-in
addresses) and phone numbers or extensions of experts, and names of agents, so agents can pick an expert and be
handed a number to transfer or conference a call.</li>
<li><strong>Messages.</strong> What agents, customers and experts write in a consultation or chat relayed through
the Teams bot, and the cards shown (invitations with the case information the contact center attached).</li>
<li><strong>Transcripts and reporting.</strong> The transcript of each session, and one reporting record per
participation (who was offered what, accepted, declined or timed out, and for how long).</li>
<li><strong>Technical data.</strong> The Teams conversation with each expert (so the bot can write first), the
tokens of the accounts that subscribe to presence changes (encrypted), and service logs, which never hold secrets
or tokens.</li>
</ul>
<h2>Who sees it</h2>
<p>Experts see the sessions they take part in. Agents see the sessions they work on and the states of experts.
Administrators of the connector and the contact center's reporting see what their roles allow. Microsoft processes
Teams and Graph data as your organization's agreement with Microsoft describes.</p>
<h2>How long it is kept</h2>
<p>The connector deletes nothing on its own: presence history, transcripts and reporting records stay in your
organization's database, and in its backups, until your administrators delete them according to your organization's
retention policy. An expert's Teams conversation is forgotten when they remove the app.</p>
<h2>Questions</h2>
<p>Ask your organization's IT or privacy contact; they run this service and can tell you what is kept about you,
correct it or delete it.</p>`,
);

/** The terms of use's HTML. */
export const termsPage = page(
  'Terms of use',
  `<p>The Teams UC Connector is an internal tool provided by your organization for contacting experts on behalf of
customers. By using it in Teams you agree to these terms and to your organization's policies.</p>
<h2>Use</h2>
<ul>
<li>Use it for your organization's work only. Share with a customer's case only what the case needs.</li>
<li>Messages you send in a session are relayed to the agent and may reach the customer, and they are kept as the
session's transcript (see the <a href="/privacy">privacy statement</a>).</li>
<li>Accepting an invitation makes you a participant of that session until it ends; decline when you cannot help.</li>
<li>Your Teams presence decides whether invitations are offered to you. Set yourself to Do not disturb or Away to
stop them.</li>
</ul>
<h2>Service</h2>
<p>The service is run by your organization's IT, which may change or stop it. It is provided as is; your organization
decides its availability and support. Report problems to your IT helpdesk.</p>`,
);

/** The router serving both pages as `text/html`. */
export function createLegalPagesRouter(): Router {
  const router = Router();
  router.get('/privacy', (_req, res) => {
    res.type('html').send(privacyPage);
  });
  router.get('/terms', (_req, res) => {
    res.type('html').send(termsPage);
  });
  return router;
}
