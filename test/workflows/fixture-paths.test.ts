// Reads the committed fixtures: each patched path's runs took their new path, and the runs kept from before their old one.
import { committedHistories, fixtureNameFits, localActivityRuns } from '../helpers/histories.ts';

/** The events of the committed fixture `name`. */
const fixtureEvents = (name: string) => committedHistories([name])[0].json.events as Record<string, any>[];

describe('committed workflow histories', () => {
  test('when the fixtures are read, then the patched runs took their new path and the old ones their old path', () => {
    const run = (name: string) => {
      const events = fixtureEvents(name);
      return {
        activities: events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []),
        local: localActivityRuns(events).map((r) => r.activityType),
      };
    };
    for (const name of ['fulfillment-cod-completed', 'fulfillment-mall-bank-transfer-completed']) {
      expect({ name, ...run(name) }).toMatchObject({ name, local: ['createShipments'] });
      expect(run(name).activities).not.toContain('createShipments');
      expect(run(`${name}-activity-shipments`).activities).toContain('createShipments');
    }
    // A cart checked out before its watcher started tells no watcher; the run recorded before HOLD_WATCH_DELAY told it.
    const cartSignals = (name: string) => fixtureEvents(name).filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes).length;
    expect(cartSignals('checkout-cod-completed')).toBe(0);
    expect(cartSignals('checkout-cod-completed-watched-cart')).toBe(1);
    expect(cartSignals('checkout-bank-transfer-completed')).toBe(1);
    // After `cart-closed-after-answer` the watcher is told in the task that answers the storefront, not a task before it.
    const toldBeforeAnswerTask = (name: string) => {
      const events = fixtureEvents(name);
      const told = events.findIndex((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes);
      const answered = events.findIndex((e) => e.workflowExecutionUpdateCompletedEventAttributes);
      return events.slice(told, answered).some((e) => e.workflowTaskCompletedEventAttributes);
    };
    expect(toldBeforeAnswerTask('checkout-bank-transfer-completed')).toBe(false);
    expect(toldBeforeAnswerTask('checkout-bank-transfer-completed-signal-at-placement')).toBe(true);
    // Newer checkouts ask `cart-closed-after-answer` before placing the order (a query during placeOrder cannot split them).
    const askedBeforePlacement = (name: string) => {
      const events = fixtureEvents(name);
      const patchAt = events.findIndex((e) => {
        const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
        return data && JSON.parse(Buffer.from(data, 'base64').toString()).id === 'cart-closed-after-answer';
      });
      return patchAt >= 0 && patchAt < events.findIndex((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
    };
    for (const name of ['checkout-cod-completed', 'checkout-bank-transfer-completed']) {
      expect({ name, asked: askedBeforePlacement(name) }).toEqual({ name, asked: true });
      expect({ name, asked: askedBeforePlacement(`${name}-patch-after-placement`) }).toEqual({ name, asked: false });
    }
    // After `local-authorization` the card is authorized in the task that places the order; before it, as an activity.
    for (const name of ['checkout-card-completed', 'checkout-card-declined', 'checkout-card-cancelled-after-local-authorization']) {
      expect({ name, ...run(name) }).toMatchObject({ name, local: ['placeOrder', 'authorizeCardPayment'] });
      expect(run(name).activities).not.toContain('authorizeCardPayment');
    }
    for (const name of ['checkout-card-completed-activity-authorization', 'checkout-card-declined-activity-authorization']) {
      expect({ name, ...run(name) }).toMatchObject({ name, local: ['placeOrder'], activities: expect.arrayContaining(['authorizeCardPayment']) });
    }
    // A single brand's parcel: followed by the fulfillment itself (no child), or by a `shipment` child before the patch.
    const children = (name: string) => fixtureEvents(name).filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes).length;
    for (const name of ['fulfillment-cod-completed', 'fulfillment-bank-transfer-completed']) {
      expect({ name, children: children(name) }).toEqual({ name, children: 0 });
      expect({ name, children: children(`${name}-shipment-child`) }).toEqual({ name, children: 1 });
    }
    for (const name of ['reservation-expiry-cart-closed', 'reservation-expiry-released-hold']) {
      // Started with the first holds' expiry, the run slept first: its first pass asked nothing of the database.
      const events = fixtureEvents(name);
      const firstTimer = events.findIndex((e) => e.timerStartedEventAttributes);
      const firstActivity = events.findIndex((e) => e.activityTaskScheduledEventAttributes);
      expect({ name, sleptFirst: firstTimer >= 0 && (firstActivity < 0 || firstTimer < firstActivity) }).toEqual({ name, sleptFirst: true });
      expect(run(`${name}-first-pass-asks`).activities[0]).toBe('releaseExpiredCartHolds');
    }
  });
  test('when the checkoutV2 and fulfillmentV2 fixtures are read, then they are of those types and none records a patch marker or a version upsert', () => {
    const fixtures = committedHistories().filter((h) => /^(checkout|fulfillment)-v2-/.test(h.name));
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
    for (const { name, json } of fixtures) {
      const events = json.events as Record<string, any>[];
      expect({
        name,
        type: events[0].workflowExecutionStartedEventAttributes?.workflowType?.name,
        patchMarkers: events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch').length,
        versionUpserts: events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.TemporalChangeVersion).length,
      }).toEqual({ name, type: name.startsWith('checkout') ? 'checkoutV2' : 'fulfillmentV2', patchMarkers: 0, versionUpserts: 0 });
    }
    // Every change taken: the card authorized in the placing task, a single brand's parcel followed without a child.
    expect(localActivityRuns(fixtureEvents('checkout-v2-card-completed')).map((r) => r.activityType)).toEqual(['placeOrder', 'authorizeCardPayment']);
    expect(fixtureEvents('fulfillment-v2-cod-completed').filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)).toEqual([]);
  });
  test('when every fixture is read, then its name starts with the prefix of the workflow type that recorded it', () => {
    const mismatched = committedHistories().flatMap(({ name, json }) => {
      const type = (json.events as Record<string, any>[])[0].workflowExecutionStartedEventAttributes?.workflowType?.name as string;
      return fixtureNameFits(name, type) ? [] : [{ name, type }];
    });
    expect(mismatched).toEqual([]);
    expect([fixtureNameFits('checkout-v2-cod-completed', 'checkout'), fixtureNameFits('checkout-cod-completed', 'checkoutV2')]).toEqual([false, false]);
    expect(fixtureNameFits('subscription-dunning-cancelled', 'subscriptionBilling')).toBe(true);
  });
});
