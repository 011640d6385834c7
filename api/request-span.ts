// One span per HTTP request (only when tracing is installed): the parent of the Temporal client's and slonik's spans.
import { context, propagation, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { loggedPath } from './log-path.ts';

/** Middleware opening a server span named `<METHOD> <route>`; an incoming W3C `traceparent` becomes its parent. */
export function requestSpan(tracer: Tracer): RequestHandler {
  return (req, res, next) => {
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer.startSpan(`${req.method}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } }, parent);
    const active = trace.setSpan(parent, span);
    // Body parsing resumes on the socket's events, outside this call: bind them so handlers still see the span.
    context.bind(active, req);
    context.bind(active, res);
    res.on('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
      span.updateName(`${req.method} ${route}`);
      // The logged form of the path: tokens and keys in a URL never reach a trace backend.
      span.setAttributes({ 'http.route': route, 'url.path': loggedPath(req), 'http.response.status_code': res.statusCode, 'request.id': req.id });
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(active, next);
  };
}
