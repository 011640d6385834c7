// Back-office routes of bank statements (roles in api/route-roles.ts: staff, like confirming a transfer by hand).
import { Router } from 'express';
import { randomUUID } from 'node:crypto';
import { createBankStatement, getBankStatement } from '../../db/queries/bank-statements.ts';
import { bankStatementIdOf, countStatementLines } from '../../domain/bank-statement-csv.ts';
import { ValidationError } from '../../domain/errors.ts';
import { makeId } from '../../domain/ids.ts';
import type { AppDeps } from '../context.ts';
import { actorOf, tenantOf } from '../context.ts';
import { startStatementMatching } from '../bank-statements.ts';
import { uploadBankStatementBody } from '../schemas-bank-statements.ts';

/** POST /admin/bank-statements, GET /admin/bank-statements/:id. */
export function adminBankStatementRoutes(deps: AppDeps): Router {
  const { pool, config, temporal } = deps;
  const r = Router();

  // Stored first (with its audit entry), then matched by a workflow: the answer does not wait for the matching.
  r.post('/bank-statements', async (req, res) => {
    const t = tenantOf(req);
    const body = uploadBankStatementBody.parse(req.body);
    const lineCount = countStatementLines(body.content);
    const key = req.get('idempotency-key');
    if (key !== undefined && (key.length === 0 || key.length > 200)) throw new ValidationError('Idempotency-Key is 1 to 200 characters');
    const id = key ? bankStatementIdOf(t.id, key) : makeId('bst', randomUUID());
    await createBankStatement(pool, { id, tenantId: t.id, content: body.content, lineCount }, actorOf(req));
    const workflowId = await startStatementMatching(temporal, config, { tenantId: t.id, statementId: id, actor: actorOf(req) });
    const stored = await getBankStatement(pool, t.id, id);
    res.status(202).json({ id, status: stored.status, lines: stored.lines, workflow_id: workflowId });
  });

  r.get('/bank-statements/:id', async (req, res) => {
    res.json(await getBankStatement(pool, tenantOf(req).id, req.params.id));
  });

  return r;
}
