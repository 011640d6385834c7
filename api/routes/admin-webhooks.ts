// Back-office webhooks: register (the signing secret is shown once), list, and read a webhook's delivery log.
import { Router } from 'express';
import { getWebhook, insertWebhook, listDeliveries, listWebhooks } from '../../db/queries/webhooks.ts';
import { encryptSecret, newSecret } from '../../domain/secrets.ts';
import { assertDeliverableUrl } from '../../providers/webhooks/url-guard.ts';
import { webhookSecretKey } from '../../providers/webhooks/secret-key.ts';
import { SIGNATURE_HEADER } from '../../providers/webhooks/signature.ts';
import type { AppDeps } from '../context.ts';
import { actorOf, tenantOf } from '../context.ts';
import { createWebhookBody, page, pageQuery, timeCursor } from '../schemas.ts';

/** Routes under /admin/webhooks (roles: api/route-roles.ts). */
export function adminWebhookRoutes(deps: AppDeps): Router {
  const { pool, config } = deps;
  const r = Router();

  r.post('/webhooks', async (req, res) => {
    const body = createWebhookBody.parse(req.body);
    const url = await assertDeliverableUrl(body.url, config.WEBHOOK_ALLOW_PRIVATE_URLS);
    const secret = newSecret('whsec', 32);
    const { cursor_at: _c, ...webhook } = await insertWebhook(
      pool,
      tenantOf(req).id,
      {
        url: url.toString(),
        events: [...new Set(body.events)],
        secretBox: encryptSecret(secret, webhookSecretKey(config)),
      },
      actorOf(req),
    );
    res.status(201).json({ ...webhook, secret, signature_header: SIGNATURE_HEADER });
  });

  r.get('/webhooks', async (req, res) => {
    const q = pageQuery.parse(req.query);
    const rows = await listWebhooks(pool, tenantOf(req).id, timeCursor.decode(q.cursor), q.limit);
    res.json(page(rows, q.limit, ({ cursor_at: _c, ...w }) => w, timeCursor.keyOf));
  });

  r.get('/webhooks/:id', async (req, res) => {
    const { cursor_at: _c, ...webhook } = await getWebhook(pool, tenantOf(req).id, req.params.id);
    res.json(webhook);
  });

  r.get('/webhooks/:id/deliveries', async (req, res) => {
    const q = pageQuery.parse(req.query);
    const webhook = await getWebhook(pool, tenantOf(req).id, req.params.id);
    const rows = (await listDeliveries(pool, webhook.id, timeCursor.decode(q.cursor), q.limit)).map((d) => ({ ...d, id: d.event_id }));
    res.json(page(rows, q.limit, ({ cursor_at: _c, id: _id, ...d }) => d, timeCursor.keyOf));
  });

  return r;
}
