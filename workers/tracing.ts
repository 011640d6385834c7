// Worker side of tracing: activity interceptors and the sink that exports the spans workflows make. The interceptors'
// package (and the OpenTelemetry SDK under it) is imported only when tracing is on.
import type { WorkerOptions } from '@temporalio/worker';
import type { Tracing } from '../config/tracing.ts';

/** Worker options that trace activities and export the spans workflows make (through the `exporter` sink). */
export async function workerTracingOptions(tracing: Tracing | undefined): Promise<Pick<WorkerOptions, 'interceptors' | 'sinks'>> {
  if (!tracing) return {};
  const { makeWorkflowExporter, OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } =
    await import('@temporalio/interceptors-opentelemetry');
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer: tracing.tracer }),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}
