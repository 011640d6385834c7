// Webhooks and their deliveries; deliveries the relay gave up on are highlighted and say so.
import { useState } from 'preact/hooks';
import { api, withQuery, type Page } from '../api.ts';
import { PagedTable, ProblemText, Status, useLoad, type Column } from '../components.tsx';
import { formatDate, label, t } from '../i18n/index.ts';
import type { Delivery, Webhook } from '../types.ts';

/** The webhook list; choosing one shows its deliveries. */
export function Webhooks() {
  const { data, problem } = useLoad(() => api<Page<Webhook>>('GET', '/admin/webhooks?limit=100'), []);
  const [chosen, setChosen] = useState<Webhook | null>(null);
  return (
    <section aria-labelledby="webhooks-title">
      <h1 id="webhooks-title">{t('webhooks.title')}</h1>
      <ProblemText problem={problem} />
      {data && data.items.length === 0 && <p>{t('webhooks.empty')}</p>}
      {data && data.items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('webhooks.col.url')}</th>
              <th scope="col">{t('webhooks.col.events')}</th>
              <th scope="col">{t('order.col.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((w) => (
              <tr key={w.id}>
                <td>{w.url}</td>
                <td>{w.events.join(', ')}</td>
                <td>
                  <button type="button" aria-pressed={chosen?.id === w.id} onClick={() => setChosen(w)}>
                    {t('webhooks.show')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {chosen && <Deliveries key={chosen.id} webhook={chosen} />}
    </section>
  );
}

const DELIVERY_COLUMNS: Column<Delivery>[] = [
  { head: t('webhooks.col.event'), cell: (d) => <code>{d.event_id}</code> },
  { head: t('webhooks.col.type'), cell: (d) => d.event_type },
  {
    head: t('webhooks.col.status'),
    cell: (d) => (
      <>
        <Status code={d.status} text={label('status', d.status)} />
        {d.status === 'failed' && <span class="hint"> {t('webhooks.gaveUp')}</span>}
      </>
    ),
  },
  { head: t('webhooks.col.attempts'), cell: (d) => d.attempts, num: true },
  { head: t('webhooks.col.lastStatus'), cell: (d) => d.last_status ?? '—' },
  { head: t('webhooks.col.created'), cell: (d) => formatDate(d.created_at) },
];

function Deliveries({ webhook }: { webhook: Webhook }) {
  const [cursor, setCursor] = useState<string | null>(null);
  const { data, problem } = useLoad(
    () => api<Page<Delivery>>('GET', withQuery(`/admin/webhooks/${webhook.id}/deliveries`, { cursor, limit: '20' })),
    [webhook.id, cursor],
  );
  return (
    <section aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">{t('webhooks.deliveries', { url: webhook.url })}</h2>
      <PagedTable
        page={data}
        problem={problem}
        empty={t('webhooks.noDeliveries')}
        columns={DELIVERY_COLUMNS}
        rowKey={(d) => d.event_id}
        rowProps={(d) => ({ class: d.status === 'failed' ? 'gave-up' : undefined, 'data-delivery-status': d.status })}
        cursor={cursor}
        onCursor={setCursor}
      />
    </section>
  );
}
