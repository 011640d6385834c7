// /openapi.json operations of bulk work: CSV imports (a workflow per file) and exports (streamed CSV downloads).
import { createExportBody, createImportBody, importAccepted } from './schemas-bulk.ts';
import { exportView, importView } from '../contracts/import-views.ts';
import type { Op } from './openapi-operation.ts';

/** Imports, exports and their downloads. */
export const BULK_OPERATIONS: Op[] = [
  {
    method: 'post',
    path: '/admin/imports',
    summary: 'Upload a product CSV (one row per variant; upserts by SKU); runs as the productImport workflow import:<tenant>:<id>',
    auth: 'admin',
    body: createImportBody,
    response: importAccepted,
    status: 202,
  },
  { method: 'get', path: '/admin/imports/{id}', summary: 'Progress of an import, with failed rows and their CSV lines', auth: 'admin', response: importView },
  {
    method: 'post',
    path: '/admin/exports',
    summary: 'Record an export of orders (one row per line), products (one row per variant) or payouts for a date range',
    auth: 'admin',
    body: createExportBody,
    response: exportView,
    status: 202,
  },
  { method: 'get', path: '/admin/exports/{id}', summary: 'An export with a fresh signed, short-lived download_url', auth: 'admin', response: exportView },
  { method: 'get', path: '/admin/exports/{id}/download', summary: 'The export as CSV (text/csv, UTF-8 with BOM), with the key in the header', auth: 'admin' },
  {
    method: 'get',
    path: '/export-downloads/{token}',
    summary: 'The export as CSV through its signed link (no key; 410 gone once expired, 404 for a forged or altered link)',
    auth: 'none',
  },
];
