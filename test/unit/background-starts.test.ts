import { BackgroundStarts, type BackgroundStartsOptions } from '../../api/background-starts.ts';

/** A call that runs until opened. */
function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

function buildStarts(overrides: Partial<BackgroundStartsOptions> = {}) {
  const dropped: string[] = [];
  const starts = new BackgroundStarts({ concurrency: 2, maxQueued: 10, onDropped: (key) => dropped.push(key), ...overrides });
  return { starts, dropped };
}

describe('background starts', () => {
  test('when more calls are added than the concurrency, then at most that many run at once and all run in the end', async () => {
    const { starts } = buildStarts({ concurrency: 2 });
    const gates = Array.from({ length: 5 }, () => gate());
    let running = 0;
    let most = 0;
    const ran: number[] = [];
    gates.forEach((g, i) =>
      starts.add(`k${i}`, async () => {
        running++;
        most = Math.max(most, running);
        await g.promise;
        running--;
        ran.push(i);
      }),
    );
    expect(running).toBe(2);
    expect(starts.pending).toBe(5);
    for (const g of gates) g.open();
    await starts.drain(1_000);
    expect(most).toBe(2);
    expect(ran.sort()).toEqual([0, 1, 2, 3, 4]);
    expect(starts.pending).toBe(0);
  });

  test('when a key is added again while it waits, then it runs once', async () => {
    const { starts } = buildStarts({ concurrency: 1 });
    const first = gate();
    const runs: string[] = [];
    starts.add('busy', async () => first.promise);
    starts.add('cart', async () => void runs.push('a'));
    starts.add('cart', async () => void runs.push('b'));
    first.open();
    await starts.drain(1_000);
    expect(runs).toEqual(['a']);
  });

  test('when the queue is full, then the call is dropped and reported, and the add still returns at once', async () => {
    const { starts, dropped } = buildStarts({ concurrency: 1, maxQueued: 1 });
    const first = gate();
    starts.add('running', async () => first.promise);
    starts.add('waiting', async () => {});
    starts.add('overflow', async () => {});
    expect(dropped).toEqual(['overflow']);
    first.open();
    await starts.drain(1_000);
    expect(dropped).toEqual(['overflow']);
  });

  test('when a drain gives up, then what still waits is dropped and reported', async () => {
    const { starts, dropped } = buildStarts({ concurrency: 1 });
    starts.add('stuck', async () => new Promise<void>(() => {}));
    starts.add('behind', async () => {});
    await starts.drain(20);
    expect(dropped).toEqual(['behind']);
  });

  test('when a call is delayed, then it runs only once the delay has passed', async () => {
    const { starts } = buildStarts({ delayMs: 40 });
    const ran: string[] = [];
    starts.add('cart', async () => void ran.push('cart'));
    await new Promise((r) => setTimeout(r, 5));
    expect(ran).toEqual([]);
    expect(starts.pending).toBe(1);
    await new Promise((r) => setTimeout(r, 80));
    expect(ran).toEqual(['cart']);
    expect(starts.pending).toBe(0);
  });

  test('when a delayed call is cancelled, then it never runs, is not reported dropped, and a drain finds nothing pending', async () => {
    const { starts, dropped } = buildStarts({ delayMs: 30 });
    const ran: string[] = [];
    starts.add('cart', async () => void ran.push('cart'));
    expect(starts.cancel('cart')).toBe(true);
    expect(starts.cancel('cart')).toBe(false);
    await new Promise((r) => setTimeout(r, 60));
    await starts.drain(100);
    expect(ran).toEqual([]);
    expect(dropped).toEqual([]);
    expect(starts.pending).toBe(0);
  });

  test('when a drain starts while calls wait out their delay, then they run at once rather than being dropped', async () => {
    const { starts, dropped } = buildStarts({ delayMs: 60_000 });
    const ran: string[] = [];
    starts.add('a', async () => void ran.push('a'));
    starts.add('b', async () => void ran.push('b'));
    await starts.drain(1_000);
    expect(ran.sort()).toEqual(['a', 'b']);
    expect(dropped).toEqual([]);
  });

  test('when a key is added again during its delay, then it runs once', async () => {
    const { starts } = buildStarts({ delayMs: 20 });
    const runs: string[] = [];
    starts.add('cart', async () => void runs.push('a'));
    starts.add('cart', async () => void runs.push('b'));
    await new Promise((r) => setTimeout(r, 50));
    await starts.drain(100);
    expect(runs).toEqual(['a']);
  });
});
