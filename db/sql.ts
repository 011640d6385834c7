// The sql tag every query module uses, and row schemas shared by them.
import { sql } from 'slonik';
import { z } from 'zod';

/** Row schema for statements that return no rows (INSERT/UPDATE without RETURNING). */
export const noRows = z.object({});

export { sql };
