/**
 * `GET /metrics` in the Prometheus text format. When a token is configured (`METRICS_TOKEN`), scrapes must send
 * `Authorization: Bearer <token>` (compared in constant time); without one the endpoint is open, which suits a
 * private network (the metrics name queues and routing points, never people or messages).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import express from 'express';
import type { Registry } from 'prom-client';
import { ProblemError, problem } from '../http/problem.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The router serving `/metrics` from `registry`, guarded by `token` when it is set. */
export function createMetricsRouter(registry: Registry, token: string | null): express.Router {
  const router = express.Router();
  const expected = token ? digest(token) : null;
  router.get('/metrics', async (req, res, next) => {
    try {
      if (expected) {
        const header = req.get('authorization') ?? '';
        const given = header.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : '';
        if (!given || !timingSafeEqual(digest(given), expected)) {
          res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
          throw new ProblemError(
            problem(401, 'unauthenticated', 'Unauthenticated', 'Send the metrics token as "Authorization: Bearer …".'),
          );
        }
      }
      const body = await registry.metrics();
      res.setHeader('Content-Type', registry.contentType);
      res.setHeader('Cache-Control', 'no-store');
      res.send(body);
    } catch (error) {
      next(error);
    }
  });
  return router;
}
