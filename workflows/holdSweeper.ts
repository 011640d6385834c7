// Hold sweeper: run by a Temporal Schedule; releases expired holds whose expiry workflow never started.
import { acts } from './support.ts';

/** Releases every expired hold, in bounded batches; returns how many it released. */
export async function holdSweeper(): Promise<number> {
  return acts.sweepExpiredHolds({ batchSize: 500, maxBatches: 20 });
}
