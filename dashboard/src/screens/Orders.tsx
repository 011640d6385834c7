// Orders: status filter, search by order id or e-mail, cursor pages.
import { useState } from 'preact/hooks';
import { api, withQuery, type Page } from '../api.ts';
import { PagedTable, Status, useLoad, type Column } from '../components.tsx';
import { formatDate, formatMoney, label, t } from '../i18n/index.ts';
import { href } from '../router.ts';
import type { Order } from '../types.ts';

const STATUSES = ['pending_payment', 'pending_shipment', 'partially_shipped', 'shipped', 'completed', 'cancelled'];

const COLUMNS: Column<Order>[] = [
  { head: t('orders.col.id'), cell: (o) => <a href={href('orders', o.id)}>{o.id}</a> },
  { head: t('orders.col.placed'), cell: (o) => formatDate(o.created_at) },
  { head: t('orders.col.email'), cell: (o) => o.email },
  { head: t('orders.col.status'), cell: (o) => <Status code={o.status} text={label('status', o.status)} /> },
  { head: t('orders.col.payment'), cell: (o) => label('method', o.payment_method) },
  { head: t('orders.col.total'), cell: (o) => formatMoney(o.total), num: true },
];

/** The order list. */
export function Orders() {
  const [filter, setFilter] = useState({ q: '', status: '' });
  const [cursor, setCursor] = useState<string | null>(null);
  const { data, problem } = useLoad(
    () => api<Page<Order>>('GET', withQuery('/admin/orders', { q: filter.q, status: filter.status, cursor, limit: '20' })),
    [filter, cursor],
  );
  const submit = (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setCursor(null);
    setFilter({ q: String(form.get('q') ?? '').trim(), status: String(form.get('status') ?? '') });
  };
  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">{t('orders.title')}</h1>
      <form class="filters" role="search" onSubmit={submit}>
        <p class="field">
          <label for="orders-q">{t('orders.search')}</label>
          <input id="orders-q" name="q" type="search" />
        </p>
        <p class="field">
          <label for="orders-status">{t('orders.status')}</label>
          <select id="orders-status" name="status">
            <option value="">{t('orders.anyStatus')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {label('status', s)}
              </option>
            ))}
          </select>
        </p>
        <button type="submit">{t('orders.submit')}</button>
      </form>
      <PagedTable page={data} problem={problem} empty={t('orders.empty')} columns={COLUMNS} rowKey={(o) => o.id} cursor={cursor} onCursor={setCursor} />
    </section>
  );
}
