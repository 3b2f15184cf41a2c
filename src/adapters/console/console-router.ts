/**
 * The agent console at `/console`: static HTML, ES modules and CSS from `public/` (no build step). The page talks
 * only to the public agent API. A strict Content-Security-Policy allows nothing but this origin.
 */
import { fileURLToPath } from 'node:url';
import express from 'express';

/** The directory the console's files are served from. */
export const consoleDirectory = fileURLToPath(new URL('./public/', import.meta.url));

/** Where the console is served. */
export const consolePath = '/console';

const securityHeaders: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-cache',
};

/** Serves the console; `/console` redirects to `/console/`. */
export function createConsoleRouter(): express.Router {
  const router = express.Router();
  router.use(
    consolePath,
    (_req, res, next) => {
      for (const [name, value] of Object.entries(securityHeaders)) res.setHeader(name, value);
      next();
    },
    express.static(consoleDirectory, { index: 'index.html', redirect: true, dotfiles: 'ignore' }),
  );
  return router;
}
