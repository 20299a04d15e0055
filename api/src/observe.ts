import { metrics } from '@bolt/core/metrics';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type Koa from 'koa';

/** A no-op until a tracer provider is registered (only when OTLP export is configured). */
const tracer = trace.getTracer('bolt-api');

interface Layer {
  path: unknown;
  methods: string[];
}

/**
 * The route pattern a request matched (`/api/jobs/:id`), never the raw path: ids would make a metric
 * series (and a span name) per job. Read from the layers the router matched (not `_matchedRoute`, which
 * names the auth middleware's pattern when that answers 401). No route matched (the web app's files and
 * pages, unknown paths) is `other`.
 */
function routeOf(ctx: Koa.Context): string {
  const layers = ((ctx as { matched?: Layer[] }).matched ?? []).filter(
    (l): l is Layer & { path: string } => typeof l.path === 'string' && l.methods.length > 0,
  );
  const route = layers.filter((l) => l.methods.includes(ctx.method)).at(-1) ?? layers.at(-1);
  return route?.path ?? 'other';
}

/**
 * Outermost middleware: each request's duration by method, route pattern and status, and a server span
 * that continues the caller's trace (W3C traceparent), so a job's trace starts at the request that
 * started it.
 */
export function observeRequests(): Koa.Middleware {
  return async (ctx, next) => {
    const parent = propagation.extract(context.active(), ctx.headers);
    const span = tracer.startSpan(
      ctx.method,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': ctx.method } },
      parent,
    );
    const started = performance.now();
    let status = 500;
    try {
      await context.with(trace.setSpan(parent, span), next);
      status = ctx.status;
    } finally {
      const route = routeOf(ctx);
      metrics.httpDuration.observe(
        { method: ctx.method, route, status: String(status) },
        (performance.now() - started) / 1000,
      );
      span.updateName(`${ctx.method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  };
}
