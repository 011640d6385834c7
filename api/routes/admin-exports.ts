// Exports: a recorded request, downloaded as CSV streamed from a database cursor, with the key in the header or through
// a signed short-lived link (domain/signed-links.ts); roles in api/route-roles.ts.
import { Router, type Response } from 'express';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { createExport, EXPORT_COLUMNS, exportQuery, getExport, type ExportRow } from '../../db/queries/exports.ts';
import { signLink, verifyLink } from '../../domain/signed-links.ts';
import { GoneError, NotFoundError } from '../../domain/errors.ts';
import type { ExportView } from '../../contracts/import-views.ts';
import { linkSigningKey } from '../../providers/link-signing-key.ts';
import type { AppDeps } from '../context.ts';
import { actorOf, tenantOf } from '../context.ts';
import { createExportBody } from '../schemas-bulk.ts';

const PURPOSE = 'export-download';

/** Streams an export's rows through csv-stringify (UTF-8 with BOM) to the answer; memory stays flat whatever the size. */
async function sendCsv(deps: AppDeps, res: Response, tenantId: string, e: ExportRow): Promise<void> {
  res.status(200).type('text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${e.kind}-${e.id}.csv"`);
  const csv = stringify({ header: true, bom: true, columns: EXPORT_COLUMNS[e.kind], cast: { boolean: (b) => String(b) } });
  const rows = new Transform({ objectMode: true, transform: (chunk: { data: unknown }, _enc, done) => done(null, chunk.data) });
  let piped: Promise<void> = Promise.resolve();
  try {
    await deps.pool.stream(exportQuery(tenantId, e), (stream) => {
      piped = pipeline(stream as unknown as NodeJS.ReadableStream, rows, csv, res);
    });
    await piped;
  } catch (err) {
    // Once bytes are out no problem answer can follow: cut the download short, so the client sees it incomplete.
    if (!res.headersSent) throw err;
    deps.logger.warn({ err, exportId: e.id }, 'export download interrupted');
    res.destroy();
  }
}

/** POST /admin/exports, GET /admin/exports/:id, GET /admin/exports/:id/download. */
export function adminExportRoutes(deps: AppDeps): Router {
  const { pool, config } = deps;
  const key = linkSigningKey(config);
  const r = Router();
  const view = (tenantId: string, e: ExportRow): ExportView => {
    const expiresAt = Date.now() + config.EXPORT_LINK_TTL;
    const token = signLink({ purpose: PURPOSE, id: e.id, tenantId, expiresAt }, key);
    return { ...e, status: 'ready', download_url: `/export-downloads/${token}`, download_url_expires_at: new Date(expiresAt).toISOString() };
  };

  r.post('/exports', async (req, res) => {
    const t = tenantOf(req);
    const body = createExportBody.parse(req.body ?? {});
    const e = await createExport(pool, t.id, { kind: body.kind, from: body.from ?? null, to: body.to ?? null }, actorOf(req));
    res.status(202).json(view(t.id, e));
  });
  r.get('/exports/:id', async (req, res) => {
    const t = tenantOf(req);
    res.json(view(t.id, await getExport(pool, t.id, req.params.id)));
  });
  r.get('/exports/:id/download', async (req, res) => {
    const t = tenantOf(req);
    await sendCsv(deps, res, t.id, await getExport(pool, t.id, req.params.id));
  });
  return r;
}

/** GET /export-downloads/:token: the signed link needs no key (410 once expired, 404 when forged or altered). */
export function exportDownloadRoutes(deps: AppDeps): Router {
  const key = linkSigningKey(deps.config);
  const r = Router();
  r.get('/export-downloads/:token', async (req, res) => {
    const claims = verifyLink(req.params.token, PURPOSE, key, Date.now());
    if (claims === 'invalid') throw new NotFoundError('download link');
    if (claims === 'expired') throw new GoneError('this download link has expired: GET /admin/exports/:id gives a new one');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    await sendCsv(deps, res, claims.tenantId, await getExport(deps.pool, claims.tenantId, claims.id));
  });
  return r;
}
