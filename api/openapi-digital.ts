// /openapi.json operations of files and digital products (API.md "Digital products").
import { downloadView, uploadedFileView } from '../contracts/digital.ts';
import type { Op } from './openapi-operation.ts';

/** Uploads, public product images, signed downloads and their reissue. */
export const DIGITAL_OPERATIONS: Op[] = [
  {
    method: 'post',
    path: '/admin/files',
    summary:
      "Upload a file: the raw body with the file's content-type (at most FILE_UPLOAD_MAX_BYTES, 50 MB by default: 413 beyond). Image types (png, jpeg, gif, webp) must have the bytes of their type (400 otherwise)",
    auth: 'admin',
    rawBody: '*/*',
    response: uploadedFileView,
    status: 201,
  },
  {
    method: 'get',
    path: '/files/{file_id}',
    summary: 'A product image (only files used as product images are served): immutable, cacheable for a year, ETag = its sha256 (304 to If-None-Match)',
    auth: 'none',
  },
  {
    method: 'get',
    path: '/store/downloads/{token}',
    summary:
      "The file of a digital order line, through the signed link of the order's downloads (no key needed). Each complete download counts one; 410 gone once expired, used up, superseded by a reissue, or revoked by a refund or cancellation",
    auth: 'none',
  },
  {
    method: 'post',
    path: '/admin/orders/{id}/downloads/{download_id}/reissue',
    summary: "A new link for one of the order's downloads: a fresh expiry and its full count of downloads; older links answer 410. 409 once revoked",
    auth: 'admin',
    response: downloadView,
  },
];
