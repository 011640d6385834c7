// The one place that maps errors to HTTP problem+json responses.
import type { ErrorRequestHandler, Request, Response } from 'express';
import { ZodError } from 'zod';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ConflictError, DomainError, domainErrorFromCode, INTERNAL_FAILURE_TYPE, UnavailableError } from '../domain/errors.ts';
import { translateDbError } from '../db/errors.ts';
import type { Logger } from '../config/logger.ts';
import { loggedPath } from './log-path.ts';

const STATUS_BY_CODE: Record<string, number> = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  insufficient_stock: 409,
  conflict: 409,
  amount_mismatch: 422,
  card_declined: 402,
  rate_limited: 429,
  price_changed: 409,
  discount_invalid: 422,
  authorization_window_exceeded: 422,
  unavailable: 503,
  gone: 410,
  payload_too_large: 413,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The answer to a path no route serves: 404 `not_found`. */
export function noRoute(req: Request, res: Response): void {
  res
    .status(404)
    .type('application/problem+json')
    .json({ ...problem(404, 'not_found', `no route for ${req.method} ${req.baseUrl}${req.path}`), request_id: req.id });
}

/** A problem+json body. */
export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: { path: string; message: string }[];
  [k: string]: unknown;
};

/** Builds a problem body for a status and code. */
export function problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): Problem {
  return { type: `https://docs.temporal-commerce.dev/errors/${code}`, title: TITLES[status] ?? 'Error', status, detail, code, ...extra };
}

/** The ApplicationFailure behind a failed workflow update, if any. */
function updateFailure(err: WorkflowUpdateFailedError): ApplicationFailure | undefined {
  let cause: unknown = err.cause;
  while (cause && !(cause instanceof ApplicationFailure) && (cause as Error).cause) cause = (cause as Error).cause;
  return cause instanceof ApplicationFailure ? cause : undefined;
}

/** The business error (a domain code) a failed workflow update carries; undefined for any other failure. */
export function businessErrorFromTemporal(err: unknown): DomainError | undefined {
  if (!(err instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = updateFailure(err);
  if (!cause?.type) return undefined;
  return domainErrorFromCode(cause.type, cause.message, (cause.details?.[0] ?? undefined) as Record<string, unknown> | undefined);
}

/** Turns a failed workflow update or a finished workflow into the domain error behind it. */
export function domainErrorFromTemporal(err: unknown): DomainError | undefined {
  if (err instanceof WorkflowUpdateFailedError) {
    const business = businessErrorFromTemporal(err);
    if (business) return business;
    // A programming error stopped the step: not the client's doing, and a later retry may meet fixed code.
    if (updateFailure(err)?.type === INTERNAL_FAILURE_TYPE) return new UnavailableError('the process failed on an internal error (logged); retry later');
    // An update cut off by the workflow ending (e.g. the order was cancelled meanwhile): the state moved on.
    return new ConflictError('the order changed while this request was processed; reload it and try again');
  }
  if (err instanceof WorkflowNotFoundError) return new ConflictError('the process for this resource has already finished');
  return undefined;
}

function toProblem(err: unknown): Problem | undefined {
  if (err instanceof ZodError) {
    return problem(400, 'validation_failed', 'the request is not valid', {
      errors: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  const domain = err instanceof DomainError ? err : (translateDbError(err) ?? domainErrorFromTemporal(err));
  if (domain) return problem(STATUS_BY_CODE[domain.code] ?? 400, domain.code, domain.message, domain.details ? { details: domain.details } : {});
  const httpError = err as { type?: string; status?: number; expose?: boolean; message?: string };
  if (httpError?.type === 'entity.parse.failed') return problem(400, 'validation_failed', 'the request body is not valid JSON');
  if (typeof httpError?.status === 'number' && httpError.status >= 400 && httpError.status < 500) {
    return problem(httpError.status, 'validation_failed', httpError.expose && httpError.message ? httpError.message : 'the request could not be read');
  }
  return undefined;
}

/** Express error middleware: domain, zod, constraint and body-parser errors → 4xx; the rest → 500, logged. */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = toProblem(err);
    const body = known ?? problem(500, 'internal', 'an unexpected error occurred; it was logged with the request id');
    if (!known) logger.error({ err, requestId: req.id, path: loggedPath(req) }, 'unhandled error');
    // Errors that say when to come back (unavailable, rate_limited) carry `retryAfterSeconds` or `details.retry_after`.
    const retryAfter = (err as { retryAfterSeconds?: unknown })?.retryAfterSeconds ?? (known?.details as { retry_after?: unknown } | undefined)?.retry_after;
    if (known && typeof retryAfter === 'number') res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfter))));
    res
      .status(body.status)
      .type('application/problem+json')
      .json({ ...body, request_id: req.id });
  };
}
