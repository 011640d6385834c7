// Products: the list (cursor pages), a new product, and one product's edit form with stock per location.
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiProblem, withQuery, type Page } from '../api.ts';
import { ActionDialog, Field, PagedTable, ProblemText, Status, useLoad, type Column } from '../components.tsx';
import { formatMoney, label, moneyInputValue, parseMoneyInput, t } from '../i18n/index.ts';
import { go, href } from '../router.ts';
import type { InventoryLevel, Location, Product } from '../types.ts';

const PRODUCT_STATUSES = ['draft', 'published', 'archived'];
// The store's currency: the one its products are priced in (the API answers prices in it).
const currencyOf = (products: Product[] | undefined) => products?.flatMap((p) => p.variants).find((v) => v.price)?.price?.currency ?? 'JPY';

const COLUMNS: Column<Product>[] = [
  { head: t('products.col.title'), cell: (p) => <a href={href('products', p.id)}>{p.title}</a> },
  { head: t('products.col.status'), cell: (p) => <Status code={p.status} text={label('status', p.status)} /> },
  { head: t('products.col.variants'), cell: (p) => p.variants.map((v) => v.sku).join(', ') },
  { head: t('products.col.price'), cell: (p) => formatMoney(p.variants[0]?.price), num: true },
];

/** The product list. */
export function Products() {
  const [cursor, setCursor] = useState<string | null>(null);
  const { data, problem } = useLoad(() => api<Page<Product>>('GET', withQuery('/admin/products', { cursor, limit: '20' })), [cursor]);
  return (
    <section aria-labelledby="products-title">
      <h1 id="products-title">{t('products.title')}</h1>
      <p>
        <a class="button" href={href('products', 'new')}>
          {t('products.new')}
        </a>
      </p>
      <PagedTable page={data} problem={problem} empty={t('products.empty')} columns={COLUMNS} rowKey={(p) => p.id} cursor={cursor} onCursor={setCursor} />
    </section>
  );
}

function StatusSelect({ value }: { value: string }) {
  return (
    <p class="field">
      <label for="f-status">{t('product.status')}</label>
      <select id="f-status" name="status">
        {PRODUCT_STATUSES.map((s) => (
          <option key={s} value={s} selected={s === value}>
            {label('status', s)}
          </option>
        ))}
      </select>
    </p>
  );
}

const priceOf = (value: FormDataEntryValue | null, currency: string) => {
  const amount = parseMoneyInput(String(value ?? ''), currency);
  if (amount === null) throw new ApiProblem(400, 'validation_failed', `price: not an amount in ${currency}`);
  return { amount, currency };
};

/** A new product with one variant and its stock at the default location. */
export function NewProduct() {
  const { data } = useLoad(() => api<Page<Product>>('GET', '/admin/products?limit=1'), []);
  const currency = currencyOf(data?.items);
  const [problem, setProblem] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    try {
      const created = await api<Product>('POST', '/admin/products', {
        title: String(form.get('title')).trim(),
        description: String(form.get('description') ?? ''),
        status: String(form.get('status')),
        variants: [
          { sku: String(form.get('sku')).trim(), price: priceOf(form.get('price'), currency), inventory: [{ on_hand: Number(form.get('on_hand') || 0) }] },
        ],
      });
      go('products', created.id);
    } catch (err) {
      setProblem(err);
    }
  };
  return (
    <section aria-labelledby="product-title">
      <p>
        <a href={href('products')}>{t('product.back')}</a>
      </p>
      <h1 id="product-title">{t('product.newTitle')}</h1>
      <form onSubmit={(e) => void submit(e)}>
        <Field label={t('product.title')} name="title" required />
        <Field label={t('product.description')} name="description" />
        <StatusSelect value="published" />
        <Field label={t('product.sku')} name="sku" required />
        <Field label={t('product.price', { currency })} name="price" type="number" step="any" required />
        <Field label={t('product.stock')} name="on_hand" type="number" step="1" defaultValue="0" />
        <ProblemText problem={problem} />
        <button type="submit" class="primary">
          {t('product.create')}
        </button>
      </form>
    </section>
  );
}

/** One product: title, description, status and prices, and each variant's stock per location. */
export function EditProduct({ id }: { id: string }) {
  const { data: product, problem: loadProblem, reload } = useLoad(() => api<Product>('GET', `/admin/products/${encodeURIComponent(id)}`), [id]);
  const { data: locations } = useLoad(() => api<Page<Location>>('GET', '/admin/locations'), []);
  const [problem, setProblem] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  if (!product) return <ProblemText problem={loadProblem} />;
  const currency = currencyOf([product]);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    try {
      await api('PATCH', `/admin/products/${product.id}`, {
        title: String(form.get('title')).trim(),
        description: String(form.get('description') ?? ''),
        status: String(form.get('status')),
        variants: product.variants.map((v) => ({ id: v.id, price: priceOf(form.get(`price-${v.id}`), currency), is_hot: form.get(`hot-${v.id}`) === 'on' })),
      });
      setProblem(null);
      setSaved(true);
      reload();
    } catch (err) {
      setSaved(false);
      setProblem(err);
    }
  };
  return (
    <section aria-labelledby="product-title">
      <p>
        <a href={href('products')}>{t('product.back')}</a>
      </p>
      <h1 id="product-title">{t('product.editTitle', { title: product.title })}</h1>
      <form onSubmit={(e) => void submit(e)} key={product.id}>
        <Field label={t('product.title')} name="title" defaultValue={product.title} required />
        <Field label={t('product.description')} name="description" defaultValue={product.description} />
        <StatusSelect value={product.status} />
        {product.variants.map((v) => (
          <Fragment key={v.id}>
            <Field
              label={`${v.sku}: ${t('product.price', { currency })}`}
              name={`price-${v.id}`}
              type="number"
              step="any"
              defaultValue={v.price ? moneyInputValue(v.price) : ''}
              required
            />
            <label class="check">
              <input type="checkbox" name={`hot-${v.id}`} defaultChecked={v.is_hot} /> {t('product.hot', { sku: v.sku })}
            </label>
          </Fragment>
        ))}
        <ProblemText problem={problem} />
        {saved && <p role="status">{t('product.saved')}</p>}
        <button type="submit" class="primary">
          {t('common.save')}
        </button>
      </form>
      <h2>{t('product.variants')}</h2>
      {product.variants.map((v) => (
        <Stock key={v.id} variant={v} locations={locations?.items ?? []} />
      ))}
    </section>
  );
}

function Stock({ variant, locations }: { variant: Product['variants'][number]; locations: Location[] }) {
  const { data, problem, reload } = useLoad(() => api<Page<InventoryLevel>>('GET', `/admin/inventory/${variant.id}`), [variant.id]);
  const levelAt = (locationId: string) => data?.items.find((l) => l.location_id === locationId);
  return (
    <>
      <ProblemText problem={problem} />
      <table>
        <caption>{variant.sku}</caption>
        <thead>
          <tr>
            <th scope="col">{t('product.col.location')}</th>
            <th scope="col" class="num">
              {t('product.col.onHand')}
            </th>
            <th scope="col" class="num">
              {t('product.col.reserved')}
            </th>
            <th scope="col" class="num">
              {t('product.col.available')}
            </th>
            <th scope="col">{t('order.col.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {locations.map((loc) => {
            const level = levelAt(loc.id);
            return (
              <tr key={loc.id} data-location={loc.code}>
                <th scope="row">{loc.name}</th>
                <td class="num">{level?.on_hand ?? 0}</td>
                <td class="num">{level?.reserved ?? 0}</td>
                <td class="num">{level?.available ?? 0}</td>
                <td>
                  <ActionDialog
                    label={t('product.setStock')}
                    title={t('product.stockOf', { sku: variant.sku, location: loc.name })}
                    onConfirm={async (form) => {
                      await api('PUT', `/admin/inventory/${variant.id}`, { location_id: loc.id, on_hand: Number(form.get('on_hand')) });
                      reload();
                    }}
                  >
                    <Field label={t('product.col.onHand')} name="on_hand" type="number" step="1" defaultValue={String(level?.on_hand ?? 0)} required />
                  </ActionDialog>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
