"""Redact personal data (emails, phone numbers, card numbers, street addresses).

Each value gets a stable placeholder (`[EMAIL_1]`, `[PHONE_1]`, `[CARD_1]`, `[ADDRESS_1]`):
the same value keeps the same placeholder for the life of one `Redactor`, so a model that
answers "we'll write to [EMAIL_1]" can have the real value filled back in by `restore`.
Card numbers must pass the Luhn check, so order ids and tracking numbers stay readable.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-]?)\d{3}[ .-]?\d{4}(?![\w-])"
    r"|(?<![\w+])\+\d{1,3}(?:[ .-]?\d{2,4}){2,5}(?![\w-])")
_ADDRESS = re.compile(
    r"\b\d{1,6}\s+(?:[A-Z][\w'-]*\.?\s+){1,4}"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|"
    r"Place|Pl|Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq)\b\.?"
    r"(?:,?\s+(?:Apt|Apartment|Suite|Ste|Unit|#)\.?\s*\w+)?",
    re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\[(EMAIL|PHONE|CARD|ADDRESS)_(\d+)\]")


def luhn_ok(digits: str) -> bool:
    """The card-number checksum: random digit runs fail it nine times in ten."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


class Redactor:
    """Replaces personal data with stable placeholders and can put it back."""

    def __init__(self) -> None:
        self._by_value: dict[tuple[str, str], str] = {}
        self._by_placeholder: dict[str, str] = {}
        self._counts: dict[str, int] = {}

    def _placeholder(self, kind: str, value: str) -> str:
        key = (kind, value.strip().lower() if kind == "EMAIL" else value.strip())
        if key not in self._by_value:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            placeholder = f"[{kind}_{self._counts[kind]}]"
            self._by_value[key] = placeholder
            self._by_placeholder[placeholder] = value
        return self._by_value[key]

    def _sub(self, kind: str, keep: Callable[[str], bool] | None = None
             ) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            value = match.group(0)
            if keep is not None and not keep(value):
                return value
            return self._placeholder(kind, value)
        return replace

    def redact(self, text: str) -> str:
        # Emails first (they hold digits), cards before phones (a card holds a phone-like run).
        text = _EMAIL.sub(self._sub("EMAIL"), text)
        text = _CARD.sub(self._sub("CARD", lambda v: luhn_ok(re.sub(r"\D", "", v))), text)
        text = _ADDRESS.sub(self._sub("ADDRESS"), text)
        return _PHONE.sub(self._sub("PHONE"), text)

    def restore(self, text: str) -> str:
        """Fill the original values back in for every placeholder this redactor issued."""
        return _PLACEHOLDER.sub(lambda m: self._by_placeholder.get(m.group(0), m.group(0)), text)

    @property
    def found(self) -> dict[str, int]:
        """How many distinct values of each kind were redacted."""
        return dict(self._counts)


def redact(text: str) -> str:
    """`text` with personal data replaced (placeholders numbered within this text)."""
    return Redactor().redact(text)


def redact_data(value: Any, redactor: Redactor | None = None) -> Any:
    """Every string inside nested dicts/lists redacted, with one placeholder numbering."""
    redactor = redactor or Redactor()
    if isinstance(value, str):
        return redactor.redact(value)
    if isinstance(value, dict):
        return {k: redact_data(v, redactor) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_data(v, redactor) for v in value]
    return value


_PLAIN_ARG = (str, int, float, type(None))


class RedactingLogFilter(logging.Filter):
    """Rewrites a log record's message (and any traceback text) with personal data removed."""

    def filter(self, record: logging.LogRecord) -> bool:
        redactor = Redactor()
        args = record.args
        if isinstance(args, tuple) and all(isinstance(a, _PLAIN_ARG) for a in args):
            # Keep the arguments a tuple: some formatters (uvicorn's access log) unpack them.
            record.args = tuple(redactor.redact(a) if isinstance(a, str) else a for a in args)
            record.msg = redactor.redact(record.msg) if isinstance(record.msg, str) else record.msg
        else:
            try:
                message = record.getMessage()
            except (TypeError, ValueError):  # a malformed format string: log it as written
                message = str(record.msg)
            record.msg, record.args = redactor.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redactor.redact(record.exc_text)
        return True


_installed: list[RedactingLogFilter] = []


def install_log_redaction() -> None:
    """Redact every log record the process creates, whichever handler later writes it.

    Done through the record factory rather than one handler's filters, because uvicorn and
    the CLI configure their own handlers after start-up.  Idempotent.
    """
    if _installed:
        return
    log_filter = RedactingLogFilter()
    _installed.append(log_filter)
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        log_filter.filter(record)
        return record

    logging.setLogRecordFactory(factory)


def remove_card_numbers(text: str) -> str:
    """Card numbers (Luhn-checked) removed outright: a shopper who types one into the chat
    must not have it stored, checkpointed, shown to the team or sent to a model."""
    return _CARD.sub(lambda m: "[card number removed]"
                     if luhn_ok(re.sub(r"\D", "", m.group(0))) else m.group(0), text)


def remove_payment_and_address(text: str) -> str:
    """For text people read (handoff summaries): card numbers and street addresses removed
    outright, not placeholdered, since nothing needs to fill them back in."""
    return _ADDRESS.sub("[address removed]", remove_card_numbers(text))
