-- Up Migration
-- A variant the back office flags hot (seed 002's `is_hot`, DESIGN §4) is on a flash sale: carts whose first hold is of a
-- hot variant get their expiry workflow, and carts holding one get their checkout, on the hot task queue
-- (domain/task-queues.ts), served by worker slots of its own, so the sale cannot starve the rest of the store's processes.
ALTER TABLE variants ADD COLUMN is_hot boolean NOT NULL DEFAULT false;

-- Down Migration
ALTER TABLE variants DROP COLUMN is_hot;
