"""Sizing advice: the size advisor (agent/commerce/sizing.py) on the product's size chart, its
fit feedback, and what the shopper says: a size they have and how it fits ("I have the 10
and it feels tight", agent/commerce/fit_report.py), their usual size, height and weight,
chest or bust.  It asks only for what is really missing: which product (when neither the
message nor the conversation names one), or which size they have (when they say how it
fits but not which size it is)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langgraph.runtime import Runtime
from sqlmodel import Session, col, select

from agent.commerce.catalog import search_catalog
from agent.commerce.fit_feedback import stored_records
from agent.commerce.fit_report import FitReport, in_run_system, product_words, read_fit_report
from agent.commerce.measurements import parse_body
from agent.commerce.query import ShopperQuery, parse_query
from agent.commerce.sizing import FitKnowledge, Reported, Shopper, SizeAdvice, advise, order_run
from agent.context import TandemContext
from agent.nodes.text import last_shopper_text, shopper_texts
from agent.state import ConversationState
from domain.tables import Product, Variant

_FOOTWEAR = ("shoe", "boot", "runner", "sandal", "sneaker", "trainer", "slipper", "flip-flop")


@dataclass(frozen=True)
class _Sized:
    """The product a sizing question is about: what the advisor needs of it."""

    id: str
    name: str
    category: str
    chart: dict[str, Any]
    run: list[str]

    @property
    def shoes(self) -> bool:
        words = f"{self.name} {self.category}".lower()
        return self.chart.get("measure") == "foot length" or any(w in words for w in _FOOTWEAR)


def _measures(state: ConversationState) -> dict[str, float]:
    """Measurements said anywhere in this conversation; a later message wins."""
    found: dict[str, float] = {}
    for text in shopper_texts(state):
        found |= parse_body(text)
    return found


def _sized(product: Any, variant_sizes: list[str]) -> _Sized:
    chart = dict(product.size_chart or {})
    chart_sizes = chart.get("sizes")
    run = order_run([str(s) for s in chart_sizes] if isinstance(chart_sizes, dict)
                    else variant_sizes)
    return _Sized(product.id, product.name, product.category, chart, run)


def _named_product(session: Session, words: list[str]) -> _Sized | None:
    """The product the shopper's own words name (the best match of a search)."""
    found = search_catalog(session, ShopperQuery(text=" ".join(words), terms=words), limit=1)
    if not found:
        return None
    return _sized(found[0].product, [v.size for v in found[0].variants if v.size])


def _product_called(session: Session, name: str) -> _Sized | None:
    product = session.exec(select(Product).where(col(Product.name) == name)).first()
    if product is None:
        return None
    sizes = session.exec(select(Variant.size).where(
        col(Variant.product_id) == product.id, col(Variant.available))).all()
    return _sized(product, [s for s in sizes if s])


def _conversation_product(state: ConversationState) -> str | None:
    """The product the conversation is on: the one the last sizing answer was about, unless
    suggestions were made since, else the first of the latest suggestions."""
    shown = [str(s["name"]) for s in state.get("last_suggestions") or [] if s.get("name")]
    sized = state.get("sizing_product") or {}
    if sized.get("name") and sized.get("shown") == shown:
        return str(sized["name"])
    return shown[0] if shown else None


def _reported(report: FitReport | None, usual: str | None, product: _Sized
              ) -> Reported | None:
    """What the shopper said about a size they have, in the product's size system; a fit
    said without a size is taken to be about the usual size they told us."""
    if report is None or report.fit is None:
        return None
    size_is_usual = report.size is None and usual is not None
    said = report if not size_is_usual else FitReport(
        fit=report.fit, size=usual, strength=report.strength, word=report.word)
    womens = "women" in product.name.lower()
    converted = in_run_system(said, product.run, shoes=product.shoes, womens=womens)
    if converted is None:
        return None
    size, said_as = converted
    if size_is_usual:
        said_as = f"usual {said_as or size}"
    return Reported(size=size, fit=report.fit, strength=report.strength,
                    phrase=report.phrase(), said_size=said_as)


def _chart_range(chart: dict[str, Any], size: str) -> str | None:
    """The advised size's row of the size chart, as the shopper can check it."""
    row = (chart.get("sizes") or {}).get(size) if isinstance(chart.get("sizes"), dict) else None
    if not isinstance(row, list | tuple) or len(row) != 2:
        return None
    unit, measure = chart.get("unit", ""), chart.get("measure", "")
    return f"{measure} {row[0]:g}-{row[1]:g} {unit}".strip()


def _advice_facts(advice: SizeAdvice, product: _Sized) -> dict[str, Any]:
    # `from_size` and `runs` let a reply in another language say why in its own words
    # (prompts/fallback.j2); `because` is the English line, built from the same signals.
    why = {"because": advice.because, "basis": advice.basis, "from_size": advice.from_size,
           "runs": advice.runs}
    if advice.end_of_run:
        return {"end_of_run": advice.size, **why,
                "end": "largest" if advice.size == product.run[-1] else "smallest"}
    facts = {"advice": advice.size, "confidence": advice.confidence, **why}
    if (row := _chart_range(product.chart, advice.size)) is not None:
        facts["chart"] = row
    return facts


def size(state: ConversationState, runtime: Runtime[TandemContext]) -> dict[str, Any]:
    ctx = runtime.context
    text = last_shopper_text(state)
    report = read_fit_report(text)
    stated = parse_query(text).size
    moving = report is not None and report.fit in ("small", "large")
    # A size they say is too small or too big is not the size they usually wear.
    usual = None if moving and stated == (report.size if report else None) else stated
    usual = usual or state.get("shopper_size")
    if usual is None and report is not None and report.fit is None:
        usual = report.size  # "I have the 10": the size they wear
    # A shopper's own past fit feedback is personal data: only signed in, only with consent.
    own_id = ctx.customer_id if ctx.personalization else None
    with Session(ctx.engine) as session:
        words = product_words(text)
        product = _named_product(session, words) if words else None
        if product is None and (name := _conversation_product(state)) is not None:
            product = _product_called(session, name)
        records = stored_records(session, item_id=product.id,
                                 customer_id=own_id) if product else []
    ctx.reads.append("catalog")
    if own_id and any(r.customer_id == own_id for r in records):
        ctx.reads.append("fit_history")
    facts: dict[str, Any] = {"usual_size": usual}
    if report is not None and report.fit is not None:
        facts |= {"has_size": report.size, "feels": report.phrase()}
        if report.moves:
            facts["move"] = "up" if report.moves > 0 else "down"
    if product is None:
        return {"facts": facts | {"no_product": True}, "shopper_size": usual}
    remembered = {"sizing_product": {"name": product.name, "shown": [
        str(s.get("name")) for s in state.get("last_suggestions") or []]}}
    facts |= {"product": product.name, "fit": product.chart.get("fit") or "true to size",
              "sizes": product.run}
    reported = _reported(report, usual, product)
    if moving and reported is None:
        # They say how it fits but not which size (or a size this product does not come in).
        return remembered | {"facts": facts | {"need": "size_they_have"},
                             "shopper_size": usual}
    advice = advise(run=product.run, item_id=product.id, name=product.name,
                    chart=product.chart, knowledge=FitKnowledge.from_records(records),
                    shopper=Shopper(reported=reported,
                                    usual_size=usual.upper() if usual else None,
                                    customer_id=own_id, measures=_measures(state)))
    if advice is None:
        return remembered | {"facts": facts, "shopper_size": usual,
                             "turns_without_progress": 0}
    facts |= _advice_facts(advice, product)
    kept = usual
    if reported is not None and usual == reported.size:
        # "The large is too big" left L as their size for later searches: the size that
        # fits them now takes its place (none when nothing in the run does).
        kept = None if advice.end_of_run else advice.size
    return remembered | {"facts": facts, "shopper_size": kept, "turns_without_progress": 0}
