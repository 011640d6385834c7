// The hold scenarios' load: each request adds one unit to the next cart, round robin, of the variant that cart always gets.
import type autocannon from 'autocannon';

/**
 * Autocannon requests adding to `carts` in turn (cart i gets variant i mod the variants, so each cart has one line that
 * grows). One counter per call: a second phase built from the same call carries on where the first stopped.
 */
export function addToCartRequests(carts: string[], variants: string[]): autocannon.Request[] {
  let n = 0;
  return [
    {
      method: 'POST',
      setupRequest: (req) => {
        n++;
        return {
          ...req,
          path: `/store/carts/${carts[n % carts.length]}/items`,
          body: JSON.stringify({ variant_id: variants[n % variants.length], quantity: 1 }),
        };
      },
    },
  ];
}
