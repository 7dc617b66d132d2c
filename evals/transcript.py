"""The recorded transcript format: one conversation per JSONL line, scorable with no model.

`tandem eval run` writes it; `tandem eval score` reads it, and so can anything else that
writes the same shape (the handoff console's agent flags, production exports).  The JSON
schema published in `evals/schema/transcript.schema.json` is generated from these models.
Everything a scorer needs is recorded at the moment it was true: the stock of every
suggested variant right after the turn, and the store's view of every order mentioned
(with the proof values hashed, so no email or postcode is stored in the clear).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agent.privacy.redact import redact_data
from evals.expectations import CaseExpect, TurnExpect

FORMAT = "tandem-eval-transcript/1"


def proof_hash(value: str) -> str:
    """How an email or postcode is stored for offline proof checks: trimmed, lower-cased,
    SHA-256, so the transcript carries no personal data in the clear."""
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()


class EvidenceRecord(BaseModel):
    model_config = ConfigDict(extra="allow")

    kind: str
    source: str
    detail: str


class SuggestionRecord(BaseModel):
    model_config = ConfigDict(extra="allow")

    product_id: str
    variant_id: str
    name: str
    price: float | None = None
    size: str | None = None
    color: str | None = None
    in_stock: bool = True
    stock_note: str | None = None
    because: str = ""
    evidence: list[EvidenceRecord] = Field(default_factory=list)
    exists: bool | None = None
    """Whether the variant was in the store when the turn was answered (None: not recorded)."""
    stock_at_answer: int | None = None
    """Units on hand across all locations, read right after the turn (None: not recorded)."""


class TurnRecord(BaseModel):
    model_config = ConfigDict(extra="allow")

    shopper: str
    reply: str = ""
    intent: str | None = None
    route: str | None = None
    handoff: bool = False
    personalization: bool = True
    suggestions: list[SuggestionRecord] = Field(default_factory=list)
    seconds: float | None = None
    first_token_s: float | None = None
    llm_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_calls: int = 0
    reply_checked: bool = False
    """The model phrased this turn's reply (so the fact check saw it)."""
    reply_replaced: bool = False
    """The model's reply was withdrawn by the fact check and the template reply stood."""
    sold_out: list[str] = Field(default_factory=list)
    """Products the turn's facts say are sold out in what was asked (not on the cards): a
    reply may say so ("the Mudlark is sold out in size 9")."""
    expect: TurnExpect = Field(default_factory=TurnExpect)


class HandoffRecord(BaseModel):
    model_config = ConfigDict(extra="allow")

    rule: str | None = None
    priority: int | None = None
    reasons: list[str] = Field(default_factory=list)
    summary: dict[str, Any] = Field(default_factory=dict)


class OrderRecord(BaseModel):
    """The store's view of one order mentioned in the conversation, when it was answered."""

    model_config = ConfigDict(extra="allow")

    status: str
    status_words: str
    carrier: str | None = None
    tracking_number: str | None = None
    email_sha256: str | None = None
    postcode_sha256: str | None = None
    customer_id: str | None = None


class Setup(BaseModel):
    model_config = ConfigDict(extra="allow")

    personalization: bool = True
    customer_id: str | None = None


class Transcript(BaseModel):
    model_config = ConfigDict(extra="allow")

    format: str = FORMAT
    suite: str = "adhoc"
    case_id: str
    repeat: int = 0
    provider: str | None = None
    model: str | None = None
    prompts: str | None = None
    """A short hash of the prompt files the run used, so runs can be told apart."""
    tags: list[str] = Field(default_factory=list)
    known_failure: str | None = None
    setup: Setup = Field(default_factory=Setup)
    turns: list[TurnRecord]
    handoff: HandoffRecord | None = None
    orders: dict[str, OrderRecord] = Field(default_factory=dict)
    store_options: dict[str, list[str]] = Field(default_factory=dict)
    """Every option name of the store and its values, so claims about options can be told
    apart from other words when the transcript is scored (empty: the cards' own options)."""
    expect: CaseExpect = Field(default_factory=CaseExpect)
    error: str | None = None
    """Set when the run itself failed (an exception), so the case fails loudly."""


def write_jsonl(path: Path, transcripts: Iterable[Transcript]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for transcript in transcripts:
            # Exports leave the process: emails, phones, cards and addresses are redacted.
            data = redact_data(transcript.model_dump(mode="json", exclude_none=True))
            out.write(json.dumps(data, ensure_ascii=False) + "\n")
            count += 1
    return count


class TranscriptError(ValueError):
    """A transcript line is not valid JSON or not in the transcript format."""


def read_jsonl(path: Path) -> Iterator[Transcript]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                yield Transcript.model_validate_json(line)
            except ValueError as exc:
                raise TranscriptError(f"{path} line {number}: {exc}") from exc
