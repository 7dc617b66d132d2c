"""Personal data is redacted from logs, eval exports and anything a hosted model sees."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import pytest
from langchain_core.messages import BaseMessage
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from agent.llm.factory import make_chat_model
from agent.llm.scripted import ScriptedChatModel
from agent.privacy.hosted import RedactingChatModel, _StreamRestorer
from agent.privacy.redact import Redactor, install_log_redaction, redact
from api.settings import Settings
from domain.tables import Order
from evals.transcript import Transcript, TurnRecord, write_jsonl
from tests.conftest import api_client
from tests.helpers import say, start_chat

PII = "Mail jo.ng@example.com, call (503) 555-0142, card 4111 1111 1111 1111, " \
      "ship to 1200 NW Everett Street, Apt 4"


def test_each_kind_is_replaced_with_a_stable_placeholder_and_can_be_filled_back() -> None:
    redactor = Redactor()
    text = redactor.redact(PII + " (again: JO.NG@example.com)")
    for value in ("jo.ng@example.com", "555-0142", "4111 1111 1111 1111", "Everett"):
        assert value.lower() not in text.lower()
    assert text.count("[EMAIL_1]") == 2, "the same email keeps the same placeholder"
    assert all(p in text for p in ("[PHONE_1]", "[CARD_1]", "[ADDRESS_1]")), text
    assert redactor.restore("We'll write to [EMAIL_1].") == "We'll write to jo.ng@example.com."


def test_order_ids_tracking_numbers_prices_and_sizes_stay_readable() -> None:
    text = ("Order #R10002 shipped with UPS 1Z8F3K2L0312345678 and FedEx 123456789012; "
            "USPS 9400111899223344556677; size 10.5, $199, postcode 97209, 2 left")
    assert redact(text) == text
    assert redact("card 4111 1111 1111 1112") == "card 4111 1111 1111 1112", "fails Luhn"


def test_log_lines_never_carry_personal_data(caplog: pytest.LogCaptureFixture) -> None:
    install_log_redaction()
    with caplog.at_level(logging.INFO):
        logging.getLogger("tandem.test").info("shopper said: %s", PII)
        try:
            raise ValueError(f"bad address {PII}")
        except ValueError:
            logging.getLogger("tandem.test").exception("failed for jo.ng@example.com")
    text = caplog.text + "".join(r.exc_text or "" for r in caplog.records)
    assert "[EMAIL_1]" in text
    for value in ("jo.ng@example.com", "555-0142", "4111 1111", "Everett"):
        assert value not in text


def test_uvicorn_access_lines_still_format_and_are_redacted() -> None:
    """uvicorn's access formatter unpacks the record's arguments as a 5-tuple."""
    from uvicorn.logging import AccessFormatter

    install_log_redaction()
    record = logging.getLogger("uvicorn.access").makeRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/v1/x?email=jo.ng@example.com", "1.1", 200), None)
    line = AccessFormatter(use_colors=False).format(record)
    assert "GET /v1/x?email=[EMAIL_1]" in line and "200" in line
    assert "jo.ng@example.com" not in line


def test_eval_exports_are_redacted(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    write_jsonl(path, [Transcript(case_id="c1", turns=[TurnRecord(
        shopper=PII, reply="I'll write to jo.ng@example.com")])])
    line = path.read_text()
    assert "jo.ng@example.com" not in line and "4111" not in line
    assert json.loads(line)["turns"][0]["reply"] == "I'll write to [EMAIL_1]"


def test_the_openai_provider_is_wrapped_unless_configured_off(settings: Settings) -> None:
    # An endpoint off this machine (nothing is sent: the model is only built).
    hosted = settings.model_copy(update={"llm_provider": "openai",
                                         "llm_base_url": "http://10.9.9.9:9/v1"})
    assert isinstance(make_chat_model(hosted.llm_config()), RedactingChatModel)
    plain = hosted.model_copy(update={"redact_hosted_llm": False})
    assert not isinstance(make_chat_model(plain.llm_config()), RedactingChatModel)


async def test_the_hosted_model_never_sees_the_email_and_the_shopper_gets_it_back(
        settings: Settings, engine: Engine) -> None:
    with Session(engine) as session:
        order = session.exec(select(Order).where(Order.status == "shipped")
                             .order_by(col(Order.id))).first()
    assert order is not None

    def answer(messages: Sequence[BaseMessage]) -> str:
        # The scripted double stands in for the hosted provider: it only sees placeholders.
        assert "[EMAIL_1]" in str(messages[-1].content)
        return (f"Thanks! Order {order.id} is on its way ({order.tracking_number}); updates go "
                "to [EMAIL_1].")

    hosted = ScriptedChatModel(replies=[answer])
    async with api_client(settings, model=RedactingChatModel(inner=hosted)) as client:
        chat = await start_chat(client)
        # Italian, which the templates do not speak: the model phrases the order's status.
        turn = await say(client, chat, f"dov'è il mio ordine {order.id}? la mia email è "
                                       f"{order.email}, telefono 503-555-0199")
    seen = " ".join(str(m.content) for call in hosted.calls for m in call["messages"])
    assert hosted.calls and order.email not in seen and "555-0199" not in seen
    assert turn["reply"]["text"] == (f"Thanks! Order {order.id} is on its way "
                                     f"({order.tracking_number}); updates go to {order.email}.")


async def test_a_streamed_reply_is_filled_back_even_when_a_placeholder_is_split() -> None:
    inner = ScriptedChatModel(replies=["Updates go to [EMAIL_1] today"])
    model = RedactingChatModel(inner=inner)
    pieces = [str(c.content) async for c in model.astream("my email is a.b@example.org")]
    assert "".join(pieces) == "Updates go to a.b@example.org today"
    redactor = Redactor()
    redactor.redact("a.b@example.org")
    restorer = _StreamRestorer(redactor)
    out = [restorer.feed(p) for p in ("write to [EM", "AIL_", "1] today, [sic")]
    assert "".join(out) + restorer.flush() == "write to a.b@example.org today, [sic"
