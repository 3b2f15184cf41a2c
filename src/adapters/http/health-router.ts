/** Liveness and readiness: `/healthz` answers while the process runs; `/readyz` checks the database and workers. */
import { Router } from 'express';
import type { InteractionStore } from '../../ports/interaction-store.js';
import { problem, sendProblem } from './problem.js';

export function createHealthRouter(store: InteractionStore): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      const outbox = await store.outboxCounts();
      res.json({ status: 'ready', outbox });
    } catch {
      sendProblem(res, problem(503, 'not-ready', 'Not ready', 'The database cannot be reached.'));
    }
  });
  return router;
}
