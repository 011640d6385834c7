// Task queue names (the main one comes from config: TEMPORAL_TASK_QUEUE).

/** Default task queue of workflows and activities. */
export const DEFAULT_TASK_QUEUE = 'commerce';
