"""Stock from a retailer's own inventory API, behind the `InventoryService` interface.

The contract the retailer's API must meet (JSON over HTTP):

    POST {base_url}/stock
    Authorization: Bearer {api_key}          (only when an API key is configured)
    {"variant_ids": ["RO-CASC-JKT-BLU-M", ...]}

    200 {"stock": {"RO-CASC-JKT-BLU-M": [
            {"location_id": "PDX", "location_name": "Portland store", "region": "US-West",
             "kind": "store", "quantity": 2, "ship_days": 1,
             "inventory": "tracked"}, ...], ...}}

`inventory` is optional (default "tracked"): "untracked" for a variant whose stock the
store does not count (always sellable where listed; `quantity` is then ignored, send 0),
"continue" for one the store keeps selling when it runs out (sellable where listed,
`quantity` is what is on hand).  A tracked variant the API leaves out, or lists with no
positive quantity, counts as out of stock: when in doubt we never present an item as
available.

Failure handling, so a slow or broken inventory API never hangs a shopper's turn:
- every request has a short timeout;
- timeouts, connection errors and 5xx/429 answers are retried with bounded exponential
  backoff; other 4xx answers and malformed bodies are not (retrying cannot fix them);
- a circuit breaker opens after `breaker_failures` consecutive failed calls: while open,
  calls fail at once without touching the network; after `breaker_reset_s` one trial call
  is let through (half-open) and its outcome closes or re-opens the breaker.
Every failure raises `InventoryUnavailable` (the discover node then says it cannot confirm
stock and suggests nothing), is logged, and is counted in `HttpInventory.metrics`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

import httpx
from pydantic import BaseModel, Field, ValidationError

from agent.commerce.inventory import InventoryUnavailable, StockAt
from domain.tables import InventoryMode

log = logging.getLogger(__name__)

BreakerState = Literal["closed", "open", "half_open"]
_RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class _Level(BaseModel):
    location_id: str
    location_name: str
    region: str
    kind: str = "store"
    quantity: int
    ship_days: int = Field(ge=0)
    inventory: InventoryMode = "tracked"


class _StockResponse(BaseModel):
    stock: dict[str, list[_Level]]


@dataclass
class InventoryMetrics:
    """Counters for operators: read them from `HttpInventory.metrics` (the runtime's
    `inventory`), and every failure is also logged at WARNING with these counts."""

    calls: int = 0
    failures: int = 0
    retries: int = 0
    short_circuited: int = 0
    breaker_opened: int = 0

    def snapshot(self) -> dict[str, int]:
        return asdict(self)


class CircuitBreaker:
    """Closed -> open after N consecutive failures -> half-open after a cool-down."""

    def __init__(self, *, failures: int, reset_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._threshold = failures
        self._reset_s = reset_s
        self._clock = clock
        self._consecutive = 0
        self._opened_at: float | None = None
        self._trial_running = False
        self._lock = threading.Lock()

    @property
    def state(self) -> BreakerState:
        with self._lock:
            return self._state()

    def _state(self) -> BreakerState:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self._reset_s:
            return "half_open"
        return "open"

    def allow(self) -> bool:
        """May a call go out now?  In half-open, only one trial call at a time."""
        with self._lock:
            state = self._state()
            if state == "closed":
                return True
            if state == "half_open" and not self._trial_running:
                self._trial_running = True
                return True
            return False

    def record_success(self) -> None:
        with self._lock:
            self._consecutive = 0
            self._opened_at = None
            self._trial_running = False

    def record_failure(self) -> bool:
        """Count a failed call; True when this failure (re-)opened the breaker."""
        with self._lock:
            self._consecutive += 1
            was_trial, self._trial_running = self._trial_running, False
            if was_trial or self._consecutive >= self._threshold:
                self._opened_at = self._clock()
                return True
            return False


class HttpInventory:
    """`InventoryService` over a retailer's inventory API (synchronous: the graph's discover
    node runs in a worker thread, and one pooled `httpx.Client` is thread-safe)."""

    def __init__(self, base_url: str, *, timeout_s: float = 2.0, retries: int = 2,
                 backoff_s: float = 0.1, breaker_failures: int = 5,
                 breaker_reset_s: float = 30.0, api_key: str | None = None,
                 transport: httpx.BaseTransport | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_s,
                                    headers=headers, transport=transport)
        self._retries = retries
        self._backoff_s = backoff_s
        self._sleep = sleep
        self.breaker = CircuitBreaker(failures=breaker_failures, reset_s=breaker_reset_s,
                                      clock=clock)
        self.metrics = InventoryMetrics()

    def close(self) -> None:
        self._client.close()

    def stock_for(self, variant_ids: Sequence[str]) -> dict[str, list[StockAt]]:
        if not variant_ids:
            return {}
        if not self.breaker.allow():
            self.metrics.short_circuited += 1
            raise InventoryUnavailable("inventory API circuit breaker is open")
        self.metrics.calls += 1
        try:
            body = self._post_with_retries(list(variant_ids))
        except InventoryUnavailable as exc:
            self.metrics.failures += 1
            if self.breaker.record_failure():
                self.metrics.breaker_opened += 1
            log.warning("inventory API failed: %s (breaker %s, metrics %s)", exc,
                        self.breaker.state, self.metrics.snapshot())
            raise
        self.breaker.record_success()
        return {vid: [StockAt(**level.model_dump()) for level in body.stock.get(vid, [])
                      if level.quantity > 0 or level.inventory != "tracked"]
                for vid in variant_ids}

    def _post_with_retries(self, variant_ids: list[str]) -> _StockResponse:
        last = "no attempt made"
        for attempt in range(self._retries + 1):
            if attempt:
                self.metrics.retries += 1
                # Exponential backoff, bounded by the retry count: 0.1 s, 0.2 s, 0.4 s...
                self._sleep(self._backoff_s * 2 ** (attempt - 1))
            try:
                response = self._client.post("/stock", json={"variant_ids": variant_ids})
            except httpx.TimeoutException:
                last = "timed out"
                continue
            except httpx.TransportError as exc:
                last = f"connection failed ({exc.__class__.__name__})"
                continue
            if response.status_code in _RETRYABLE_STATUS:
                last = f"HTTP {response.status_code}"
                continue
            if response.status_code != 200:
                raise InventoryUnavailable(f"inventory API answered HTTP {response.status_code}")
            try:
                return _StockResponse.model_validate_json(response.content)
            except ValidationError as exc:
                raise InventoryUnavailable(
                    f"inventory API sent a malformed body ({exc.error_count()} errors)") from exc
        raise InventoryUnavailable(f"inventory API {last} after {self._retries + 1} attempts")
