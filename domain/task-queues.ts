// The two task queues of a store: its own, and the hot one beside it where a flash sale's processes run.

/**
 * The hot task queue beside `taskQueue`: the expiry workflows of carts whose first hold is of a hot variant, and the
 * checkouts (with their children) of carts holding one, run there, on worker slots of their own (workers/run.ts).
 */
export function hotTaskQueue(taskQueue: string): string {
  return `${taskQueue}-hot`;
}

/** The queue a cart's process starts on: the hot one when the cart holds a hot variant. */
export function cartTaskQueue(taskQueue: string, hot: boolean): string {
  return hot ? hotTaskQueue(taskQueue) : taskQueue;
}
