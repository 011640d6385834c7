// Digital downloads: GET /store/downloads/:token (the signed link of an e-mail, no key needed) and the back office's reissue.
import { Router } from 'express';
import { pipeline } from 'node:stream/promises';
import { findFile } from '../../db/queries/files.ts';
import { giveBackDownload, linkState, reissueDelivery, takeDownload } from '../../db/queries/digital-deliveries.ts';
import { readDownloadToken, type GoneReason } from '../../domain/digital.ts';
import { GoneError, NotFoundError } from '../../domain/errors.ts';
import { linkSigningKey } from '../../providers/link-signing-key.ts';
import type { FileStorage } from '../../providers/files/index.ts';
import type { AppDeps } from '../context.ts';
import { actorOf, tenantOf } from '../context.ts';
import { downloadView } from '../order-downloads.ts';

const GONE: Record<GoneReason, string> = {
  expired: 'this download link has expired; ask the shop for a new one',
  used_up: 'this download link has been used as many times as it allows',
  revoked: 'this download was revoked (the order was refunded or cancelled)',
  superseded: 'this download link was replaced by a newer one; use the latest link you were sent',
};

const gone = (reason: GoneReason) => new GoneError(GONE[reason], { reason });

/** GET /downloads/:token, mounted on /store before the storefront's key check (a link in an e-mail carries no key). */
export function downloadRoutes(deps: AppDeps, storage: FileStorage): Router {
  const { pool, config } = deps;
  const r = Router();
  r.get('/downloads/:token', async (req, res) => {
    const read = readDownloadToken(req.params.token, linkSigningKey(config), Date.now());
    // A token that is not ours (forged, altered, truncated) names nothing; a genuine one past its expiry is gone.
    if (read === 'invalid') throw new NotFoundError('download');
    if (read === 'expired') throw gone('expired');
    // HEAD (link previews, download managers probing) reads the state and takes no download.
    if (req.method === 'HEAD') {
      const state = await linkState(pool, read);
      if (!state) throw new NotFoundError('download');
      if (state.gone) throw gone(state.gone);
      res.status(200).end();
      return;
    }
    const taken = await takeDownload(pool, read);
    if (!taken) throw new NotFoundError('download');
    if ('gone' in taken) throw gone(taken.gone);
    const file = await findFile(pool, taken.fileId);
    if (!file) throw new NotFoundError('file', taken.fileId);
    const bytes = await storage.open(file.storage_key).catch(async (err: unknown) => {
      await giveBackDownload(pool, read.deliveryId);
      throw err;
    });
    res.type(file.content_type);
    res.setHeader('Content-Length', String(file.size_bytes));
    res.setHeader('Content-Disposition', `attachment; filename="${file.id}"`);
    res.setHeader('X-Downloads-Remaining', String(taken.remaining));
    // Only a download that reached its end counts: one abandoned part way is given back. Whether the stream closes
    // cleanly after its last byte depends on socket timing (a client that hangs up on Content-Length, a busy box), so
    // the test is how many bytes were handed to the response, not whether pipeline() resolved.
    let sent = 0;
    const counted = async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        sent += chunk.length;
        yield chunk;
      }
    };
    await pipeline(bytes, counted, res).catch(async () => {
      if (sent < file.size_bytes) await giveBackDownload(pool, read.deliveryId);
    });
  });
  return r;
}

/** POST /orders/:id/downloads/:download_id/reissue under /admin (role: api/route-roles.ts). */
export function adminDownloadRoutes(deps: AppDeps): Router {
  const r = Router();
  r.post('/orders/:id/downloads/:download_id/reissue', async (req, res) => {
    const delivery = await reissueDelivery(deps.pool, tenantOf(req).id, req.params.id, req.params.download_id, actorOf(req));
    res.json(downloadView(deps.config, delivery));
  });
  return r;
}
