// The dashboard's catalog, subscription and webhook screens in a real browser against the real stack.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, createTestStaffKey, placeTestOrder, storefront } from '../helpers/factories.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { BROWSER_FLOW_TIMEOUT_MS, baseUrlOf, describeWithBrowser, launchBrowser, screenshot, seriousViolations, signedInPage } from '../helpers/browser.ts';

describeWithBrowser('dashboard: catalog, subscriptions, webhooks', () => {
  let stack: TestStack;
  let tenant: CreatedTenant;
  let browser: Browser;
  let page: Page;
  let failing: Server;
  let webhookId: string;

  beforeAll(async () => {
    ({ stack, tenant } = await startStackWithTenant({
      relay: true,
      config: { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_INITIAL: '200ms', WEBHOOK_RETRY_MAX_INTERVAL: '500ms', WEBHOOK_RETRY_FOR: '2s' },
    }));
    // A receiver that never accepts: its deliveries are given up after WEBHOOK_RETRY_FOR.
    failing = createServer((_req, res) => res.writeHead(503).end());
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    const hook = await stack.http
      .post('/admin/webhooks')
      .set({ Authorization: `Bearer ${tenant.admin_api_key}` })
      .send({ url: `http://127.0.0.1:${(failing.address() as AddressInfo).port}/hooks`, events: ['product.updated'] });
    webhookId = hook.body.id;
    browser = await launchBrowser();
    page = await signedInPage(browser, baseUrlOf(stack.server), await createTestStaffKey(stack.pool, tenant.tenant_id, 'staff'));
  }, BROWSER_FLOW_TIMEOUT_MS);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await new Promise((resolve) => failing?.close(resolve));
  });

  test(
    'when staff create a product and set its stock at a second location, then the storefront API sells it with both',
    async () => {
      const osaka = await stack.http
        .post('/admin/locations')
        .set({ Authorization: `Bearer ${tenant.admin_api_key}` })
        .send({ name: 'Osaka warehouse', code: `osaka-${randomUUID().slice(0, 6)}` });
      const sku = `TEA-${randomUUID().slice(0, 8)}`;
      await page.getByRole('link', { name: 'Products' }).click();
      await page.getByRole('link', { name: 'New product' }).click();
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByLabel('Title').fill('Sencha, first flush');
      await page.getByLabel('SKU').fill(sku);
      await page.getByLabel('Price (JPY)').fill('2500');
      await page.getByLabel('Stock on hand').fill('7');
      await page.getByRole('button', { name: 'Create product' }).click();
      await page.getByRole('heading', { name: 'Edit Sencha, first flush' }).waitFor();

      const osakaRow = page.locator(`tr[data-location="${osaka.body.code}"]`);
      await osakaRow.getByRole('button', { name: 'Set stock' }).click();
      await page.getByRole('dialog').getByLabel('On hand').fill('3');
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await osakaRow.locator('td', { hasText: /^3$/ }).first().waitFor();
      // Staff put the variant on a flash sale: its carts and checkouts move to the hot task queue.
      await page.getByLabel(`${sku} is on a flash sale`).check();
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, 'product-edit');

      const listed = (await storefront(stack.http, tenant.publishable_key).products()).body.items.find(
        (p: { title: string }) => p.title === 'Sencha, first flush',
      );
      expect(
        listed?.variants.map((v: { sku: string; price: unknown; available_quantity: number; is_hot: boolean }) => ({
          sku: v.sku,
          price: v.price,
          available: v.available_quantity,
          hot: v.is_hot,
        })),
      ).toEqual([{ sku, price: { amount: 2500, currency: 'JPY' }, available: 10, hot: true }]);

      await page.getByRole('link', { name: 'All products' }).click();
      await page.getByRole('link', { name: 'Sencha, first flush' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
    },
    BROWSER_FLOW_TIMEOUT_MS,
  );

  test(
    'when a delivery to a webhook is given up, then the webhooks screen highlights it and says so',
    async () => {
      const admin = { Authorization: `Bearer ${tenant.admin_api_key}` };
      expect((await backOffice(stack.http, tenant.admin_api_key).createProduct()).status).toBe(201);
      await waitFor(
        async () =>
          ((await stack.http.get(`/admin/webhooks/${webhookId}/deliveries`).set(admin)).body.items ?? []).some(
            (d: { status: string }) => d.status === 'failed',
          ),
        {
          what: 'a delivery given up',
          timeoutMs: 30_000,
        },
      );
      await page.getByRole('link', { name: 'Webhooks' }).click();
      await page.getByRole('button', { name: 'Show deliveries' }).click();
      const gaveUp = page.locator('tr.gave-up').first();
      await gaveUp.waitFor();
      expect(await gaveUp.textContent()).toContain('Given up: the receiver never accepted it.');
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, 'webhooks');
    },
    BROWSER_FLOW_TIMEOUT_MS,
  );

  test(
    'when staff cancel a subscription from its page, then the list by status shows it cancelled',
    async () => {
      const { order } = await placeTestOrder(stack.http, tenant, { price: 980, payment_method: 'card', payment_token: 'tok_visa', billing_interval: '1mo' });
      const sub = await waitFor(
        async () =>
          ((await backOffice(stack.http, tenant.admin_api_key).subscriptions()).body.items as { id: string; order_id: string }[]).find(
            (s) => s.order_id === order.id,
          ),
        { what: 'the subscription' },
      );
      await page.getByRole('link', { name: 'Subscriptions' }).click();
      await page.getByLabel('Status').selectOption('active');
      await page.getByRole('link', { name: sub.id }).click();
      await page.locator('h1 [data-status="active"]').waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Cancel subscription' }).click();
      await page.getByRole('dialog').getByLabel('Reason').fill('customer moved abroad');
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await page.locator('h1 [data-status="cancelled"]').waitFor();

      await page.getByRole('link', { name: 'All subscriptions' }).click();
      await page.getByLabel('Status').selectOption('cancelled');
      await page.getByRole('link', { name: sub.id }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      expect((await backOffice(stack.http, tenant.admin_api_key).subscription(sub.id)).body.status).toBe('cancelled');
    },
    BROWSER_FLOW_TIMEOUT_MS,
  );
});
