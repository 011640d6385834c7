// Uploaded files: POST /admin/files streams the body into the file storage; GET /files/:file_id serves product images.
import { Router, type Request } from 'express';
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { findPublicImage, insertFile } from '../../db/queries/files.ts';
import { makeId } from '../../domain/ids.ts';
import { contentMismatch, uploadMediaType } from '../../domain/digital.ts';
import { PayloadTooLargeError, ValidationError } from '../../domain/errors.ts';
import type { FileStorage } from '../../providers/files/index.ts';
import type { AppDeps } from '../context.ts';
import { actorOf, tenantOf } from '../context.ts';

/** The path of the upload route: the JSON body parser leaves its body alone (it is the file, streamed). */
export const UPLOAD_PATH = '/admin/files';

// Images never change under their id: caches may keep them for a year without asking again.
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** POST /files under /admin (role: api/route-roles.ts). */
export function adminFileRoutes(deps: AppDeps, storage: FileStorage): Router {
  const { pool, config } = deps;
  const r = Router();
  r.post('/files', async (req, res) => {
    const t = tenantOf(req);
    const mediaType = uploadMediaType(req.get('content-type'));
    if (!mediaType) throw new ValidationError("content-type must be the file's media type, such as image/png or application/pdf");
    const maxBytes = config.FILE_UPLOAD_MAX_BYTES;
    if (Number(req.get('content-length')) > maxBytes) throw tooLarge(req, maxBytes);
    const fileId = makeId('fil', randomUUID());
    const key = `${t.id}/${fileId}`;
    const stored = await storage.put(key, unpipedOnFailure(req), { maxBytes }).catch((err: unknown) => {
      throw err instanceof PayloadTooLargeError ? tooLarge(req, maxBytes) : err;
    });
    try {
      if (stored.size === 0) throw new ValidationError('the file is empty');
      const mismatch = contentMismatch(mediaType, stored.head);
      if (mismatch) throw new ValidationError(mismatch);
      await insertFile(pool, { id: fileId, tenantId: t.id, storageKey: key, contentType: mediaType, size: stored.size, sha256: stored.sha256 }, actorOf(req));
    } catch (err) {
      // Refused or not recorded: the bytes go too, so storage never holds a file nobody knows about.
      await storage.remove(key);
      throw err;
    }
    res.status(201).json({ file_id: fileId, content_type: mediaType, size: stored.size, sha256: stored.sha256, url: `/files/${fileId}` });
  });
  return r;
}

/** GET /files/:fileId, without credentials (an <img> sends none): only files used as product images are served. */
export function publicFileRoutes(deps: AppDeps, storage: FileStorage): Router {
  const r = Router();
  r.get('/files/:fileId', async (req, res) => {
    const file = await findPublicImage(deps.pool, req.params.fileId);
    res.setHeader('Cache-Control', IMMUTABLE);
    res.setHeader('ETag', `"${file.sha256}"`);
    // Storefronts on other origins show these images (helmet's default would confine them to this origin).
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    res.type(file.content_type);
    res.setHeader('Content-Length', String(file.size_bytes));
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const bytes = await storage.open(file.storage_key);
    await pipeline(bytes, res).catch(() => undefined); // the client left: nothing to answer
  });
  return r;
}

// The request flows through a PassThrough, so a refused upload destroys that stream, not the socket the 413 answers on.
function unpipedOnFailure(req: Request): PassThrough {
  const body = new PassThrough();
  req.pipe(body);
  body.on('close', () => req.unpipe(body));
  // A client gone mid-upload ends the body with an error, so storing it never waits for bytes that will not come.
  req.on('close', () => {
    if (!req.complete) body.destroy(new ValidationError('the upload was interrupted'));
  });
  return body;
}

// The rest of an over-large body is read and dropped, and the connection closed after the answer.
function tooLarge(req: Request, maxBytes: number): PayloadTooLargeError {
  req.resume();
  req.res?.setHeader('Connection', 'close');
  return new PayloadTooLargeError(`a file may be at most ${maxBytes} bytes`, { max_bytes: maxBytes });
}
