// OpenTelemetry tracing of one process: installed only when OTEL_EXPORTER_OTLP_ENDPOINT is set (or a test passes a
// span processor); otherwise nothing is registered and every tracer is the API's no-op one. The SDK and the OTLP
// exporter are imported only then: loading them cost every process ~80 ms of start-up and memory for nothing.
import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ClientInterceptors } from '@temporalio/client';
import type { Config } from './config.ts';

/** A process's installed tracing: the Temporal interceptors and the worker's workflow-span sink use these. */
export type Tracing = { tracer: Tracer; spanProcessor: SpanProcessor; resource: Resource; clientInterceptors: ClientInterceptors; shutdown(): Promise<void> };

// One provider per process: `npm start` runs the API and the worker in one process and both ask.
let installed: Tracing | undefined;

/** Registers the global tracer provider once (W3C propagation, AsyncLocalStorage context); undefined when tracing is off. */
export async function installTracing(
  config: Pick<Config, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_SERVICE_NAME'>,
  opts: { spanProcessor?: SpanProcessor } = {},
): Promise<Tracing | undefined> {
  if (installed) return installed;
  const endpoint = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint && !opts.spanProcessor) return undefined;
  const [
    { OTLPTraceExporter },
    { Resource },
    { BatchSpanProcessor },
    { NodeTracerProvider },
    { ATTR_SERVICE_NAME },
    { OpenTelemetryWorkflowClientInterceptor },
  ] = await Promise.all([
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/semantic-conventions'),
    import('@temporalio/interceptors-opentelemetry'),
  ]);
  // The OTLP convention: the signal's path is appended to the base endpoint.
  const spanProcessor = opts.spanProcessor ?? new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint!.replace(/\/+$/, '')}/v1/traces` }));
  const resource = new Resource({ [ATTR_SERVICE_NAME]: config.OTEL_SERVICE_NAME });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  const tracer = trace.getTracer('temporal-commerce');
  const tracing: Tracing = {
    tracer,
    // Starts, updates and signals carry the active trace to the workflow.
    clientInterceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer })] },
    spanProcessor,
    resource,
    async shutdown() {
      installed = undefined;
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
  installed = tracing;
  return tracing;
}

/** Interceptors for a Temporal Client: starts, updates and signals carry the active trace to the workflow (none without tracing). */
export function temporalClientInterceptors(tracing: Tracing | undefined): ClientInterceptors | undefined {
  return tracing?.clientInterceptors;
}
