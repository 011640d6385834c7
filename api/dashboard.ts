// GET /dashboard: the back-office web app (built by `npm run build:dashboard` into DASHBOARD_DIR), as static files under a
// CSP that admits only this origin: no script, style, font or image from another host, no inline script, no framing.
import express, { Router, type RequestHandler } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UnavailableError } from '../domain/errors.ts';

/** The dashboard's Content-Security-Policy (the API's own answers keep `default-src 'none'`). */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const csp: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
  next();
};

/** Serves the built app; 503 in words when it was never built (rather than a bare 404). */
export function dashboardRoutes(dir: string): Router {
  const root = path.resolve(dir);
  const index = path.join(root, 'index.html');
  const r = Router();
  // Hashed file names: cache for a year. index.html names them, so it is revalidated every time.
  r.use('/dashboard/assets', csp, express.static(path.join(root, 'assets'), { immutable: true, maxAge: '365d', index: false }));
  r.get(['/dashboard', '/dashboard/', '/dashboard/index.html'], csp, (_req, res) => {
    if (!existsSync(index)) throw new UnavailableError('the dashboard is not built: run `npm run build:dashboard` (npm start builds it)');
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return r;
}
