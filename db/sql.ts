// The sql tag every query module uses, and row schemas shared by them. Schemas are module constants:
// zod compiles each schema once, so building one per call would recompile it on every query.
import { sql } from 'slonik';
import { z } from 'zod';

/** Row schema for statements that return no rows (INSERT/UPDATE without RETURNING). */
export const noRows = z.object({});

/** `SELECT … id`. */
export const idRow = z.object({ id: z.string() });

/** `SELECT count(*)::int8 AS n`. */
export const countRow = z.object({ n: z.number() });

/** `SELECT 1 AS one` (existence checks). */
export const oneRow = z.object({ one: z.number() });

export { sql };
