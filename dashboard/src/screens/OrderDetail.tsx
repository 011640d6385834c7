// One order: lines, totals, payments, shipments, its workflows (with a link into the Temporal Web UI) and its timeline.
// While one of its processes runs, the page reloads the order every few seconds, so a change made elsewhere shows up.
import { useEffect } from 'preact/hooks';
import { api } from '../api.ts';
import { ProblemText, Status, useLoad } from '../components.tsx';
import { formatDate, formatMoney, label, t, type Money } from '../i18n/index.ts';
import { href } from '../router.ts';
import type { Order, TimelineEntry } from '../types.ts';
import { OrderActions, ShipmentActions } from './order-actions.tsx';

const POLL_MS = 2000;

/** The order page. */
export function OrderDetail({ id }: { id: string }) {
  const { data: order, problem, reload } = useLoad(() => api<Order>('GET', `/admin/orders/${encodeURIComponent(id)}`), [id]);
  const moving = !!order && order.workflows.some((w) => w.status?.toUpperCase() === 'RUNNING');
  useEffect(() => {
    if (!moving) return;
    // Not while a dialog is open (its prefilled fields stay as the user left them) nor while the tab is hidden.
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible' && !document.querySelector('dialog[open]')) reload();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [moving, id]);

  if (!order) {
    return (
      <section>
        <p>
          <a href={href('orders')}>{t('order.back')}</a>
        </p>
        <ProblemText problem={problem} />
        {!problem && <p aria-live="polite">{t('common.loading')}</p>}
      </section>
    );
  }
  return (
    <section aria-labelledby="order-title">
      <p>
        <a href={href('orders')}>{t('order.back')}</a>
      </p>
      <h1 id="order-title">
        {t('order.title', { id: order.id })} <Status code={order.status} text={label('status', order.status)} />
      </h1>
      {moving && <p class="hint">{t('common.refreshing')}</p>}
      {order.needs_attention && (
        <p role="status" class="attention">
          {t('order.attention')}
        </p>
      )}
      <ProblemText problem={problem} />
      <h2>{t('order.actions')}</h2>
      <OrderActions order={order} done={reload} />
      <dl class="summary">
        <dt>{t('order.email')}</dt>
        <dd>{order.email}</dd>
        <dt>{t('order.placed')}</dt>
        <dd>{formatDate(order.created_at)}</dd>
        <dt>{t('order.method')}</dt>
        <dd>{label('method', order.payment_method)}</dd>
      </dl>
      <Lines order={order} />
      <Totals order={order} />
      <h2>{t('order.payments')}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('order.method')}</th>
            <th scope="col">{t('orders.col.status')}</th>
            <th scope="col" class="num">
              {t('order.col.amount')}
            </th>
            <th scope="col" class="num">
              {t('order.col.received')}
            </th>
            <th scope="col" class="num">
              {t('order.col.refunded')}
            </th>
            <th scope="col">{t('order.col.due')}</th>
          </tr>
        </thead>
        <tbody>
          {order.payments.map((p) => (
            <tr key={p.id}>
              <td>{label('method', p.method)}</td>
              <td>
                <Status code={p.status} text={label('status', p.status)} />
              </td>
              <td class="num">{formatMoney(p.amount)}</td>
              <td class="num">{formatMoney(p.received)}</td>
              <td class="num">{formatMoney(p.refunded)}</td>
              <td>{p.status === 'pending' ? formatDate(p.due_at) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('order.shipments')}</h2>
      {order.shipments.length === 0 ? (
        <p>{t('common.none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('order.col.shipment')}</th>
              <th scope="col">{t('order.col.vendor')}</th>
              <th scope="col">{t('orders.col.status')}</th>
              <th scope="col">{t('order.col.carrier')}</th>
              <th scope="col">{t('order.col.tracking')}</th>
              <th scope="col" class="num">
                {t('order.col.cod')}
              </th>
              <th scope="col">{t('order.col.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {order.shipments.map((s) => (
              <tr key={s.id} data-shipment={s.id}>
                <td>{s.id}</td>
                <td>{s.vendor_id ?? '—'}</td>
                <td>
                  <Status code={s.status} text={label('status', s.status)} />
                </td>
                <td>{s.carrier ?? '—'}</td>
                <td>{s.tracking_number ?? '—'}</td>
                <td class="num">{formatMoney(s.cod_amount)}</td>
                <td>
                  <ShipmentActions order={order} shipment={s} done={reload} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{t('order.workflows')}</h2>
      <p>
        <a href={order.temporal_ui_url} target="_blank" rel="noopener noreferrer">
          {t('order.openTemporal')}
        </a>
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('order.col.workflow')}</th>
            <th scope="col">{t('order.col.type')}</th>
            <th scope="col">{t('orders.col.status')}</th>
          </tr>
        </thead>
        <tbody>
          {order.workflows.map((w) => (
            <tr key={w.id} data-workflow-type={w.type}>
              <td>
                <code>{w.id}</code>
              </td>
              <td>{w.type}</td>
              <td>{w.status ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('order.timeline')}</h2>
      <ol class="timeline">
        {(order.timeline ?? []).map((e, i) => (
          <li key={`${e.at}-${i}`} data-event={e.event}>
            <time dateTime={e.at}>{formatDate(e.at)}</time> {timelineText(e)}
            {e.actor && <span class="hint"> {t('order.by', { role: e.actor.role, key: e.actor.key_id })}</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}

function Lines({ order }: { order: Order }) {
  return (
    <>
      <h2>{t('order.lines')}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('order.col.sku')}</th>
            <th scope="col">{t('order.col.item')}</th>
            <th scope="col" class="num">
              {t('order.col.qty')}
            </th>
            <th scope="col" class="num">
              {t('order.col.unit')}
            </th>
            <th scope="col" class="num">
              {t('order.col.lineTotal')}
            </th>
          </tr>
        </thead>
        <tbody>
          {order.items.map((i) => (
            <tr key={i.id}>
              <td>{i.sku}</td>
              <td>{i.title}</td>
              <td class="num">{i.quantity}</td>
              <td class="num">{formatMoney(i.unit_price)}</td>
              <td class="num">{formatMoney(i.total)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Totals({ order }: { order: Order }) {
  const rows: [string, Money][] = [
    [t('order.subtotal'), order.subtotal],
    [t('order.discount'), order.discount_total],
    [t('order.shipping'), order.shipping_total],
    [t('order.codFee'), order.cod_fee],
    [t('order.tax'), order.tax_total],
  ];
  return (
    <>
      <h2>{t('order.totals')}</h2>
      <dl class="totals">
        {rows.map(([name, m]) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>{formatMoney(m)}</dd>
          </div>
        ))}
        <div class="grand">
          <dt>{t('order.total')}</dt>
          <dd data-testid="order-total">{formatMoney(order.total)}</dd>
        </div>
      </dl>
    </>
  );
}

function timelineText(e: TimelineEntry): string {
  const d = e.details;
  const money = (v: unknown) => formatMoney(v as Money | null);
  switch (e.event) {
    case 'paid':
      return t('timeline.paid', { amount: money(d.amount) });
    case 'shipped':
      return t('timeline.shipped', { carrier: String(d.carrier ?? '—'), tracking: String(d.tracking_number ?? '—') });
    case 'refunded':
      return t('timeline.refunded', { amount: money(d.amount) });
    case 'cancelled':
      return t('timeline.cancelled', { reason: String(d.reason ?? '—') });
    case 'placed':
    case 'reminded':
    case 'delivered':
    case 'completed':
      return t(`timeline.${e.event}`);
    default:
      return e.event;
  }
}
