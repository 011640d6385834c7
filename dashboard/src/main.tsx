// The back-office dashboard: sign-in with a staff key, then orders, products, subscriptions and webhooks.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './styles.css';
import { api, session, whenSignedOut } from './api.ts';
import { Field, ProblemText } from './components.tsx';
import { copyLanguage, t } from './i18n/index.ts';
import { href, useRoute } from './router.ts';
import { OrderDetail } from './screens/OrderDetail.tsx';
import { Orders } from './screens/Orders.tsx';
import { EditProduct, NewProduct, Products } from './screens/Products.tsx';
import { SubscriptionDetail, Subscriptions } from './screens/Subscriptions.tsx';
import { Webhooks } from './screens/Webhooks.tsx';

document.documentElement.lang = copyLanguage;
document.title = t('app.title');

function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [problem, setProblem] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const key = String(new FormData(e.currentTarget as HTMLFormElement).get('api_key') ?? '').trim();
    try {
      // Any staff key may read orders: that is the check. The key goes in a header, never in the URL.
      await api('GET', '/admin/orders?limit=1', undefined, key);
      session.set(key);
      // The same key signs the Temporal Web UI's codec in (an HttpOnly cookie for /codec); only owner and admin keys may
      // decode histories, so a staff key's refusal here is expected and harmless.
      await api('POST', '/admin/session', { api_key: key }, null).catch(() => undefined);
      onSignedIn();
    } catch (err) {
      setProblem(err);
    }
  };
  return (
    <main id="main" class="sign-in">
      <h1>{t('signIn.title')}</h1>
      <form onSubmit={(e) => void submit(e)} autocomplete="off">
        <Field label={t('signIn.key')} name="api_key" type="password" hint={t('signIn.keyHint')} required />
        <ProblemText problem={problem} />
        <button type="submit" class="primary">
          {t('signIn.submit')}
        </button>
      </form>
    </main>
  );
}

function Screen({ route }: { route: string[] }) {
  const [area, id] = route;
  if (area === 'orders' && id) return <OrderDetail id={id} />;
  if (area === 'products' && id === 'new') return <NewProduct />;
  if (area === 'products' && id) return <EditProduct id={id} />;
  if (area === 'products') return <Products />;
  if (area === 'subscriptions' && id) return <SubscriptionDetail id={id} />;
  if (area === 'subscriptions') return <Subscriptions />;
  if (area === 'webhooks') return <Webhooks />;
  return <Orders />;
}

const AREAS = [
  ['orders', 'nav.orders'],
  ['products', 'nav.products'],
  ['subscriptions', 'nav.subscriptions'],
  ['webhooks', 'nav.webhooks'],
] as const;

function App() {
  const [signedIn, setSignedIn] = useState(() => session.key() !== null);
  const route = useRoute();
  useEffect(() => whenSignedOut(() => setSignedIn(false)), []);
  // A new screen: move focus to its content, so keyboard and screen-reader users start there.
  useEffect(() => document.getElementById('main')?.focus(), [route.join('/')]);
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  const signOut = async () => {
    session.clear();
    await api('DELETE', '/admin/session', undefined, null).catch(() => undefined);
    setSignedIn(false);
  };
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        {t('app.skip')}
      </a>
      <header>
        <strong>{t('app.title')}</strong>
        <nav aria-label={t('nav.label')}>
          <ul>
            {AREAS.map(([area, key]) => (
              <li key={area}>
                <a href={href(area)} aria-current={(route[0] ?? 'orders') === area ? 'page' : undefined}>
                  {t(key)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" onClick={() => void signOut()}>
          {t('nav.signOut')}
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Screen route={route} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
