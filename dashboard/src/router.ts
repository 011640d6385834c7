// Hash routes (#/orders/ord_…): the server serves one page, and nothing secret ever enters the URL.
import { useEffect, useState } from 'preact/hooks';

/** The current route, split into segments (#/orders/ord_1 → ['orders', 'ord_1']). */
export function useRoute(): string[] {
  const read = () =>
    location.hash
      .replace(/^#\/?/, '')
      .split('/')
      .filter(Boolean)
      .map((s) => decodeURIComponent(s));
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const changed = () => setRoute(read());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

/** The href of a route. */
export function href(...segments: string[]): string {
  return `#/${segments.map(encodeURIComponent).join('/')}`;
}

/** Goes to a route. */
export function go(...segments: string[]): void {
  location.hash = href(...segments);
}
