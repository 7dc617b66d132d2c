"""The shopper's language: read from their messages, their constraints applied, the template
replies translated (and complete for every sentence a template says)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from agent.commerce.options import vocabulary
from agent.commerce.query import parse_query
from agent.i18n.language import detect
from agent.prompts import PromptLibrary
from tests.agent.chat import context, turns

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ("fallback", "variant_reply", "busy")


@pytest.mark.parametrize(("text", "before", "language"), [
    ("quiero una chaqueta impermeable talla M", "en", "es"),
    ("Ich suche Wanderschuhe Größe 42", "en", "de"),
    ("je cherche une veste imperméable taille M", "en", "fr"),
    ("do you have it in black?", "es", "en"),
    ("¿y en negro?", "en", "es"),
    ("ok", "de", "de"),  # too short to tell: the conversation keeps its language
    ("tent", "fr", "fr"),
    # An address, an order number and a phone number are no language's words: read as
    # English, "aisha.taylor@example.com" tipped this Italian message to English.
    ("dov'è il mio ordine #R10508? la mia email è aisha.taylor@example.com, telefono "
     "503-555-0199", "en", "it"),
    ("aisha.taylor@example.com", "de", "de"),
])
def test_the_language_is_read_from_the_message_or_kept(text: str, before: str,
                                                       language: str) -> None:
    assert detect(text, before) == language


def test_constraints_in_other_languages_are_applied(engine: Engine) -> None:
    with Session(engine) as session:
        words = vocabulary(session)
    assert (parse_query("quiero una chaqueta talla M en negro", words, "es").size,
            parse_query("quiero una chaqueta talla M en negro", words, "es").color) == ("M",
                                                                                     "black")
    assert parse_query("Wanderschuhe Größe 42, schwarz", words, "de").size == "42"
    assert parse_query("une veste noire taille L", words, "fr").color == "black"


@pytest.mark.parametrize("language", ["es", "de", "fr"])
def test_every_template_sentence_has_a_translation(language: str) -> None:
    library = PromptLibrary(ROOT / "prompts")
    table = library.translations(language)
    missing = [m for name in TEMPLATES for m in library.messages(name) if m not in table]
    assert not missing, missing
    for english, translated in table.items():
        assert sorted(_placeholders(english)) == sorted(_placeholders(translated)), english


def _placeholders(text: str) -> list[str]:
    import re
    return re.findall(r"%\((\w+)\)s", text)


async def test_a_spanish_shopper_gets_a_spanish_reply_with_their_size(engine: Engine) -> None:
    (state,) = await turns(context(engine), "quiero una chaqueta impermeable talla M")
    assert state["language"] == "es"
    assert state["reply"].startswith(("Hay ", "No he encontrado"))
    assert all(s["size"] == "M" for s in state["suggestions"])


@pytest.mark.parametrize(("text", "because"), [
    ("Ich habe die Flint Trail Runner in 10, aber sie sind zu klein. Welche Größe soll ich "
     "nehmen?", "Wegen der Passform deiner 10."),
    ("Tengo las Flint Trail Runner en 10 y me quedan pequeñas. ¿Qué talla debo pedir?",
     "Por cómo te queda tu 10."),
    ("J'ai les Flint Trail Runner en 10 mais elles sont trop petites. Quelle taille prendre ?",
     "D'après la façon dont votre 10 vous va."),
])
async def test_a_size_advice_says_why_in_the_shoppers_language(engine: Engine, text: str,
                                                               because: str) -> None:
    """The advisor's "because" line is built in English; a translated reply says the same
    signals (the size they have) in its own sentence instead of mixing in English."""
    (state,) = await turns(context(engine), text)
    assert state["facts"]["advice"] == "10.5"
    assert because in state["reply"]
    assert "Because" not in state["reply"]


def test_how_an_item_runs_is_said_in_the_shoppers_language() -> None:
    library = PromptLibrary(ROOT / "prompts")
    facts = {"product": "Ember 800 Down Jacket", "advice": "L", "confidence": "medium",
             "because": "Because you usually wear M, and the Ember 800 Down Jacket runs small.",
             "basis": "usual_size", "from_size": "M", "runs": "small"}
    german = library.render("fallback", "de", intent="sizing", facts=facts)
    assert "Weil du normalerweise M trägst. Es fällt klein aus." in german
    assert "Because" not in german
    english = library.render("fallback", "en", intent="sizing", facts=facts)
    assert facts["because"] in english  # English keeps the advisor's detailed line
