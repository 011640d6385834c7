// SQL owned by the outbox table: events written in the same transaction as the change they describe.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CommonQueryMethods } from 'slonik';
import { noRows, sql } from '../sql.ts';
import { makeId } from '../../domain/ids.ts';

/** An event to append. `eventId` makes a retried activity append it once. */
export type OutboxEvent = { tenantId: string; type: string; aggregateId: string; payload: Record<string, unknown>; eventId?: string };

/** Appends an event inside the caller's transaction; a repeated event id is ignored. */
export async function appendOutbox(tx: CommonQueryMethods, event: OutboxEvent): Promise<void> {
  await tx.query(sql.type(noRows)`
    INSERT INTO outbox (event_id, tenant_id, type, aggregate_id, payload)
    VALUES (${event.eventId ?? makeId('evt', randomUUID())}, ${event.tenantId}, ${event.type}, ${event.aggregateId}, ${sql.jsonb(event.payload as never)})
    ON CONFLICT (event_id) DO NOTHING`);
}

/** Appends many events in one statement (e.g. a sweep's expiries); repeated event ids are ignored. */
export async function appendOutboxMany(tx: CommonQueryMethods, events: OutboxEvent[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((e) => [e.eventId ?? makeId('evt', randomUUID()), e.tenantId, e.type, e.aggregateId, JSON.stringify(e.payload)]);
  await tx.query(sql.type(noRows)`
    INSERT INTO outbox (event_id, tenant_id, type, aggregate_id, payload)
    SELECT event_id, tenant_id, type, aggregate_id, payload::jsonb
    FROM ${sql.unnest(rows, ['text', 'text', 'text', 'text', 'text'])} AS e(event_id, tenant_id, type, aggregate_id, payload)
    ON CONFLICT (event_id) DO NOTHING`);
}

/** An outbox row as the relay reads it. */
const outboxRow = z.object({
  seq: z.number(),
  event_id: z.string(),
  tenant_id: z.string(),
  type: z.string(),
  aggregate_id: z.string(),
  payload: z.record(z.string(), z.unknown()),
  created_at: z.string(),
});
export type OutboxRow = z.infer<typeof outboxRow>;

/**
 * Locks the oldest unpublished events (of `tenantIds` only, when given) for the caller's transaction. SKIP LOCKED
 * lets relays run side by side; a relay that dies mid-batch rolls back and its events are claimed again.
 */
export async function claimOutboxBatch(tx: CommonQueryMethods, limit: number, tenantIds: string[] | null): Promise<OutboxRow[]> {
  return [
    ...(await tx.any(sql.type(outboxRow)`
    SELECT seq, event_id, tenant_id, type, aggregate_id, payload, created_at FROM outbox
    WHERE published_at IS NULL ${tenantIds ? sql.fragment`AND tenant_id = ANY(${sql.array(tenantIds, 'text')})` : sql.fragment``}
    ORDER BY seq LIMIT ${limit}
    FOR UPDATE SKIP LOCKED`)),
  ];
}

/** Marks events delivered to every consumer. */
export async function markOutboxPublished(tx: CommonQueryMethods, seqs: number[]): Promise<void> {
  if (seqs.length === 0) return;
  await tx.query(sql.type(noRows)`UPDATE outbox SET published_at = now() WHERE seq = ANY(${sql.array(seqs, 'int8')})`);
}

/** One recorded event of a tenant by its id (null: none), e.g. to deliver it again. */
export async function getOutboxEvent(db: CommonQueryMethods, tenantId: string, eventId: string): Promise<OutboxRow | null> {
  return db.maybeOne(sql.type(outboxRow)`
    SELECT seq, event_id, tenant_id, type, aggregate_id, payload, created_at FROM outbox WHERE tenant_id = ${tenantId} AND event_id = ${eventId}`);
}
