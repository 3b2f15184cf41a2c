/**
 * RFC 9457 problem documents: every error the HTTP API returns has `type`, `title`, `status`, `detail`, and for
 * bad input the fields at fault. Unexpected errors are logged and answered with a generic 500 (no internals leak).
 */
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';

/** One invalid field of a request. */
export interface InvalidParam {
  readonly name: string;
  readonly reason: string;
}

/** An RFC 9457 problem document. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string | undefined;
  readonly code?: string | undefined;
  readonly 'invalid-params'?: readonly InvalidParam[] | undefined;
}

/** An error that the error boundary answers as the given problem document. */
export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ProblemError';
  }
}

const base = 'https://github.com/teams-uc-connector/problems/';

/** Builds a problem document; `type` is a stable URI per kind of problem. */
export function problem(
  status: number,
  slug: string,
  title: string,
  detail?: string,
  extra: Partial<Problem> = {},
): Problem {
  return { type: `${base}${slug}`, title, status, ...(detail ? { detail } : {}), ...extra };
}

/** Sends a problem document. */
export function sendProblem(res: Response, p: Problem): void {
  res.status(p.status).type('application/problem+json').send(JSON.stringify(p));
}

/** The one error boundary of the HTTP API. */
export function problemErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (error instanceof ProblemError) return sendProblem(res, error.problem);
    const status =
      typeof error?.status === 'number' ? error.status : typeof error?.statusCode === 'number' ? error.statusCode : 500;
    if (status === 400 && error?.type === 'entity.parse.failed') {
      return sendProblem(res, problem(400, 'malformed-json', 'Malformed JSON', 'The request body is not valid JSON.'));
    }
    if (status === 413)
      return sendProblem(res, problem(413, 'too-large', 'Request too large', 'The request body is too large.'));
    if (status >= 400 && status < 500) return sendProblem(res, problem(status, 'bad-request', 'Bad request'));
    logger.error({ err: error, method: req.method, path: req.path }, 'request failed');
    return sendProblem(
      res,
      problem(500, 'internal', 'Internal error', 'The connector could not complete the request.'),
    );
  };
}
