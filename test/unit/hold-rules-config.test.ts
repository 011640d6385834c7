// Config of the hold rules (issue 9): defaults and bounds of MAX_LINE_QUANTITY and CART_HOLD_MAX_LIFETIME.
import { parseConfig } from '../../config/config.ts';

describe('hold rules config', () => {
  test('when neither variable is set, then a line holds at most 100 units and holds end 2h after the first', () => {
    expect(parseConfig({})).toMatchObject({ MAX_LINE_QUANTITY: 100, CART_HOLD_MAX_LIFETIME: 2 * 3_600_000 });
  });

  test('when they are set, then the duration becomes milliseconds and the cap a number', () => {
    expect(parseConfig({ MAX_LINE_QUANTITY: '250', CART_HOLD_MAX_LIFETIME: '3s' })).toMatchObject({ MAX_LINE_QUANTITY: 250, CART_HOLD_MAX_LIFETIME: 3_000 });
  });

  test('when the cap is out of range or the lifetime is not a duration, then the error names the variable', () => {
    expect(() => parseConfig({ MAX_LINE_QUANTITY: '1001' })).toThrow(/MAX_LINE_QUANTITY/);
    expect(() => parseConfig({ MAX_LINE_QUANTITY: '0' })).toThrow(/MAX_LINE_QUANTITY/);
    expect(() => parseConfig({ CART_HOLD_MAX_LIFETIME: 'forever' })).toThrow(/CART_HOLD_MAX_LIFETIME: invalid duration "forever"/);
  });
});
