// SQL owned by files: the metadata of uploaded files (the bytes are in the file-storage provider, under storage_key).
import { z } from 'zod';
import type { CommonQueryMethods, DatabasePool } from 'slonik';
import { countRow, sql } from '../sql.ts';
import { NotFoundError, ValidationError } from '../../domain/errors.ts';
import { isImageType } from '../../domain/digital.ts';
import { recordAudit } from './audit-log.ts';
import type { Actor } from '../../contracts/audit.ts';

const fileRow = z.object({
  id: z.string(),
  tenant_id: z.string(),
  storage_key: z.string(),
  content_type: z.string(),
  size_bytes: z.number(),
  sha256: z.string(),
  created_at: z.string(),
});
/** A stored file's metadata. */
export type FileRow = z.infer<typeof fileRow>;

const columns = sql.fragment`id, tenant_id, storage_key, content_type, size_bytes, sha256, created_at`;

/** Records an uploaded file (its bytes already stored) with its audit entry, in one transaction. */
export async function insertFile(
  pool: DatabasePool,
  f: { id: string; tenantId: string; storageKey: string; contentType: string; size: number; sha256: string },
  actor: Actor | null,
): Promise<FileRow> {
  return pool.transaction(async (tx) => {
    const row = await tx.one(sql.type(fileRow)`
      INSERT INTO files (id, tenant_id, storage_key, content_type, size_bytes, sha256)
      VALUES (${f.id}, ${f.tenantId}, ${f.storageKey}, ${f.contentType}, ${f.size}, ${f.sha256}) RETURNING ${columns}`);
    const changes = {
      content_type: { before: null, after: f.contentType },
      size_bytes: { before: null, after: f.size },
      sha256: { before: null, after: f.sha256 },
    };
    await recordAudit(tx, { tenantId: f.tenantId, actor, action: 'file.upload', resourceType: 'file', resourceId: f.id, changes });
    return row;
  });
}

/** A file by id (any tenant: ids are random and never guessable), or null. */
export async function findFile(db: CommonQueryMethods, fileId: string): Promise<FileRow | null> {
  return db.maybeOne(sql.type(fileRow)`SELECT ${columns} FROM files WHERE id = ${fileId}`);
}

/** A file served publicly: only a product image is (a digital product's file opens through a signed link alone). */
export async function findPublicImage(db: CommonQueryMethods, fileId: string): Promise<FileRow> {
  const row = await db.maybeOne(sql.type(fileRow)`
    SELECT ${columns} FROM files f WHERE f.id = ${fileId} AND EXISTS (SELECT 1 FROM product_images pi WHERE pi.file_id = f.id)
      AND NOT EXISTS (SELECT 1 FROM variant_digital d WHERE d.file_id = f.id)`);
  if (!row) throw new NotFoundError('file', fileId);
  return row;
}

/**
 * Checks that every id names a file of the tenant, of an image type when `images` (ValidationError naming the first
 * that does not), and that images and digital goods never share a file (an image is public, a download is not).
 */
export async function assertUsableFiles(tx: CommonQueryMethods, tenantId: string, fileIds: string[], use: 'image' | 'download'): Promise<void> {
  const ids = [...new Set(fileIds)];
  if (ids.length === 0) return;
  const rows = await tx.any(sql.type(z.object({ id: z.string(), content_type: z.string() }))`
    SELECT id, content_type FROM files WHERE tenant_id = ${tenantId} AND id = ANY(${sql.array(ids, 'text')})`);
  const unknown = ids.filter((id) => !rows.some((r) => r.id === id));
  if (unknown.length) throw new ValidationError(`unknown file id ${unknown.join(', ')}; upload it with POST /admin/files first`, { file_ids: unknown });
  if (use === 'image') {
    const notImages = rows.filter((r) => !isImageType(r.content_type));
    if (notImages.length) throw new ValidationError(`file ${notImages[0]!.id} is ${notImages[0]!.content_type}, not an image (png, jpeg, gif or webp)`);
  }
  const other = use === 'image' ? sql.fragment`variant_digital` : sql.fragment`product_images`;
  const shared = await tx.oneFirst(sql.type(countRow)`
    SELECT count(*)::int8 AS n FROM ${other} WHERE file_id = ANY(${sql.array(ids, 'text')})`);
  if (shared > 0) throw new ValidationError(`a file cannot be both a product image (public) and a digital product's download (private)`);
}
