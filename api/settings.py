"""One typed settings object, read from `TANDEM_*` environment variables and `.env`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET = "change-me-in-production"


class Settings(BaseSettings):
    """Everything that varies between a laptop demo and a production deployment."""

    model_config = SettingsConfigDict(
        env_prefix="TANDEM_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'var' / 'tandem.db'}",
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db",
    )
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET)
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
        default=PROJECT_ROOT / "var" / "models",
        description="Where the embedded model's GGUF file is assembled from its PyPI chunks",
    )

    personalization_default: bool = True
    max_message_chars: int = Field(default=2000, ge=1)
    max_suggestions: int = Field(default=3, ge=1, le=10)
    shopper_region: str = Field(default="US-West", description="Region assumed for delivery")

    allowed_origins: list[str] = Field(
        default=["http://127.0.0.1:8000", "http://localhost:8000"],
        description="Storefront origins allowed to call the API from a browser (CORS)",
    )

    prompts_dir: Path = PROJECT_ROOT / "prompts"
    policies_dir: Path = PROJECT_ROOT / "policies"

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.environment == "production" and (
            self.secret_key.get_secret_value() == DEFAULT_SECRET
            or len(self.secret_key.get_secret_value()) < 32
        ):
            raise ValueError(
                "TANDEM_SECRET_KEY must be set to a random value of 32+ characters in production"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
