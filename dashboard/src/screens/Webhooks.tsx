// Webhooks and their deliveries; deliveries the relay gave up on are highlighted and say so.
import { useState } from 'preact/hooks';
import { api, withQuery, type Page } from '../api.ts';
import { Pager, ProblemText, Status, useLoad } from '../components.tsx';
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

function Deliveries({ webhook }: { webhook: Webhook }) {
  const [cursor, setCursor] = useState<string | null>(null);
  const { data, problem } = useLoad(
    () => api<Page<Delivery>>('GET', withQuery(`/admin/webhooks/${webhook.id}/deliveries`, { cursor, limit: '20' })),
    [webhook.id, cursor],
  );
  return (
    <section aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">{t('webhooks.deliveries', { url: webhook.url })}</h2>
      <ProblemText problem={problem} />
      {data && data.items.length === 0 && <p>{t('webhooks.noDeliveries')}</p>}
      {data && data.items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('webhooks.col.event')}</th>
              <th scope="col">{t('webhooks.col.type')}</th>
              <th scope="col">{t('webhooks.col.status')}</th>
              <th scope="col" class="num">
                {t('webhooks.col.attempts')}
              </th>
              <th scope="col">{t('webhooks.col.lastStatus')}</th>
              <th scope="col">{t('webhooks.col.created')}</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((d) => (
              <tr key={d.event_id} class={d.status === 'failed' ? 'gave-up' : undefined} data-delivery-status={d.status}>
                <td>
                  <code>{d.event_id}</code>
                </td>
                <td>{d.event_type}</td>
                <td>
                  <Status code={d.status} text={label('status', d.status)} />
                  {d.status === 'failed' && <span class="hint"> {t('webhooks.gaveUp')}</span>}
                </td>
                <td class="num">{d.attempts}</td>
                <td>{d.last_status ?? '—'}</td>
                <td>{formatDate(d.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data && <Pager next={data.next_cursor} cursor={cursor} onCursor={setCursor} />}
    </section>
  );
}
