// Uploaded files and product images end to end: streamed uploads with their limits, images served with cache headers,
// digital products' files never served publicly (real API and PostgreSQL; bytes on the local-disk provider).
import { createHash } from 'node:crypto';
import { startStackWithTenant, type TestStack } from '../helpers/harness.ts';
import { backOffice, buildProduct, createTestTenant, storefront } from '../helpers/factories.ts';
import { buildDigitalProduct, buildDownloadable, buildPng, seedFile, uploadFile } from '../helpers/digital.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let tenant: CreatedTenant;
const LIMIT = 64 * 1024;

beforeAll(async () => {
  ({ stack, tenant } = await startStackWithTenant({ config: { FILE_UPLOAD_MAX_BYTES: String(LIMIT) } }));
}, 60_000);
afterAll(async () => stack?.stop());

const auditCount = async (action: string) =>
  (await stack.http.get(`/admin/audit-log?resource_type=file`).set('Authorization', `Bearer ${tenant.admin_api_key}`)).body.items.filter(
    (e: { action: string }) => e.action === action,
  ).length;

describe('files and product images', () => {
  test('when an image is uploaded and used by a product, then the product lists it and /files serves its exact bytes with cache headers', async () => {
    const png = buildPng(4096);
    const upload = await uploadFile(stack.http, tenant.admin_api_key, png, 'image/png');
    expect(upload.status).toBe(201);
    expect(upload.body).toMatchObject({ content_type: 'image/png', size: 4096, sha256: createHash('sha256').update(png).digest('hex') });
    const fileId = upload.body.file_id as string;
    // Not yet an image of any product: not served.
    expect((await stack.http.get(`/files/${fileId}`)).status).toBe(404);

    const product = await backOffice(stack.http, tenant.admin_api_key).createProduct({ ...buildProduct(), images: [{ file_id: fileId, alt: 'Front' }] });
    expect(product.status).toBe(201);
    const seen = await storefront(stack.http, tenant.publishable_key).product(product.body.id);
    expect(seen.body.images).toEqual([{ file_id: fileId, alt: 'Front', url: `/files/${fileId}` }]);

    const served = await stack.http.get(`/files/${fileId}`).buffer(true);
    expect([served.status, served.headers['content-type'], served.headers['cache-control']]).toEqual([200, 'image/png', 'public, max-age=31536000, immutable']);
    expect(Buffer.compare(served.body as Buffer, png)).toBe(0);
    expect(served.headers.etag).toBe(`"${upload.body.sha256}"`);
    const again = await stack.http.get(`/files/${fileId}`).set('If-None-Match', served.headers.etag!);
    expect(again.status).toBe(304);
  });

  test("when a file is a digital product's download, then /files never serves it and it cannot also be an image", async () => {
    const fileId = await seedFile(stack.http, tenant.admin_api_key, buildDownloadable(2048));
    expect((await backOffice(stack.http, tenant.admin_api_key).createProduct(buildDigitalProduct(fileId))).status).toBe(201);
    expect((await stack.http.get(`/files/${fileId}`)).status).toBe(404);
    const pngId = await seedFile(stack.http, tenant.admin_api_key, buildPng(), 'image/png');
    expect((await backOffice(stack.http, tenant.admin_api_key).createProduct(buildDigitalProduct(pngId))).status).toBe(201);
    const both = await backOffice(stack.http, tenant.admin_api_key).createProduct({ ...buildProduct(), images: [{ file_id: pngId }] });
    expect([both.status, both.body.code]).toEqual([400, 'validation_failed']);
  });

  test('when an upload is over the limit, then it is 413 and nothing is recorded', async () => {
    const before = await auditCount('file.upload');
    const tooBig = await uploadFile(stack.http, tenant.admin_api_key, buildDownloadable(LIMIT + 1));
    expect([tooBig.status, tooBig.body.code]).toEqual([413, 'payload_too_large']);
    expect(await auditCount('file.upload')).toBe(before);
    const justFits = await uploadFile(stack.http, tenant.admin_api_key, buildDownloadable(LIMIT));
    expect(justFits.status).toBe(201);
    expect(await auditCount('file.upload')).toBe(before + 1);
  });

  test('when the content is bad (no type, empty, not the image it claims, a JSON file), then each answer is right and stored nothing bad', async () => {
    const noType = await stack.http.post('/admin/files').set('Authorization', `Bearer ${tenant.admin_api_key}`).set('Content-Type', 'nonsense').send('abc');
    expect([noType.status, noType.body.code]).toEqual([400, 'validation_failed']);
    const empty = await uploadFile(stack.http, tenant.admin_api_key, Buffer.alloc(0));
    expect([empty.status, empty.body.code]).toEqual([400, 'validation_failed']);
    const fakePng = await uploadFile(stack.http, tenant.admin_api_key, Buffer.from('<html><script>alert(1)</script></html>'), 'image/png');
    expect([fakePng.status, fakePng.body.detail]).toEqual([400, expect.stringContaining('not a PNG image')]);
    // A JSON file is a file like any other: stored as is, never parsed as a request body.
    const json = await stack.http
      .post('/admin/files')
      .set('Authorization', `Bearer ${tenant.admin_api_key}`)
      .set('Content-Type', 'application/json')
      .send('{"title": "not a request"}');
    expect([json.status, json.body.content_type, json.body.size]).toEqual([201, 'application/json', 26]);
    const unknownImage = await backOffice(stack.http, tenant.admin_api_key).createProduct({ ...buildProduct(), images: [{ file_id: 'fil_nope' }] });
    expect([unknownImage.status, unknownImage.body.detail]).toEqual([400, expect.stringContaining('unknown file id fil_nope')]);
    const pdfAsImage = await backOffice(stack.http, tenant.admin_api_key).createProduct({ ...buildProduct(), images: [{ file_id: json.body.file_id }] });
    expect([pdfAsImage.status, pdfAsImage.body.detail]).toEqual([400, expect.stringContaining('not an image')]);
    const digitalOnPhysical = await backOffice(stack.http, tenant.admin_api_key).createProduct({ ...buildDigitalProduct(json.body.file_id), type: 'physical' });
    expect([digitalOnPhysical.status, digitalOnPhysical.body.code]).toEqual([400, 'validation_failed']);
  });

  test("when another tenant's file is named, then it is unknown there", async () => {
    const fileId = await seedFile(stack.http, tenant.admin_api_key, buildPng(), 'image/png');
    const other = await createTestTenant(stack.pool);
    const res = await backOffice(stack.http, other.admin_api_key).createProduct({ ...buildProduct(), images: [{ file_id: fileId }] });
    expect([res.status, res.body.detail]).toEqual([400, expect.stringContaining(`unknown file id ${fileId}`)]);
  });
});
