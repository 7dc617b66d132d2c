"""One typed settings object, read from `TANDEM_*` environment variables and `.env`."""

from __future__ import annotations

import secrets
from datetime import time
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from agent.config import LLMConfig
from domain.db import PoolSize

DEFAULT_SECRET = "change-me-in-production"
DEFAULT_CUSTOMER_TOKEN_SECRET = "change-me-customer-tokens"
MIN_SECRET_CHARS = 32
Environment = Literal["development", "test", "production"]


def _packaged(name: str) -> Path:
    """A folder of files shipped inside the wheel (the `prompts` and `policies` packages)."""
    return Path(str(files(name)))


class Settings(BaseSettings):
    """Everything that varies between a laptop demo and a production deployment."""

    model_config = SettingsConfigDict(
        env_prefix="TANDEM_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Environment = Field(
        default="production",
        description="production (the default: a server started without this variable is "
                    "treated as one), test, or development (a laptop demo: the only mode "
                    "that may keep the default secrets, creates the demo agent, and sends "
                    "cookies without Secure over plain http)")
    state_dir: Path = Field(
        default=Path("var"),
        description="Where Tandem writes its own files (eval runs and caches); relative to "
                    "the working directory unless absolute")
    database_url: str = Field(
        default="sqlite:///var/tandem.db",
        description="SQLAlchemy URL: sqlite:///path (relative to the working directory) or "
                    "postgresql+psycopg://user@host/db",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(DEFAULT_SECRET),
        description="Keys the console's CSRF tokens and the hashed client keys of the "
                    "brute-force counters; 32+ random characters (refused otherwise outside "
                    "development)")
    demo_agent_password: SecretStr = Field(
        default=SecretStr("tandem-demo"),
        description="Password of the demo support agent created by `tandem demo-data` "
                    "(development only)",
    )

    llm_provider: Literal["embedded", "ollama", "openai", "scripted"] = "embedded"
    llm_model: str = Field(
        default="qwen2.5-coder-1.5b-instruct-q4_k_m",
        description="Model name for ollama/openai; for embedded, the packaged model's name",
    )
    llm_base_url: str | None = Field(
        default=None, description="Base URL of an Ollama server or OpenAI-compatible endpoint"
    )
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = Field(default=30.0, gt=0)
    llm_max_tokens: int = Field(default=160, gt=0, le=4096)
    llm_threads: int = Field(default=2, ge=1, le=64)
    llm_context_tokens: int = Field(default=2048, ge=512)
    model_dir: Path = Field(
        default=Path("var/models"),
        description="Where the embedded model's GGUF file is assembled from its PyPI chunks",
    )
    # Bounded model work (agent/llm/limits.py): at most this many generations at once; up
    # to `llm_queue_max` more turns wait (each at most `llm_queue_wait_s`); beyond that the
    # shopper gets the "one moment" reply (prompts/busy.j2) with the facts already fetched.
    llm_max_concurrent: int | None = Field(
        default=None, ge=0,
        description="Model generations at once; unset: 1 for embedded and ollama (one "
                    "generation already uses every core), 4 for openai, unbounded for "
                    "scripted; 0 = unbounded")
    llm_queue_max: int = Field(default=4, ge=0,
                               description="Turns that may wait for a generation slot")
    # 1.5 s: with the embedded model on two cores, a shopper's first token then stays under
    # 2 s at any load, the template answering the turns that waited longer (12-19% of them
    # at 12-24 shoppers; waiting up to 10 s instead gave a first-token p95 of 4.5-8 s).
    llm_queue_wait_s: float = Field(default=1.5, gt=0,
                                    description="Longest a turn waits for a generation slot "
                                                "before the template answers it")

    personalization_default: bool = True
    customer_token_secret: SecretStr = Field(
        default=SecretStr(DEFAULT_CUSTOMER_TOKEN_SECRET),
        description="Shared with the storefront: HMAC-SHA256 key of signed customer tokens "
                    "(docs/privacy.md); 32+ random characters, different from the secret key "
                    "(refused otherwise outside development)")
    redact_hosted_llm: bool = Field(
        default=True, description="Redact emails, phones, cards and addresses before a model "
                                  "endpoint off this machine sees them (decided by the URL: "
                                  "openai, or ollama on another host); placeholders are "
                                  "filled back")
    retention_days: int = Field(
        default=365, ge=1, description="`tandem purge` deletes conversations idle this long")
    max_message_chars: int = Field(default=2000, ge=1)
    max_suggestions: int = Field(default=3, ge=1, le=10)
    shopper_region: str = Field(default="US-West", description="Region assumed for delivery")

    # Live stock: the database by default; a retailer's inventory API when a URL is set
    # (contract and failure handling in agent/commerce/inventory_http.py).
    inventory_url: str | None = Field(
        default=None, description="Base URL of the retailer's inventory API (POST {url}/stock)")
    inventory_api_key: SecretStr | None = None
    inventory_timeout_s: float = Field(default=2.0, gt=0, le=30)
    inventory_retries: int = Field(default=2, ge=0, le=5)
    inventory_backoff_s: float = Field(default=0.1, ge=0, le=5)
    inventory_breaker_failures: int = Field(default=5, ge=1)
    inventory_breaker_reset_s: float = Field(default=30.0, gt=0)

    allowed_origins: list[str] = Field(
        default=["http://127.0.0.1:8000", "http://localhost:8000"],
        description="Storefront origins allowed to call the API from a browser (CORS); "
                    "the API's own origin is always allowed, \"*\" allows any",
    )
    # Abuse limits on the shopper API (api/ratelimit.py); 0 switches a limit off.  Shared
    # between API workers through Redis when `redis_url` is set, per process otherwise.
    rate_limit_ip_per_minute: int = Field(
        default=300, ge=0, description="Requests per minute one IP may make to /v1/")
    rate_limit_conversation_per_minute: int = Field(
        default=20, ge=0, description="Messages per minute one conversation may send")
    redis_url: str | None = Field(
        default=None, description="redis://host:port/db: share rate limits between workers")

    # Defaults of the chat widget on the demo storefront; a retailer's own page sets the
    # same things with data attributes on the script tag (api/static/widget.js).
    widget_title: str = Field(default="Ridgeline help", max_length=60)
    widget_greeting: str = Field(
        default="Hi! I can help you find gear, pick a size or check an order.", max_length=300)
    widget_color: str = Field(default="#1f5f4a", pattern=r"^#([0-9a-fA-F]{3}){1,2}$")
    widget_position: Literal["right", "left"] = "right"
    widget_locale: str = Field(default="en-US", pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

    prompts_dir: Path = Field(
        default_factory=lambda: _packaged("prompts"),
        description="Jinja2 prompt templates; default: the packaged ones (`tandem init` "
                    "writes editable copies)")
    policies_dir: Path = Field(
        default_factory=lambda: _packaged("policies"),
        description="escalation.yaml and store_policy.yaml; default: the packaged ones")
    data_dir: Path | None = Field(
        default=None,
        description="External data sets for evals and benchmarks (tau-bench, Bitext, ...), "
                    "e.g. ../shared/data; never needed to serve")

    # Many workers, nothing lost (api/services/turns.py, api/live/).
    db_pool_size: int = Field(
        default=10, ge=1, le=500,
        description="PostgreSQL connections each worker's engine keeps open (SQLite keeps "
                    "SQLAlchemy's default pool)")
    db_pool_overflow: int = Field(
        default=40, ge=0, le=1000,
        description="More PostgreSQL connections each worker's engine may open under a burst; "
                    "with size + overflow below the threads that may hold one at once (40 "
                    "for sync routes, 24 database threads), a burst waits on the pool")
    workers: int = Field(default=1, ge=1, le=64,
                         description="API worker processes sharing the database (set by "
                                     "`tandem serve --workers N`)")
    turn_lease_s: float = Field(
        default=15.0, ge=1, description="The per-conversation turn lock lapses this long "
                                        "after a worker holding it dies")
    shutdown_drain_s: float = Field(
        default=20.0, ge=0, description="On shutdown, how long running turns may finish")
    stranded_sweep_s: float = Field(
        default=30.0, gt=0, description="How often a worker looks for turns left unanswered "
                                        "(also once at start-up)")
    event_retention_days: int = Field(
        default=7, ge=1, description="Pushed events (replayed to reconnecting clients) are "
                                     "kept this long")

    # The support team's console and availability (see "The agent console" in the README).
    sla_minutes: dict[int, int] = Field(
        default={1: 15, 2: 60, 3: 240},
        description="Minutes a handoff of each priority (1 most urgent) may wait for an agent",
    )
    business_open: time = Field(default=time(9, 0), description="Support opens (local time)")
    business_close: time = Field(default=time(17, 0), description="Support closes (local time)")
    business_days: list[int] = Field(default=[0, 1, 2, 3, 4],
                                     description="Open weekdays, 0 = Monday")
    business_timezone: str = Field(default="UTC", description="IANA zone of the hours above")
    agent_online_minutes: int = Field(
        default=5, ge=1, description="An agent active in the console this recently is online")
    handoff_auto_assign: bool = Field(
        default=False, description="Give each new handoff to an online agent with capacity, "
                                   "round robin (api/services/assignment.py)")
    agent_capacity: int = Field(default=3, ge=1, le=100,
                                description="Claimed handoffs an agent holds at most before "
                                            "automatic assignment passes them by")
    console_refresh_s: int = Field(default=5, ge=1, le=300,
                                   description="How often console pages poll for changes")
    agent_session_hours: int = Field(
        default=12, ge=1, le=168, description="An agent's sign-in (console or API) ends after "
                                              "this long, however active")
    agent_idle_minutes: int = Field(
        default=30, ge=1, le=1440, description="An agent's session unused this long ends")
    conversation_token_hours: int = Field(
        default=168, ge=1, le=24 * 90,
        description="A shopper's conversation token opens the conversation this long after it "
                    "started (a signed-in shopper's: until their sign-in expires, if sooner)")

    # Experiments and operations (README, "Experiments" and "Operations").
    storefront_key: SecretStr | None = Field(
        default=None, description="Bearer key of the retailer's server for POST /v1/events "
                                  "(never in a page: purchases must not be forgeable)")
    experiment_purchase_cycle_days: int = Field(
        default=14, ge=1, le=90,
        description="Days of one purchase cycle: an experiment's default fixed horizon, and "
                    "reports of younger experiments say they have not run a full one")
    triage_model_dir: Path = Field(
        default=Path("var/triage-model"),
        description="Where `tandem retrain` puts an adopted escalation classifier; when it "
                    "holds one, it replaces the shipped model")
    otlp_endpoint: str | None = Field(
        default=None, description="OTLP/HTTP traces endpoint (http://collector:4318/v1/traces); "
                                  "tracing is off without it")
    monitor_webhook_url: str | None = Field(
        default=None, description="`tandem monitor` posts what moved to this URL (JSON)")

    @field_validator("business_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name") from exc
        return value

    @field_validator("business_days")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        if any(day not in range(7) for day in value):
            raise ValueError("business days are weekday numbers from 0 (Monday) to 6 (Sunday)")
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_secrets(self) -> Settings:
        """Fail closed: outside an explicit `TANDEM_ENVIRONMENT=development`, a default,
        short or shared secret stops start-up (anyone who read this file could otherwise
        forge what it signs)."""
        if self.environment == "development":
            return self
        weak = [name for name, value, default in (
            ("TANDEM_SECRET_KEY", self.secret_key, DEFAULT_SECRET),
            ("TANDEM_CUSTOMER_TOKEN_SECRET", self.customer_token_secret,
             DEFAULT_CUSTOMER_TOKEN_SECRET))
            if value.get_secret_value() == default
            or len(value.get_secret_value()) < MIN_SECRET_CHARS]
        if weak:
            raise ValueError(
                f"{' and '.join(weak)} must be set to random values of {MIN_SECRET_CHARS}+ "
                f"characters (TANDEM_ENVIRONMENT is {self.environment}); generate one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`, or set "
                "TANDEM_ENVIRONMENT=development for a laptop demo")
        if self.secret_key.get_secret_value() == self.customer_token_secret.get_secret_value():
            raise ValueError("TANDEM_SECRET_KEY and TANDEM_CUSTOMER_TOKEN_SECRET must differ: "
                             "the storefront holds the customer token secret")
        return self

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    @property
    def serves_docs(self) -> bool:
        """/docs and /openapi.json: not in production (the schema maps the attack surface;
        `create_app(...).openapi()` still builds it for tests and tools)."""
        return self.environment != "production"

    @property
    def secure_cookies(self) -> bool:
        """Secure cookies everywhere but a laptop demo served over plain http."""
        return self.environment != "development"

    def llm_config(self) -> LLMConfig:
        """The chat model's configuration, as the agent takes it (agent/config.py)."""
        return LLMConfig(
            provider=self.llm_provider, model=self.llm_model, base_url=self.llm_base_url,
            api_key=self.llm_api_key.get_secret_value() if self.llm_api_key else None,
            timeout_s=self.llm_timeout_s, max_tokens=self.llm_max_tokens,
            threads=self.llm_threads, context_tokens=self.llm_context_tokens,
            model_dir=self.model_dir, max_concurrent=self.llm_max_concurrent,
            queue_max=self.llm_queue_max, queue_wait_s=self.llm_queue_wait_s,
            redact_hosted=self.redact_hosted_llm)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def db_pool(self) -> PoolSize:
        return PoolSize(size=self.db_pool_size, overflow=self.db_pool_overflow)


def ephemeral_secrets() -> dict[str, SecretStr]:
    """Random secrets for a process whose signed tokens never outlive it (tests, benches,
    eval runs): they pass the checks above without a development exemption."""
    return {"secret_key": SecretStr(secrets.token_urlsafe(32)),
            "customer_token_secret": SecretStr(secrets.token_urlsafe(32))}


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
