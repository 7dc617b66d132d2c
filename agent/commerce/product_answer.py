"""A question about one product ("is it waterproof?", "how heavy is it?") answered from its
own page: its description, its tags and the options of the variant shown.  What the page
does not say is never guessed: the answer then says so, and quotes what the page says
nearby ("water-resistant" when asked about "waterproof").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from agent.commerce.words import catalog_words, stem

Topic = Literal["weight", "material", "words"]

_WEIGHT_ASKED = re.compile(
    r"\b(heavy|heaviness|weigh|weighs|weight|pesa|peso|pesad[oa]|schwer|wiegt|gewicht|lourde?|"
    r"pèse|poids)\b", re.IGNORECASE)
_WEIGHT = re.compile(r"\b\d+(?:[.,]\d+)?\s?(?:g|kg|grams?|kilos?|kilograms?|oz|ounces?|lbs?|"
                     r"pounds?)\b", re.IGNORECASE)
_MATERIAL_ASKED = re.compile(
    r"\b(made of|made from|material|fabric|hecho de|de qué está|aus was|woraus|en quoi|"
    r"matière|tissu)\b", re.IGNORECASE)
_MATERIAL_SAID = re.compile(r"\b(made (?:of|from)|fabric|material|shell|lining|membrane)\b",
                            re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
# Words of a question that are not its topic (any of the languages read).
_QUESTION_WORDS = frozenset("""
    is are does do did can could will would how what which has have it its it's this
    that one the a an of in on for to be there they them these those about tell me more
    much very really does any anything please your you and or with si es está tiene
    cuánto cuanto qué que cómo como lo la el ist hat wie was welche das die der es er
    sie est-ce est a-t-il combien quel quelle il elle le les un une des second first
    third last
""".split())  # noqa: SIM905


@dataclass
class ProductAnswer:
    product: str
    topic: Topic
    words: list[str] = field(default_factory=list)
    """The topic in the shopper's words ("waterproof"), when it is not weight or material."""
    found: list[str] = field(default_factory=list)
    """Lines of the product's page that answer the question."""
    related: list[str] = field(default_factory=list)
    """Lines that touch the topic without answering it."""

    def as_facts(self) -> dict[str, Any]:
        return {"product": self.product, "topic": self.topic, "words": self.words,
                "found": self.found, "related": self.related}


def _sentences(description: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(description) if s.strip()]


def _option_lines(options: dict[str, Any]) -> list[tuple[str, str]]:
    return [(str(n), str(v)) for n, v in options.items() if v not in (None, "")]


def answer_question(question: str, *, name: str, description: str, tags: str,
                    options: dict[str, Any]) -> ProductAnswer:
    """What the product's own page says about the question, and nothing else."""
    sentences = _sentences(description)
    lines = _option_lines(options)
    if _WEIGHT_ASKED.search(question):
        found = [s for s in sentences if _WEIGHT.search(s)]
        found += [f"{n}: {v}" for n, v in lines if "weight" in n.lower()]
        related = [s for s in sentences if re.search(r"weight|light", s, re.IGNORECASE)
                   and s not in found]
        return ProductAnswer(name, "weight", found=found, related=related[:1])
    if _MATERIAL_ASKED.search(question):
        found = [f"{n}: {v}" for n, v in lines if "material" in n.lower()]
        found += [s for s in sentences if _MATERIAL_SAID.search(s)]
        return ProductAnswer(name, "material", found=found)
    words = [w for w in re.findall(r"[^\W\d_][\w'-]+", question.lower())
             if w not in _QUESTION_WORDS and len(w) > 2]
    stems = {stem(w) for w in words}
    found, related = [], []
    for option, value in lines:
        if stems & (catalog_words(option) | catalog_words(value)):
            found.append(f"{option}: {value}")
    for sentence in sentences:
        said = catalog_words(re.sub(r"[^\w\s-]", " ", sentence))
        if stems & said:
            found.append(sentence)
        elif any(len(s) > 4 and any(w.startswith(s[:5]) for w in said) for s in stems):
            related.append(sentence)
    tagged = [w for w in words if stem(w) in catalog_words(tags)]
    if tagged and not found:
        found.append(f"listed as: {', '.join(tagged)}")
    return ProductAnswer(name, "words", words=words, found=found, related=related[:1])
