// The worker's Prometheus endpoint: the Temporal SDK's runtime metrics and ours on one port.
// The SDK's exporter serves its own HTTP listener, so it binds a private loopback port and this server merges its
// answer with prom-client's registries (ours: config/ops-metrics.ts, plus Node's process metrics).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { opsRegistry } from '../config/ops-metrics.ts';
import type { Logger } from '../config/logger.ts';

/** A free loopback port for the SDK's exporter (chosen here because the SDK does not report the one it bound). */
export async function freeLoopbackPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** The SDK telemetry options that make it export on `sdkPort` (install them before any Worker or NativeConnection). */
export function sdkPrometheusOptions(sdkPort: number) {
  // Prometheus conventions: counters end in _total and durations are seconds, so rules read like the API's.
  return { metrics: { prometheus: { bindAddress: `127.0.0.1:${sdkPort}`, countersTotalSuffix: true, useSecondsForDurations: true } } };
}

/** Serves GET /metrics on `port` (all interfaces); resolves once listening; undefined (logged) when the port is taken. */
export async function serveWorkerMetrics(opts: { port: number; sdkPort?: number; logger: Logger }): Promise<Server | undefined> {
  const processRegistry = new Registry();
  collectDefaultMetrics({ register: processRegistry });
  const registry = Registry.merge([processRegistry, opsRegistry]);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    void Promise.all([sdkMetrics(opts.sdkPort), registry.metrics()]).then(
      ([sdk, ours]) => res.writeHead(200, { 'content-type': registry.contentType }).end(`${sdk}${ours}`),
      (err: Error) => res.writeHead(500).end(err.message),
    );
  });
  try {
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(opts.port, resolve));
  } catch (err) {
    // Metrics never stop a worker from taking orders: say so loudly and keep going.
    opts.logger.error({ err, port: opts.port }, 'worker metrics not served: the port is unavailable');
    return undefined;
  }
  opts.logger.info({ port: (server.address() as AddressInfo).port }, 'worker metrics on /metrics');
  return server;
}

// The SDK's text, or a comment saying why it is missing (the rest of the answer is still worth scraping).
async function sdkMetrics(sdkPort: number | undefined): Promise<string> {
  if (!sdkPort) return '';
  try {
    const res = await fetch(`http://127.0.0.1:${sdkPort}/metrics`, { signal: AbortSignal.timeout(2_000) });
    const text = await res.text();
    return text.endsWith('\n') || !text ? text : `${text}\n`;
  } catch (err) {
    return `# temporal sdk metrics unavailable: ${(err as Error).message}\n`;
  }
}
