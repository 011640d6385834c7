// SQL owned by the outbox table: events written in the same transaction as the change they describe.
import { randomUUID } from 'node:crypto';
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
