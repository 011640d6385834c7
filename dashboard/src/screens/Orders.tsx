// Orders: status filter, search by order id or e-mail, cursor pages.
import { useState } from 'preact/hooks';
import { api, withQuery, type Page } from '../api.ts';
import { Pager, ProblemText, Status, useLoad } from '../components.tsx';
import { formatDate, formatMoney, label, t } from '../i18n/index.ts';
import { href } from '../router.ts';
import type { Order } from '../types.ts';

const STATUSES = ['pending_payment', 'pending_shipment', 'partially_shipped', 'shipped', 'completed', 'cancelled'];

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
      <ProblemText problem={problem} />
      {!data && !problem && <p aria-live="polite">{t('common.loading')}</p>}
      {data && data.items.length === 0 && <p>{t('orders.empty')}</p>}
      {data && data.items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('orders.col.id')}</th>
              <th scope="col">{t('orders.col.placed')}</th>
              <th scope="col">{t('orders.col.email')}</th>
              <th scope="col">{t('orders.col.status')}</th>
              <th scope="col">{t('orders.col.payment')}</th>
              <th scope="col" class="num">
                {t('orders.col.total')}
              </th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((o) => (
              <tr key={o.id}>
                <td>
                  <a href={href('orders', o.id)}>{o.id}</a>
                </td>
                <td>{formatDate(o.created_at)}</td>
                <td>{o.email}</td>
                <td>
                  <Status code={o.status} text={label('status', o.status)} />
                </td>
                <td>{label('method', o.payment_method)}</td>
                <td class="num">{formatMoney(o.total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data && <Pager next={data.next_cursor} cursor={cursor} onCursor={setCursor} />}
    </section>
  );
}
