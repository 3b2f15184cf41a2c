/**
 * What the OpenAPI and AsyncAPI documents say of the project: who to contact. One place, so the two documents agree.
 */

/** The `info.contact` of both documents. */
export const documentContact = { name: 'Teams UC Connector', url: 'https://github.com/teams-uc-connector' } as const;
