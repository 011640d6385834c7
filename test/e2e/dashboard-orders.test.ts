// The dashboard's order screens in a real browser against the real stack (API + worker + Temporal + PostgreSQL).
import type { Browser, Page } from 'playwright-core';
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, createTestStaffKey, placeTestOrder } from '../helpers/factories.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { BROWSER_FLOW_TIMEOUT_MS, baseUrlOf, describeWithBrowser, launchBrowser, screenshot, seriousViolations, signedInPage } from '../helpers/browser.ts';
import { randomUUID } from 'node:crypto';

describeWithBrowser('dashboard: orders', () => {
  let stack: TestStack;
  let tenant: CreatedTenant;
  let browser: Browser;
  let staffKey: string;
  let base: string;
  const pages: Page[] = [];
  const open = async (hash = '') => {
    const page = await signedInPage(browser, base, staffKey, hash);
    pages.push(page);
    return page;
  };
  const statusIn = (page: Page, status: string) => page.locator(`h1 [data-status="${status}"]`).waitFor();

  beforeAll(async () => {
    ({ stack, tenant } = await startStackWithTenant());
    base = baseUrlOf(stack.server);
    staffKey = await createTestStaffKey(stack.pool, tenant.tenant_id, 'staff');
    browser = await launchBrowser();
  }, BROWSER_FLOW_TIMEOUT_MS);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });
  afterEach(async () => {
    await Promise.all(pages.splice(0).map((p) => p.context().close()));
  });

  test(
    'when staff find a bank-transfer order by e-mail and confirm its payment, then it turns pending_shipment with its fulfillment, and ships and delivers',
    async () => {
      const email = `hanako-${randomUUID().slice(0, 8)}@example.jp`;
      const { order } = await placeTestOrder(stack.http, tenant, { price: 1800, email });
      const page = await open();
      expect(await seriousViolations(page)).toEqual([]);

      await page.getByLabel('Search by order id or e-mail').fill(email);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('link', { name: order.id }).click();
      await statusIn(page, 'pending_payment');
      expect(await page.locator('[data-testid="order-total"]').textContent()).toBe('¥1,800');

      await page.getByRole('button', { name: 'Confirm payment' }).click();
      const dialog = page.getByRole('dialog');
      expect(await dialog.getByLabel('Amount (JPY)').inputValue()).toBe('1800');
      await dialog.getByLabel('Transfer reference').fill('bank-ref-0001');
      await dialog.getByRole('button', { name: 'Confirm' }).click();
      await statusIn(page, 'pending_shipment');
      await page.locator('tr[data-workflow-type="fulfillment"]').waitFor();
      await page.locator('li[data-event="paid"]', { hasText: 'by staff key' }).waitFor();
      const temporalLink = await page.getByRole('link', { name: 'Open in the Temporal Web UI' }).getAttribute('href');
      expect(temporalLink).toContain(encodeURIComponent(`OrderId="${order.id}"`));

      // The shipment appears once the fulfillment created it: the page refreshes by itself meanwhile.
      await page.getByRole('button', { name: 'Ship' }).click();
      await page.getByRole('dialog').getByLabel('Carrier').fill('yamato');
      await page.getByRole('dialog').getByLabel('Tracking number').fill('1234-5678');
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await statusIn(page, 'shipped');
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, 'order-detail');

      await page.getByRole('button', { name: 'Deliver' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await statusIn(page, 'completed');
      await page.locator('li[data-event="delivered"]').waitFor();

      const after = (await backOffice(stack.http, tenant.admin_api_key).order(order.id)).body;
      expect({ status: after.status, payment: after.payments[0].status, shipment: after.shipments[0].status, carrier: after.shipments[0].carrier }).toEqual({
        status: 'completed',
        payment: 'captured',
        shipment: 'delivered',
        carrier: 'yamato',
      });
      expect(after.timeline.map((e: { event: string }) => e.event)).toEqual(['placed', 'paid', 'shipped', 'delivered', 'completed']);
    },
    BROWSER_FLOW_TIMEOUT_MS,
  );

  test(
    'when the COD cash typed at delivery is wrong, then the dialog shows the API error and the shipment stays shipped',
    async () => {
      const { order } = await placeTestOrder(stack.http, tenant, { price: 2400, payment_method: 'cod' });
      const admin = backOffice(stack.http, tenant.admin_api_key);
      const shipment = await waitFor(
        async () => (await admin.order(order.id)).body.shipments?.[0] as { id: string; cod_amount: { amount: number } } | undefined,
        {
          what: 'the shipment',
        },
      );
      expect((await admin.ship(shipment.id)).status).toBe(200);
      const page = await open(`#/orders/${order.id}`);
      await statusIn(page, 'shipped');

      await page.getByRole('button', { name: 'Deliver' }).click();
      const dialog = page.getByRole('dialog');
      expect(await dialog.getByLabel('Cash collected (JPY)').inputValue()).toBe(String(shipment.cod_amount.amount));
      await dialog.getByLabel('Cash collected (JPY)').fill(String(shipment.cod_amount.amount - 100));
      await dialog.getByRole('button', { name: 'Confirm' }).click();
      const alert = dialog.getByRole('alert');
      await alert.waitFor();
      const shown = await alert.locator('[data-code]').evaluate((el) => ({ code: el.getAttribute('data-code'), text: el.textContent }));

      // The same request straight to the API: the dialog shows its words, and nothing changed.
      const direct = await admin.deliver(shipment.id, { amount: shipment.cod_amount.amount - 100, currency: 'JPY' });
      expect(direct.status).toBe(422);
      expect(shown).toEqual({ code: direct.body.code, text: direct.body.detail });
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, 'cod-amount-refused');
      const after = (await admin.order(order.id)).body;
      expect({ order: after.status, shipment: after.shipments[0].status }).toEqual({ order: 'shipped', shipment: 'shipped' });
    },
    BROWSER_FLOW_TIMEOUT_MS,
  );

  test(
    'when a payment is confirmed from another tab, then the open order detail refreshes by itself',
    async () => {
      const { order } = await placeTestOrder(stack.http, tenant, { price: 1000 });
      const watching = await open(`#/orders/${order.id}`);
      await statusIn(watching, 'pending_payment');
      await watching.evaluate(() => ((globalThis as unknown as { notReloaded: boolean }).notReloaded = true));

      const other = await open(`#/orders/${order.id}`);
      await other.getByRole('button', { name: 'Confirm payment' }).click();
      await other.getByRole('dialog').getByLabel('Transfer reference').fill('bank-ref-other-tab');
      await other.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await statusIn(other, 'pending_shipment');

      await statusIn(watching, 'pending_shipment');
      expect(await watching.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
      // The checkout starts the fulfillment once the payment workflow ends: the page keeps refreshing until it shows.
      await watching.locator('tr[data-workflow-type="fulfillment"]').waitFor();
      expect(await watching.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    },
    BROWSER_FLOW_TIMEOUT_MS,
  );
});
