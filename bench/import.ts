// Bulk import and export scenario (DESIGN §9 "bulk import": 10,000 CSV rows in ≤ 60 s). `node bench/import.ts` runs it on
// its own stack; `npm run bench` runs it too. Uploads IMPORT_BENCH_ROWS (default 10,000) rows of 2 variants per product
// through POST /admin/imports, times the import from upload to `completed`, then downloads the products export of the
// same catalog, sampling the API's RSS while it streams (a flat line: rows go from a cursor straight to the socket).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'csv-stringify/sync';
import { PRODUCT_CSV_COLUMNS } from '../domain/imports.ts';
import { startBenchStack } from './bench-stack.ts';
import { peakRss, rssMb } from './process-memory.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The figures of one run. */
export type ImportBench = {
  rows: number;
  csv_bytes: number;
  import_s: number;
  rows_per_s: number;
  created: number;
  failed: number;
  export_rows: number;
  export_s: number;
  api_rss_mb_before_export: number;
  api_rss_mb_peak_export: number;
};

/** Imports `rows` rows through the API at `apiUrl` and exports them back; `apiPid` is sampled for RSS. */
export async function benchImport(apiUrl: string, adminKey: string, apiPid: number, rows = 10_000): Promise<ImportBench> {
  const auth = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
  const records = Array.from({ length: rows }, (_, i) => ({
    handle: `bench-import-${Math.floor(i / 2)}`,
    title: `Bench import ${Math.floor(i / 2)}`,
    status: 'published',
    sku: `BI-${i}`,
    variant_title: `V${i % 2}`,
    price: String(1000 + (i % 500)),
    currency: 'JPY',
    on_hand: '50',
    category: '',
    vendor_id: '',
  }));
  const csv = stringify(records, { header: true, columns: [...PRODUCT_CSV_COLUMNS] });
  const started = Date.now();
  const upload = await fetch(`${apiUrl}/admin/imports`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ kind: 'products', format: 'csv', content: csv }),
  });
  if (upload.status !== 202) throw new Error(`upload answered ${upload.status}: ${await upload.text()}`);
  const { id } = (await upload.json()) as { id: string };
  let view: { status: string; created: number; failed: number; processed: number };
  for (;;) {
    view = (await (await fetch(`${apiUrl}/admin/imports/${id}`, { headers: auth })).json()) as typeof view;
    if (view.status !== 'running') break;
    if (Date.now() - started > 600_000) throw new Error(`import still running after 10 min: ${JSON.stringify(view)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const importSeconds = (Date.now() - started) / 1000;
  if (view.status !== 'completed') throw new Error(`import ended ${view.status}`);

  const exp = (await (await fetch(`${apiUrl}/admin/exports`, { method: 'POST', headers: auth, body: JSON.stringify({ kind: 'products' }) })).json()) as {
    id: string;
  };
  const before = rssMb(apiPid) ?? 0;
  const peakDuringExport = peakRss(apiPid, 20);
  const exportStarted = Date.now();
  const body = await (await fetch(`${apiUrl}/admin/exports/${exp.id}/download`, { headers: auth })).text();
  const exportSeconds = (Date.now() - exportStarted) / 1000;
  const peak = peakDuringExport() ?? before;
  return {
    rows,
    csv_bytes: Buffer.byteLength(csv),
    import_s: +importSeconds.toFixed(2),
    rows_per_s: Math.round(rows / importSeconds),
    created: view.created,
    failed: view.failed,
    export_rows: body.split('\n').filter(Boolean).length - 1,
    export_s: +exportSeconds.toFixed(2),
    api_rss_mb_before_export: before,
    api_rss_mb_peak_export: peak,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const stack = await startBenchStack('import');
  try {
    const result = await benchImport(stack.apiUrl, stack.adminApiKey, stack.api.pid!, Number(process.env.IMPORT_BENCH_ROWS ?? 10_000));
    const at = new Date().toISOString();
    mkdirSync(path.join(root, 'bench/results'), { recursive: true });
    const file = path.join(root, 'bench/results', `import-${at.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify({ at, ...result, target_met: result.import_s <= 60 }, null, 2)}\n`);
    process.stdout.write(
      `${JSON.stringify(result)}\n${result.import_s <= 60 ? 'met   ' : 'MISSED'} 10,000 CSV rows in <= 60 s\nresults: ${path.relative(root, file)}\n`,
    );
  } finally {
    await stack.stop();
  }
}
