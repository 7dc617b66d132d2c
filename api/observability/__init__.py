"""Operations: Prometheus metrics (`/metrics`), OpenTelemetry traces, per-turn records for
`tandem monitor`, all seen from outside the graph through one LangChain callback handler
(`TurnObserver`), so no node is edited to be measured.

- `prom`        the metrics and the `/metrics` route
- `tracing`     the tracer provider (OTLP only when an endpoint is set; off otherwise)
- `observer`    the callback handler: node and model timings, tokens, outcomes, spans
- `middleware`  attaches the observer to the LangChain runs of each API request
- `monitor`     the last day against the previous weeks, for `tandem monitor`
"""
