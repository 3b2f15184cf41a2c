/**
 * Serves the report page at `/reports`: static HTML, CSS and ES modules from `page/` (no bundler). The page asks
 * for a platform API key, keeps it in sessionStorage, and reads the report API with it.
 */
import { fileURLToPath } from 'node:url';
import express from 'express';

const pageDir = fileURLToPath(new URL('./page/', import.meta.url));

/** A strict policy: the page loads only its own files and talks only to this origin. */
const securityHeaders: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** The router serving `/reports` and its assets. */
export function reportPageRouter(): express.Router {
  const router = express.Router();
  router.use('/reports', (_req, res, next) => {
    for (const [k, v] of Object.entries(securityHeaders)) res.setHeader(k, v);
    next();
  });
  router.get('/reports', (_req, res) => {
    res.sendFile('index.html', { root: pageDir });
  });
  router.use('/reports', express.static(pageDir, { index: 'index.html', maxAge: 0 }));
  return router;
}
