// Role-table entries whose routes other branches of issue 12 add (staff keys, audit log): not registered on this branch yet.
import type { RouteKey } from '../../api/route-roles.ts';

/** The integrator empties this list once /admin/api-keys and /admin/audit-log are merged; the role tests then demand them. */
export const PENDING_ROUTES: readonly RouteKey[] = ['GET /admin/api-keys', 'POST /admin/api-keys', 'DELETE /admin/api-keys/:id'];
