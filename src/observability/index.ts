export * from './logger.js';
export * from './metrics.js';
export * from './budget.js';
export * from './callTelemetry.js';
export * from './spans.js';
export { serveMetrics, type MetricsServer } from './metricsServer.js';
export { startTracing, stopTracing, flushTracing, tracingWanted, type StartTracingOptions } from './tracing.js';
