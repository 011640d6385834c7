// /openapi.json operations of bank statements: upload a statement, read what it matched.
import { bankStatementView } from '../contracts/bank-statement-views.ts';
import { uploadBankStatementBody, uploadedBankStatementView } from './schemas-bank-statements.ts';
import type { Op } from './openapi-operation.ts';

/** Upload and read bank statements. */
export const BANK_STATEMENT_OPERATIONS: Op[] = [
  {
    method: 'post',
    path: '/admin/bank-statements',
    summary:
      'Upload a bank statement CSV (date,amount,currency,reference,payer); a workflow confirms each credit that names a pending bank-transfer order (Idempotency-Key optional; a malformed file is 400 and nothing is stored)',
    auth: 'admin',
    body: uploadBankStatementBody,
    response: uploadedBankStatementView,
    status: 202,
  },
  {
    method: 'get',
    path: '/admin/bank-statements/{id}',
    summary: 'A statement: status, matched lines (paid, partially_paid, already_applied) and unmatched lines with their reason',
    auth: 'admin',
    response: bankStatementView,
  },
];
