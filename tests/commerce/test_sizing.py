"""The size advisor: charts, what shoppers say, and fit feedback from other buyers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import col

from agent.commerce.measurements import parse_body
from agent.commerce.sizing import (
    FitKnowledge,
    FitRecord,
    Reported,
    Shopper,
    advise,
    order_run,
    step,
)
from api.db import session_scope
from domain.tables import FitFeedback
from tests.agent.chat import context as _context
from tests.agent.chat import turns as _turns

RUN = ["XS", "S", "M", "L", "XL"]
CHEST = {"unit": "in", "measure": "chest", "sizes": {
    "S": [35, 37], "M": [38, 40], "L": [41, 44], "XL": [45, 48]}}


def buyers(item: str, size: str, fit: str, n: int, usual: str = "M") -> list[FitRecord]:
    """`n` buyers who usually keep `usual` elsewhere and found `item` in `size` `fit`."""
    records = []
    for i in range(n):
        who = f"buyer-{item}-{size}-{fit}-{i}"
        records.append(FitRecord(who, "OTHER", usual, "fit"))
        records.append(FitRecord(who, item, size, fit))  # type: ignore[arg-type]
    return records


def test_runs_order_letters_and_numbers() -> None:
    assert order_run(["L", "XS", "M", "L"]) == ["XS", "M", "L"]
    assert order_run(["10", "9.5", "8"]) == ["8", "9.5", "10"]
    assert step(["8", "9", "9.5", "10"], "9.5", 1) == "10"
    assert step(RUN, "XL", 1) == "XL", "one size up stops at the end of the run"


def test_the_usual_size_stands_when_nothing_says_otherwise() -> None:
    advice = advise(run=RUN, shopper=Shopper(usual_size="M"), name="Cascade")
    assert advice is not None
    assert (advice.size, advice.confidence) == ("M", "high")
    assert advice.because == "Because you usually wear M."


def test_a_runs_small_note_goes_one_size_up() -> None:
    advice = advise(run=RUN, shopper=Shopper(usual_size="M"), name="Drizzle",
                    chart=CHEST | {"fit": "runs small"})
    assert advice is not None and (advice.size, advice.confidence) == ("L", "medium")
    assert advice.because == "Because you usually wear M, and the Drizzle runs small."


def test_buyers_feedback_beats_the_chart_note() -> None:
    # The chart says true to size, but buyers who usually wear M found its M small.
    knowledge = FitKnowledge.from_records(buyers("JKT", "M", "small", 8)
                                          + buyers("JKT", "L", "fit", 2))
    advice = advise(run=RUN, item_id="JKT", name="Cascade", knowledge=knowledge,
                    chart=CHEST | {"fit": "true to size"}, shopper=Shopper(usual_size="M"))
    assert advice is not None and advice.size == "L" and advice.confidence == "medium"
    assert "80% of 10 buyers said the Cascade runs small" in advice.because


def test_too_few_buyers_do_not_move_the_size() -> None:
    knowledge = FitKnowledge.from_records(buyers("JKT", "M", "small", 9))
    advice = advise(run=RUN, item_id="JKT", knowledge=knowledge, shopper=Shopper(usual_size="M"))
    assert advice is not None and advice.size == "M"


def test_the_shoppers_own_feedback_on_the_item_comes_first() -> None:
    knowledge = FitKnowledge.from_records([FitRecord("me", "SHOE", "9", "small")])
    advice = advise(run=["8", "8.5", "9", "9.5", "10"], item_id="SHOE", name="Flint",
                    knowledge=knowledge, shopper=Shopper(usual_size="9", customer_id="me"))
    assert advice is not None and (advice.size, advice.confidence) == ("9.5", "high")
    assert advice.because == "Because the Flint in 9 was too small."


def test_history_gives_the_usual_size_when_the_shopper_does_not_say() -> None:
    knowledge = FitKnowledge.from_records([FitRecord("me", "A", "S", "fit"),
                                           FitRecord("me", "B", "S", "fit"),
                                           FitRecord("me", "C", "M", "large")])
    advice = advise(run=RUN, item_id="NEW", knowledge=knowledge,
                    shopper=Shopper(customer_id="me"))
    assert advice is not None and advice.size == "S" and advice.basis == "history"


def test_a_measurement_is_read_off_the_size_chart() -> None:
    inside = advise(run=RUN, chart=CHEST, shopper=Shopper(measures={"chest": 42}))
    assert inside is not None and (inside.size, inside.confidence) == ("L", "high")
    assert inside.because == "Because your 42 in chest is in the L range of its size chart."
    between = advise(run=RUN, chart=CHEST, shopper=Shopper(measures={"chest": 40.5}))
    assert between is not None and between.confidence == "medium"


def test_height_and_weight_use_what_fit_shoppers_of_that_build_wore_with_low_confidence() -> None:
    records = [FitRecord(f"c{i}", "DRESS", "8", "fit", height_in=66, weight_lbs=140)
               for i in range(6)]
    advice = advise(run=["4", "8", "12"], item_id="DRESS", knowledge=FitKnowledge.from_records(
        records), shopper=Shopper(measures=parse_body("I'm 5'6\" and 140 lbs")))
    assert advice is not None and (advice.size, advice.confidence) == ("8", "low")


def test_no_basis_or_a_foreign_size_system_means_asking_not_guessing() -> None:
    assert advise(run=RUN, shopper=Shopper()) is None
    assert advise(run=["8", "9", "10"], shopper=Shopper(usual_size="M")) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("I'm 5'6\" and 140 lbs", {"height_in": 66, "weight_lbs": 140}),
    ("170 cm and 65 kg", {"height_in": 66.9, "weight_lbs": 143.3}),
    ("my chest is 40 inches", {"chest": 40}),
    ("36 bust, waist 28", {"bust": 36, "waist": 28}),
    ("I'm usually a 9.5", {}),
])
def test_measurements_in_the_shoppers_words(text: str, expected: dict[str, float]) -> None:
    assert parse_body(text) == expected


@pytest.fixture
def cascade_runs_small(engine: Engine) -> Iterator[str]:
    """Stored feedback: buyers who usually wear M found the demo Cascade jacket's M small."""
    tag = uuid.uuid4().hex[:8]
    with session_scope(engine) as session:
        for i in range(10):
            who = f"fit-{tag}-{i}"
            session.add(FitFeedback(customer_id=who, item_id="RO-DRIZ-JKT", size="M", fit="fit"))
            session.add(FitFeedback(customer_id=who, item_id="RO-CASC-JKT", size="M",
                                    fit="small"))
    yield tag
    with session_scope(engine) as session:
        session.exec(delete(FitFeedback).where(  # type: ignore[call-overload]
            col(FitFeedback.customer_id).startswith(f"fit-{tag}-")))


async def test_the_assistant_advises_from_stored_feedback(engine: Engine,
                                                          cascade_runs_small: str) -> None:
    (state,) = await _turns(_context(engine, None),
                            "what size cascade rain jacket should I get? I'm usually a M")
    facts = state["facts"]
    assert facts["product"] == "Cascade Waterproof Rain Jacket"
    assert (facts["advice"], facts["confidence"]) == ("L", "medium")
    assert "buyers said the Cascade Waterproof Rain Jacket runs small" in state["reply"]


# --- Moves from what the shopper says about a size they have ----------------------------

HALF = ["8", "8.5", "9", "9.5", "10", "10.5", "11", "11.5", "12", "13"]
WHOLE = ["7", "8", "9", "10", "11", "12", "13"]


def told(size: str, fit: str, strength: str = "plain", phrase: str = "is too tight",
         item_id: str | None = None) -> Shopper:
    return Shopper(reported=Reported(size=size, fit=fit, strength=strength,  # type: ignore[arg-type]
                                     phrase=phrase, item_id=item_id))


@pytest.mark.parametrize(("run", "size", "fit", "strength", "note", "expected"), [
    (HALF, "10", "small", "plain", "true to size", "10.5"),  # half a size up
    (HALF, "10", "small", "strong", "true to size", "11"),   # "way too tight": a full size
    (HALF, "10", "small", "plain", "runs small", "11"),      # tight and it runs small
    (HALF, "10", "small", "strong", "runs small", "11"),     # never more than a full size
    (HALF, "10", "small", "plain", "runs large", "10.5"),    # it runs the other way
    (HALF, "10", "large", "mild", "true to size", "9.5"),
    (WHOLE, "10", "small", "plain", "runs small", "11"),
    (WHOLE, "10", "small", "strong", "runs small", "12"),    # way too small, runs small
    (RUN, "L", "large", "strong", "true to size", "M"),      # "the L is way too big"
    (RUN, "L", "large", "strong", "runs large", "S"),
    (RUN, "M", "large", "mild", "runs large", "S"),
    (RUN, "M", "small", "mild", "true to size", "L"),
    (["38", "39", "40", "41", "42", "43", "44"], "42", "small", "plain", "", "43"),  # EU run
    (HALF, "12.5", "small", "plain", "", "13"),              # not in the run: the next one up
])
def test_a_size_that_does_not_fit_moves_the_right_way(
        run: list[str], size: str, fit: str, strength: str, note: str, expected: str) -> None:
    advice = advise(run=run, name="Flint", chart={"fit": note},
                    shopper=told(size, fit, strength))
    assert advice is not None and advice.basis == "report" and advice.size == expected


def test_the_because_line_says_the_why() -> None:
    advice = advise(run=HALF, name="Velocity", chart={"fit": "runs small"},
                    shopper=told("10", "small"))
    assert advice is not None
    assert advice.because == ("Because your 10 is too tight, and the Velocity runs small: "
                              "a full size up.")
    half = advise(run=HALF, name="Flint", shopper=told("10", "small"))
    assert half is not None and half.because == "Because your 10 is too tight: half a size up."


def test_buyers_feedback_says_which_way_it_runs_before_the_chart_note() -> None:
    # Its buyers found its 9.5 small where they usually keep a 9.5: it runs small.
    knowledge = FitKnowledge.from_records(buyers("SHOE", "9.5", "small", 10, usual="9.5"))
    advice = advise(run=HALF, item_id="SHOE", name="Flint", knowledge=knowledge,
                    chart={"fit": "true to size"}, shopper=told("10", "small"))
    assert advice is not None and advice.size == "11"
    assert "100% of 10 buyers said the Flint runs small" in advice.because


def test_what_they_say_now_comes_before_their_usual_size_and_old_feedback() -> None:
    knowledge = FitKnowledge.from_records([FitRecord("me", "SHOE", "10", "fit")])
    advice = advise(run=HALF, item_id="SHOE", knowledge=knowledge,
                    shopper=Shopper(reported=Reported("10", "small"), usual_size="10",
                                    customer_id="me"))
    assert advice is not None and advice.size == "10.5"


def test_nothing_beyond_the_end_of_the_run_is_advised() -> None:
    advice = advise(run=HALF, name="Flint", shopper=told("13", "small"))
    assert advice is not None and advice.end_of_run and advice.size == "13"
    assert "13 is the largest size the Flint comes in" in advice.because
    smallest = advise(run=RUN, name="Cascade", shopper=told("XS", "large", phrase="is too big"))
    assert smallest is not None and smallest.end_of_run and smallest.size == "XS"


def test_a_size_that_fits_is_the_advice() -> None:
    advice = advise(run=RUN, shopper=told("M", "fit", phrase="fits"))
    assert advice is not None and (advice.size, advice.because) == ("M", "Because your M fits.")


def test_a_report_on_another_item_allows_for_how_each_item_runs() -> None:
    # Buyers who usually keep an 8 found item A's 8 small (A runs small by a size); item B
    # is true to size.  "A in 8 was too small" says little about B: the 8 fits there.
    records = (buyers("A", "8", "small", 12, usual="8") + buyers("A", "10", "fit", 12,
                                                                   usual="8")
               + buyers("B", "8", "fit", 12, usual="8"))
    knowledge = FitKnowledge.from_records(records)
    advice = advise(run=["4", "6", "8", "10", "12"], item_id="B", knowledge=knowledge,
                    shopper=told("8", "small", item_id="A"))
    assert advice is not None and advice.size == "8" and advice.confidence == "medium"
