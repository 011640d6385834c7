// `node bench/checkout-ramp.ts`: the highest sustainable rate of card checkouts and of the one-activity workflow, on
// one Temporal server (issue 14, scope 1; DESIGN §9 "checkout ceiling"). Open loop: at each offered rate of RAMP_RATES
// (default 1,2,5,10,15,20,30 per second) for RAMP_STEP_SECONDS (default 10), the one-activity workflow, then checkouts of
// carts prepared beforehand. A step is sustained when its P99 stays under 1 s and at least 95 % of the offered rate
// was answered successfully; a scenario's ramp stops at its first step that is not (its backlog would spill into the
// next). Ceiling = the highest sustained rate; the target is checkout ceiling ≥ 0.75 × the one-activity ceiling.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBenchStack } from './bench-stack.ts';
import { checkoutsAtRate, startOneActivityBaseline, type Latencies } from './checkout.ts';
import { ceiling, ratio, sustained, type RampStep } from './stats.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const RATES = (process.env.RAMP_RATES ?? '1,2,5,10,15,20,30').split(',').map(Number);
const STEP_SECONDS = Number(process.env.RAMP_STEP_SECONDS ?? 10);
// Between steps, so the work a step left behind (children, e-mails, relay) does not fall on the next one's clock.
const PAUSE_MS = Number(process.env.RAMP_PAUSE_MS ?? 5000);

const asStep = (offered: number, l: Latencies): RampStep & Latencies => ({ ...l, offered_per_s: offered, achieved_per_s: l.rate_per_s, p99_ms: l.p99 });

function line(label: string, s: RampStep & Latencies) {
  process.stdout.write(
    `${label.padEnd(22)} offered ${String(s.offered_per_s).padStart(4)}/s  achieved ${String(s.achieved_per_s).padStart(5)}/s  ` +
      `p50 ${s.p50} ms  p99 ${s.p99} ms  failed ${s.failed} of ${s.count + s.failed}  ${sustained(s) ? 'sustained' : 'NOT sustained'}\n`,
  );
}

/** What the ramp drives: a running API and its Temporal server, with a store key and variants with ample stock. */
export type RampTarget = { apiUrl: string; temporalAddress: string; publishableKey: string; variantIds: string[] };

/** The ramp's summary: every step of both scenarios, the two ceilings and their ratio. */
export type RampSummary = Awaited<ReturnType<typeof rampCeilings>>;

/** Ramps checkouts and the one-activity workflow on `target` up RATES until each stops being sustained. */
export async function rampCeilings(target: RampTarget) {
  const baseline = await startOneActivityBaseline(target.temporalAddress);
  const steps = { one_activity: [] as (RampStep & Latencies)[], checkout: [] as (RampStep & Latencies)[] };
  try {
    let workflowGoing = true;
    let checkoutGoing = true;
    // Each rate is offered to both before the next rate, so load from anything else on the machine falls on both alike.
    for (const rate of RATES) {
      if (!workflowGoing && !checkoutGoing) break;
      if (workflowGoing) {
        const s = asStep(rate, await baseline.atRate(rate, STEP_SECONDS));
        steps.one_activity.push(s);
        line('one-activity workflow', s);
        workflowGoing = sustained(s);
        await new Promise((r) => setTimeout(r, PAUSE_MS));
      }
      if (checkoutGoing) {
        const s = asStep(rate, await checkoutsAtRate(target.apiUrl, target.publishableKey, target.variantIds, rate, STEP_SECONDS));
        steps.checkout.push(s);
        line('checkout (card)', s);
        checkoutGoing = sustained(s);
        await new Promise((r) => setTimeout(r, PAUSE_MS));
      }
    }
  } finally {
    await baseline.stop();
  }
  const checkoutCeiling = ceiling(steps.checkout);
  const workflowCeiling = ceiling(steps.one_activity);
  const top = RATES[RATES.length - 1];
  const summary = {
    rates: RATES,
    step_seconds: STEP_SECONDS,
    rule: 'sustained = P99 < 1000 ms and achieved >= 95 % of offered; ceiling = highest sustained rate before the first that is not',
    steps,
    ceilings: { checkout_per_s: checkoutCeiling, one_activity_per_s: workflowCeiling },
    // A ceiling equal to the top rate only says "at least": the ramp did not find the limit.
    ceilings_are_lower_bounds: { checkout: checkoutCeiling === top, one_activity: workflowCeiling === top },
    ratio_checkout_vs_one_activity: ratio(checkoutCeiling, workflowCeiling),
    target_met: ratio(checkoutCeiling, workflowCeiling) >= 0.75,
  };
  process.stdout.write(
    `ceilings: checkout ${checkoutCeiling}/s, one-activity workflow ${workflowCeiling}/s` +
      `${summary.ceilings_are_lower_bounds.one_activity ? ' (or more: the top rate offered)' : ''}; ratio ${summary.ratio_checkout_vs_one_activity}` +
      ` (target >= 0.75: ${summary.target_met ? 'met' : 'MISSED'})\n`,
  );
  return summary;
}

async function main() {
  const stack = await startBenchStack('ramp');
  try {
    const summary = { at: new Date().toISOString(), ...(await rampCeilings(stack)) };
    mkdirSync(path.join(root, 'bench/results'), { recursive: true });
    const file = path.join(root, 'bench/results', `checkout-ramp-${summary.at.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
    process.stdout.write(`results: ${path.relative(root, file)}\n`);
  } finally {
    await stack.stop();
  }
}

// `npm run bench` imports rampCeilings and runs it on its own stack; run directly, the ramp gets a stack of its own.
if (import.meta.main) await main();
