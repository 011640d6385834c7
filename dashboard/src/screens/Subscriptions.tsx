// Subscriptions: the list by status, one subscription with its charges, retry now and cancel.
import { useState } from 'preact/hooks';
import { api, withQuery, type Page } from '../api.ts';
import { ActionDialog, Field, PagedTable, ProblemText, Status, useLoad, type Column } from '../components.tsx';
import { formatDate, formatMoney, label, t } from '../i18n/index.ts';
import { href } from '../router.ts';
import type { Subscription } from '../types.ts';

const STATUSES = ['active', 'past_due', 'cancelled', 'unpaid'];

const COLUMNS: Column<Subscription>[] = [
  { head: t('subscriptions.col.id'), cell: (s) => <a href={href('subscriptions', s.id)}>{s.id}</a> },
  { head: t('subscriptions.col.email'), cell: (s) => s.customer_email },
  { head: t('subscriptions.col.status'), cell: (s) => <Status code={s.status} text={label('status', s.status)} /> },
  { head: t('subscriptions.col.amount'), cell: (s) => formatMoney(s.amount), num: true },
  { head: t('subscriptions.col.periodEnd'), cell: (s) => formatDate(s.current_period_end) },
];

/** The subscription list. */
export function Subscriptions() {
  const [status, setStatus] = useState('');
  const [cursor, setCursor] = useState<string | null>(null);
  const { data, problem } = useLoad(() => api<Page<Subscription>>('GET', withQuery('/admin/subscriptions', { status, cursor, limit: '20' })), [status, cursor]);
  return (
    <section aria-labelledby="subs-title">
      <h1 id="subs-title">{t('subscriptions.title')}</h1>
      <p class="field">
        <label for="subs-status">{t('orders.status')}</label>
        <select
          id="subs-status"
          value={status}
          onChange={(e) => {
            setCursor(null);
            setStatus((e.currentTarget as HTMLSelectElement).value);
          }}
        >
          <option value="">{t('orders.anyStatus')}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {label('status', s)}
            </option>
          ))}
        </select>
      </p>
      <PagedTable page={data} problem={problem} empty={t('subscriptions.empty')} columns={COLUMNS} rowKey={(s) => s.id} cursor={cursor} onCursor={setCursor} />
    </section>
  );
}

/** One subscription with its charges. */
export function SubscriptionDetail({ id }: { id: string }) {
  const { data: sub, problem, reload } = useLoad(() => api<Subscription>('GET', `/admin/subscriptions/${encodeURIComponent(id)}`), [id]);
  if (!sub) return <ProblemText problem={problem} />;
  const ended = sub.status === 'cancelled' || sub.status === 'unpaid';
  return (
    <section aria-labelledby="sub-title">
      <p>
        <a href={href('subscriptions')}>{t('subscription.back')}</a>
      </p>
      <h1 id="sub-title">
        {t('subscription.title', { id: sub.id })} <Status code={sub.status} text={label('status', sub.status)} />
      </h1>
      <ProblemText problem={problem} />
      <dl class="summary">
        <dt>{t('subscriptions.col.email')}</dt>
        <dd>{sub.customer_email}</dd>
        <dt>{t('orders.col.id')}</dt>
        <dd>
          <a href={href('orders', sub.order_id)}>{sub.order_id}</a>
        </dd>
        <dt>{t('subscriptions.col.amount')}</dt>
        <dd>{formatMoney(sub.amount)}</dd>
        <dt>{t('subscriptions.col.periodEnd')}</dt>
        <dd>{formatDate(sub.current_period_end)}</dd>
        <dt>{t('subscription.nextAttempt')}</dt>
        <dd>{formatDate(sub.next_attempt_at)}</dd>
      </dl>
      <div class="buttons">
        {sub.status === 'past_due' && (
          <ActionDialog
            label={t('subscription.retry')}
            title={t('subscription.retry')}
            onConfirm={async () => {
              await api('POST', `/admin/subscriptions/${sub.id}/retry`, {});
              reload();
            }}
          />
        )}
        {!ended && (
          <ActionDialog
            label={t('subscription.cancel')}
            title={t('subscription.cancel')}
            onConfirm={async (form) => {
              const reason = String(form.get('reason') ?? '').trim();
              await api('POST', `/admin/subscriptions/${sub.id}/cancel`, reason ? { reason } : {});
              reload();
            }}
          >
            <Field label={t('action.reason')} name="reason" />
          </ActionDialog>
        )}
      </div>
      <h2>{t('subscription.charges')}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('subscription.col.period')}</th>
            <th scope="col">{t('subscription.col.attempt')}</th>
            <th scope="col">{t('orders.col.status')}</th>
            <th scope="col" class="num">
              {t('order.col.amount')}
            </th>
            <th scope="col">{t('subscription.col.at')}</th>
          </tr>
        </thead>
        <tbody>
          {(sub.charges ?? []).map((c) => (
            <tr key={c.id}>
              <td>{c.period}</td>
              <td>{c.attempt}</td>
              <td>
                <Status code={c.status} text={label('status', c.status)} />
              </td>
              <td class="num">{formatMoney(c.amount)}</td>
              <td>{formatDate(c.created_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
