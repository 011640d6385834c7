// Rules of a product CSV import: header, one row on its own, and the checks across a file.
import { checkProductRow, chunkRange, FileChecks, headerErrors, type ImportRow } from '../../domain/imports.ts';

const buildRecord = (overrides: Record<string, string> = {}) => ({
  handle: 'sencha',
  title: 'Sencha',
  status: 'published',
  sku: 'SEN-100',
  variant_title: '100 g',
  price: '1200',
  currency: 'jpy',
  on_hand: '5',
  category: 'tea|green-tea',
  vendor_id: '',
  ...overrides,
});
const rowOf = (overrides: Record<string, string> = {}) => checkProductRow(buildRecord(overrides), 'JPY').row as ImportRow;

describe('product CSV rows', () => {
  test('when a row is valid, then it is typed: price and stock as integers, currency upper case, categories split', () => {
    expect(checkProductRow(buildRecord(), 'JPY')).toEqual({
      row: {
        handle: 'sencha',
        title: 'Sencha',
        status: 'published',
        sku: 'SEN-100',
        variant_title: '100 g',
        price: 1200,
        currency: 'JPY',
        on_hand: 5,
        categories: ['tea', 'green-tea'],
        vendor_id: null,
      },
    });
  });

  test("when optional columns are empty, then handle comes from the title, status is draft, currency the store's, stock unchanged", () => {
    expect(checkProductRow(buildRecord({ handle: '', status: '', currency: '', on_hand: '', category: '' }), 'USD').row).toMatchObject({
      handle: 'sencha',
      status: 'draft',
      currency: 'USD',
      on_hand: null,
      categories: [],
    });
  });

  test.each([
    ['price', '12.50', /^bad price "12.50"/],
    ['price', '-1', /^bad price "-1"/],
    ['price', 'abc', /^bad price/],
    ['on_hand', '1e3', /^bad on_hand/],
    ['status', 'live', /^bad status "live"/],
    ['currency', 'YEN!', /^bad currency/],
    ['sku', '', /^sku is empty/],
    ['handle', 'has space', /^bad handle/],
  ])('when %s is "%s", then the row is refused with a message saying so', (column, value, message) => {
    const checked = checkProductRow(buildRecord({ [column]: value }), 'JPY');
    expect(checked.errors).toEqual([expect.stringMatching(message)]);
  });

  test('when the header has an unknown or a missing column, then it says which', () => {
    expect(headerErrors(['sku', 'title', 'price'])).toEqual([]);
    expect(headerErrors(['sku', 'title', 'colour'])).toEqual([expect.stringContaining('unknown column "colour"'), 'missing column "price"']);
  });
});

describe('checks across a file', () => {
  test('when a SKU comes twice, then the second row is refused naming the first line', () => {
    const checks = new FileChecks();
    expect(checks.check(rowOf(), 2)).toEqual([]);
    expect(checks.check(rowOf({ variant_title: '200 g' }), 3)).toEqual(['duplicate sku "SEN-100": also on line 2']);
  });

  test('when rows of one handle disagree on the product, then the later one is a duplicate handle; agreeing rows are its variants', () => {
    const checks = new FileChecks();
    expect(checks.check(rowOf(), 2)).toEqual([]);
    expect(checks.check(rowOf({ sku: 'SEN-200', category: 'green-tea|tea' }), 3)).toEqual([]);
    expect(checks.check(rowOf({ sku: 'SEN-300', title: 'Gyokuro' }), 4)).toEqual([
      expect.stringMatching(/^duplicate handle "sencha": line 2 gives it another title/),
    ]);
  });

  test('when a refused row named a SKU, then a later row may use it', () => {
    const checks = new FileChecks();
    checks.check(rowOf(), 2);
    expect(checks.check(rowOf({ sku: 'SEN-9', title: 'Other' }), 3)).not.toEqual([]);
    expect(checks.check(rowOf({ sku: 'SEN-9' }), 4)).toEqual([]);
  });

  test('when chunks are numbered, then their seq ranges tile the file', () => {
    expect([0, 1, 2].map((c) => chunkRange(c, 200))).toEqual([
      { fromSeq: 0, toSeq: 200 },
      { fromSeq: 200, toSeq: 400 },
      { fromSeq: 400, toSeq: 600 },
    ]);
  });
});
