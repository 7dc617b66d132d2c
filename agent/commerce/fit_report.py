"""What a shopper says about a size they already have: which size, and how it fits.

"I bought the trail runners in 10 but they feel tight", "the L is way too big", "my 9.5s
pinch", "the M was a bit short", "me queda pequeño", "zu groß", "trop petit".  Rules, not
the model: the size and the fit become the evidence of the advice ("Because your 10 is
too tight"), so they must be exactly what the shopper typed.

A fit word counts only where it describes something the shopper has: after "too", after a
verb of being or feeling ("they feel tight", "it's a bit loose"), or as a verb of its own
("pinches").  "A loose-fit tee" or "a small tent" is a search, not a report, and a
question ("does it run small?", "will the 10 be tight?") reports nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from agent.commerce.fit_knowledge import Fit
from agent.commerce.query import parse_query
from agent.commerce.size_runs import LETTER_RUN, nearest, same_system, size_rank, size_system

Strength = Literal["mild", "plain", "strong"]

# --- the size they have ----------------------------------------------------------------
_NUM = r"\d{1,2}(?:[.,]5|\s?½|\s1/2)?"
_LETTER = r"x{0,3}s|m|x{0,3}l|[2-5]\s?x\s?l?"
_WORD_SIZES = {
    "extra small": "XS", "x-small": "XS", "xsmall": "XS", "small": "S", "medium": "M",
    "large": "L", "extra large": "XL", "x-large": "XL", "xlarge": "XL", "xx-large": "XXL",
    "xxlarge": "XXL", "xxx-large": "XXXL",
}
_WORD = "|".join(sorted(map(re.escape, _WORD_SIZES), key=len, reverse=True))
# What a number after "in" or "a" must not be followed by to be a size: "in 10 days",
# "a 65 l pack", "a 2 person tent".
_NOT_A_SIZE = (r"(?!\s*(?:%|cm|mm|in\b|inch|\"|\u201d|'|lbs?\b|kg|l\b|lit[er]|days?\b|"
               r"weeks?\b|hours?\b|min|years?\b|months?\b|dollars?\b|\$|usd|eur|pack\b|"
               r"person|people|degrees?|°|oz\b|g\b|m\b|ft\b|feet|foot|mph|miles?|km|"
               r"pairs?\b|times?\b|of\b|or\b|-))")
_SYSTEM = r"(?:(us|eu|uk|fr|it|de)\s?)?"
_END = r"(?![\w/]|[.,]\d)"  # a whole size: not the "10" of "10.5" or "10/11"
# "size 42", "talla M", "Größe 42", "taille 42", "pointure 42", "sz 9": any size at all.
_NAMED = re.compile(
    rf"\b(?:size|sz|talla|tallas|gr(?:ö|oe)(?:ß|ss)e|gr\.|taille|pointure|n[úu]mero)\s*"
    rf"{_SYSTEM}({_NUM}|{_LETTER}){_END}", re.IGNORECASE)
_SYSTEM_FIRST = re.compile(rf"\b(us|eu|uk)\s?({_NUM}){_END}", re.IGNORECASE)
# "in 10", "the 10", "a 10", "my 9.5s", "the L", "in a medium", "la M", "le 42", "die M".
_DETERMINED = re.compile(
    rf"\b(?:in(?: an?| the| size)?|the|an?|my|these|those|this|that|his|her|our|"
    rf"la|el|le|les|en|die|der|den|in der|mi|mis|mon|ma|mes|meine?n?)\s+{_SYSTEM}"
    rf"({_NUM}|{_LETTER}|{_WORD})(?:'?s|er|ers)?{_END}{_NOT_A_SIZE}",
    re.IGNORECASE)

# --- how it fits -------------------------------------------------------------------------
# (word as said -> which way it is off).  "small" = too small: they need a bigger size.
_SMALL_WORDS = ("tight", "tighter", "snug", "snugger", "small", "smaller", "short",
                "shorter", "narrow", "narrower", "cramped", "constricting", "restrictive",
                "tiny", "pequeño", "pequeña", "pequeños", "pequeñas", "pequeno",
                "pequena", "chico", "chica", "chicos", "chicas", "apretado", "apretada",
                "apretados", "apretadas", "justo", "justa", "corto", "corta", "cortos",
                "cortas", "estrecho", "estrecha", "klein", "eng", "kurz", "knapp", "petit",
                "petite", "petits", "petites", "serré", "serrée", "serrés", "serrées",
                "court", "courte", "étroit", "étroite", "juste")
_LARGE_WORDS = ("loose", "looser", "baggy", "big", "bigger", "large", "larger", "long",
                "longer", "roomy", "oversized", "wide", "wider", "huge", "massive", "boxy",
                "sloppy", "grande", "grandes", "holgado", "holgada", "holgados", "holgadas",
                "ancho", "ancha", "anchos", "anchas", "largo", "larga", "largos", "largas",
                "flojo", "floja", "groß", "weit", "lang", "grand", "grands",
                "larges", "longue", "ample", "amples")
_FIT_WORDS = "|".join(sorted(_SMALL_WORDS + _LARGE_WORDS, key=len, reverse=True))
_STRONG = re.compile(r"\b(?:way|much|far|ridiculously|massively|hugely|seriously|"
                     r"completely|totally|two sizes|2 sizes|viel|beaucoup|bien)\b",
                     re.IGNORECASE)
_MILD = re.compile(r"\b(?:a bit|a little|slightly|a tad|kind of|kinda|somewhat|a touch|"
                   r"un poco|algo|etwas|ein bisschen|ein wenig|leicht|un peu|"
                   r"l[ée]g[èe]rement)\b", re.IGNORECASE)
_TOO = r"too|zu|trop|demasiado"
_DEGREES = (rf"(?:(?:{_TOO}|way|much|far|ridiculously|massively|hugely|seriously|"
            r"completely|totally|really|very|so|super|quite|pretty|a bit|a little|"
            r"a little bit|slightly|a tad|kind of|kinda|somewhat|a touch|two sizes|"
            r"2 sizes|muy|un poco|algo|viel|etwas|ein bisschen|ein wenig|leicht|"
            r"beaucoup|bien|un peu|l[ée]g[èe]rement)\s+)")
# "Runs small" is how a product fits everyone (a question for the advisor, not a report
# of the shopper's own): `runs` is not among these.
_BEING = (r"is|are|was|were|'s|'re|\u2019s|\u2019re|feels?|felt|feeling|fits?|fitting|"
          r"seems?|seemed|looks?|looked|came up|turned out|ended up|"
          r"queda|quedan|qued[óo]|quedaron|es|son|est[áa]|est[áa]n|ist|sind|war|waren|"
          r"f[äa]llt|fallen|sitzt|sitzen|est|sont|[ée]tait|[ée]taient|me va|me vont")
# Words after the fit word that make it a description of a body, not of the fit:
# "fits wide feet", "is long enough".
_NOT_FIT = (r"(?!\s+(?:enough|feet|foot|hands?|calves|legs|hips|shoulders|arms|torso|"
            r"chest|waist|people|frame|build|heads?|toes|guys?|women|men)\b)")
_FIT_PHRASE = re.compile(
    rf"(?<!not )(?<!n't )(?<!n\u2019t )"
    rf"(?:\b(?:{_BEING})\s+(?P<degree>{_DEGREES}{{0,3}})"
    rf"|\b(?P<too>{_DEGREES}{{0,2}}(?:{_TOO})\s+))"
    rf"(?P<word>{_FIT_WORDS})(?![\w-]){_NOT_FIT}",
    re.IGNORECASE)
# A size that opens a clause: "10 is too tight", "the boots are fine but M feels short".
_BARE = re.compile(
    rf"(?:^|(?<!\d)[,.;:!?]\s*|[,.;:!?]\s+|\b(?:and|but|though|y|pero|und|aber|et|mais)\s+)"
    rf"({_NUM}|{_LETTER})(?:'?s)?\s+(?=(?:{_BEING}|{_TOO})\b)", re.IGNORECASE)
# Someone asking for an item with that fit ("I want a jacket that's long") is searching.
_WISH = re.compile(r"\b(?:want|wanted|looking for|look for|searching|show me|find me|"
                   r"recommend|suggest|something|anything|do you have|got any|prefer)\b",
                   re.IGNORECASE)
# Fit said with a verb of its own or an idiom: (pattern, which way, strength).
_IDIOM_TEXTS: tuple[tuple[str, Fit, Strength], ...] = (
        (r"(?<!in a )\b(pinch(?:es|ing)?|squeez(?:e|es|ing)|crush(?:es|ing)|cramp(?:s|ing)?)\b",
         "small", "plain"),
        (r"\btoes? (?:hit|hits|touch|touches|jam|jams|bang|bangs|are squashed)\b",
         "small", "plain"),
        (r"\b(?:can'?t|cannot|could ?n[o']t) (?:get (?:it|them) on|zip (?:it|them) up|"
         r"button (?:it|them))\b", "small", "strong"),
        (r"\bme aprieta(?:n)?\b", "small", "plain"),
        (r"\bswimming in (?:it|them)\b", "large", "strong"),
        (r"\b(?:falls?|falling|slips?|slipping|hangs?|hanging) off\b", "large", "plain"),
        (r"\bheels? (?:slip|slips|slipping|lift|lifts|lifting)\b", "large", "plain"),
        (r"\bon the (small|tight|snug|short) side\b", "small", "mild"),
        (r"\bon the (big|large|loose|long|roomy) side\b", "large", "mild"),
        (r"\bnot (?:\w+ )?(?:big|large|long|loose|wide|roomy) enough\b", "small", "plain"),
        (r"\bnot (?:\w+ )?(?:small|tight|snug|short) enough\b", "large", "plain"),
        (r"\b(?:smaller|tighter|shorter) than (?:i )?expected\b", "small", "plain"),
        (r"\b(?:bigger|larger|looser|longer) than (?:i )?expected\b", "large", "plain"),
        (r"\b(?:fits?|fitting|fitted) (?:me )?(?:fine|perfectly|perfect|well|great|nicely|"
         r"ok|okay|good|like a glove)\b|\bperfect fit\b", "fit", "plain"),
)
_IDIOMS = tuple((re.compile(pattern, re.IGNORECASE), fit, strength)
                for pattern, fit, strength in _IDIOM_TEXTS)
# A clause that asks ("does it run small?", "will the 10 be tight?") reports nothing.
_QUESTION_START = re.compile(
    r"^\s*(?:do|does|did|is|are|will|would|could|can|might|should|shall|was|were|"
    r"how|what|which|if)\b", re.IGNORECASE)
# Every fit report has one of these words (a fit word or an idiom's key word).
_ANY_FIT_WORD = re.compile(
    rf"\b(?:{_FIT_WORDS}|pinch|squeez|crush|cramp|toes?|can'?t|cannot|could|aprieta|swimming|"
    r"off|heels?|side|enough|than|fit|perfect)", re.IGNORECASE)
_CLAUSES = re.compile(r"(?:[^.!?;,]|(?<=\d)[.,](?=\d))+[.!?;,]?|[.!?;,]")  # not "10.5"


@dataclass(frozen=True)
class FitReport:
    """A size the shopper has and how it fits them."""

    fit: Fit | None
    """"small" (too small: they need bigger), "large" (too big), "fit", or None when they
    named a size they have without saying how it fits ("I have the 10")."""
    size: str | None
    """The size as a store labels it ("10", "10.5", "L", "42"), None when not said."""
    system: str | None = None
    """"EU", "UK" or "US" when the shopper said so ("EU 42")."""
    strength: Strength = "plain"
    """"strong" for "way too big", "mild" for "a bit loose"."""
    word: str = ""
    """Their word for how it fits ("tight", "loose", "pinches"), lower-cased."""

    @property
    def moves(self) -> int:
        """+1: a bigger size; -1: a smaller one; 0: keep it (or nothing said)."""
        return {"small": 1, "large": -1}.get(self.fit or "", 0)

    def phrase(self) -> str:
        """How it fits, in words for a "because" line: "is too tight", "is a bit loose"."""
        if self.fit == "fit" or self.fit is None:
            return "fits"
        word = self.word if self.word in ("tight", "snug", "short", "narrow", "loose",
                                          "baggy", "long", "wide", "roomy", "small",
                                          "big", "large") else (
            "small" if self.fit == "small" else "big")
        if self.word in ("pinches", "pinch", "pinching"):
            return "pinches"
        return {"mild": f"is a bit {word}", "plain": f"is too {word}",
                "strong": f"is far too {word}"}[self.strength]


def canonical_size(raw: str) -> str | None:
    """A size as typed ("10,5", "9 1/2", "medium", "2xl", "m") as a store labels it."""
    text = raw.strip().lower().replace("½", ".5").replace(" 1/2", ".5").replace(",", ".")
    text = re.sub(r"\s+", "", text) if re.fullmatch(r"[\dx\s]+l?", text) else text
    if text in _WORD_SIZES:
        return _WORD_SIZES[text]
    if match := re.fullmatch(r"([2-5])xl?", text):
        label = "X" * int(match.group(1)) + "L"
        return label if label in LETTER_RUN else None
    if text.upper() in LETTER_RUN:
        return text.upper()
    if re.fullmatch(r"\d{1,2}(?:\.5)?", text):
        number = float(text)
        return f"{number:g}" if 0 < number <= 60 else None
    return None


# "I'm usually a M", "I normally wear a 10": the size they usually wear, not the one they
# say fits badly ("I'm usually a M and the L is too big": the L).
_USUAL_BEFORE = re.compile(r"(?:usually|normally|typically|usual|i'?m|i am|i wear|i take)"
                           r"\s+(?:\w+\s+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class _SizeSaid:
    at: int
    size: str
    system: str | None
    usual: bool


def _sizes_said(text: str) -> list[_SizeSaid]:
    """Every size the message names, in order, marked when it is their usual size."""
    found: dict[int, _SizeSaid] = {}
    for pattern, group in ((_NAMED, 2), (_SYSTEM_FIRST, 2), (_DETERMINED, 2), (_BARE, 1)):
        for match in pattern.finditer(text):
            raw = match.group(group)
            if pattern is _DETERMINED and len(raw) == 1 and raw.islower() and \
                    match.group(0).lower().startswith(("a ", "an ")):
                continue  # a stray lower-case letter after "a" is a word, not a size
            size = canonical_size(raw)
            at = match.start(group)
            if size is None or any(abs(at - seen) < 4 for seen in found):
                continue
            system = (match.group(1) or "").upper() or None if group == 2 else None
            usual = _USUAL_BEFORE.search(text[max(0, match.start() - 25):match.start()])
            found[at] = _SizeSaid(at, size, system, bool(usual))
    return [found[at] for at in sorted(found)]


def _fit_said(text: str) -> tuple[Fit, Strength, str, int, int] | None:
    """How it fits, its strength and word, and the span of the clause that says it."""
    if not _ANY_FIT_WORD.search(text):
        return None  # most messages: one quick look instead of every pattern per clause
    for clause_match in _CLAUSES.finditer(text):
        clause = clause_match.group(0)
        span = clause_match.span()
        if _QUESTION_START.match(clause) and clause.rstrip().endswith("?"):
            continue
        for pattern, idiom_fit, idiom_strength in _IDIOMS:
            if match := pattern.search(clause):
                return (idiom_fit, idiom_strength, match.group(0).split()[0].lower(),
                        *span)
        if (match := _FIT_PHRASE.search(clause)) is None:
            continue
        if match.group("degree") is not None and _WISH.search(clause):
            continue  # "a jacket that's long": what they want, not how theirs fits
        word = match.group("word").lower()
        fit: Fit = "small" if word in _SMALL_WORDS else "large"
        degree = match.group("degree") or match.group("too") or ""
        strength: Strength = ("strong" if _STRONG.search(degree) else
                              "mild" if _MILD.search(degree) else "plain")
        return fit, strength, word, *span
    return None


def read_fit_report(text: str) -> FitReport | None:
    """The size the shopper has and how it fits, when the message says either; None when
    it says neither.  Of several sizes, the one in the clause that says how it fits (else
    the nearest before it) that is not their usual size; their usual size only when it is
    the only one ("I'm usually a 10 and these are tight")."""
    sizes = _sizes_said(text)
    fit = _fit_said(text)
    if fit is None:
        first = next((s for s in sizes if not s.usual), None)
        return FitReport(fit=None, size=first.size, system=first.system) if first else None
    start, end = fit[3], fit[4]
    ranked = sorted((s for s in sizes if not s.usual),
                    key=lambda s: (not start <= s.at < end, s.at > end, abs(s.at - start)))
    chosen = ranked[0] if ranked else (sizes[-1] if sizes else None)
    return FitReport(fit=fit[0], size=chosen.size if chosen else None,
                     system=chosen.system if chosen else None, strength=fit[1], word=fit[2])


def reports_fit(text: str) -> bool:
    """Whether the message says how something the shopper has fits them (for the router:
    such a message is a sizing question even without "what size")."""
    return _fit_said(text) is not None


def without_fit_talk(text: str) -> str:
    """`text` without the sizes and fit words, leaving what names a product: "I bought
    the trail runners in 10 but they feel tight" -> "I bought the trail runners but they"."""
    for pattern in (_NAMED, _SYSTEM_FIRST, _BARE, _DETERMINED, _FIT_PHRASE,
                    *(p for p, _, _ in _IDIOMS)):
        text = pattern.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()


# Words of a fit report that name no product: left out of the product search, so "I bought
# them but they" finds nothing rather than whatever "bought" is nearest to by meaning.
_CHATTER = frozenset({
    "bought", "buy", "ordered", "order", "got", "gotten", "have", "has", "had", "they",
    "them", "their", "theirs", "these", "those", "should", "could", "would", "feel",
    "feels", "felt", "feeling", "fit", "fits", "fitting", "sizing", "wear", "wearing",
    "wore", "tried", "try", "trying", "exchange", "swap", "instead", "next", "better",
    "bigger", "smaller", "larger", "pair", "but", "really", "now", "already", "last",
    "week", "yesterday", "today", "mine", "then", "still", "and", "the", "was", "were",
    "will", "take", "took", "go", "going", "same", "again", "other", "another", "which",
    "what", "size", "sizes", "too", "way", "bit", "little", "think", "guess", "maybe",
    "toes", "toe", "heel", "heels", "sleeves", "sleeve", "waist", "chest", "shoulders",
    "legs", "length", "around", "everywhere", "though", "advice", "help", "me", "queda",
    "quedan", "talla", "ist", "sind", "est", "sont", "taille", "pointure",
})


def product_words(text: str) -> list[str]:
    """The words of a sizing message that could name a product (no sizes, fit words or
    talk about having and wearing it)."""
    return [t for t in parse_query(without_fit_talk(text)).terms if t not in _CHATTER]


# Shoe sizes across systems, approximately (charts differ by brand by up to half a size):
# EU -> US, men's and women's lasts.  UK is US less one (men) or two (women).
_EU_TO_US_MEN: dict[float, float] = {
    38: 5.5, 39: 6.5, 40: 7, 40.5: 7.5, 41: 8, 42: 8.5, 42.5: 9, 43: 9.5, 44: 10, 44.5: 10.5,
    45: 11, 46: 12, 47: 13, 48: 14}
_EU_TO_US_WOMEN: dict[float, float] = {
    35: 5, 36: 6, 37: 6.5, 38: 7.5, 39: 8.5, 40: 9, 41: 10, 42: 10.5, 43: 11.5}


def _shoe_system(rank: float) -> str:
    return "EU" if rank >= 30 else "US"


def in_run_system(report: FitReport, run: list[str], *, shoes: bool, womens: bool
                  ) -> tuple[str, str | None] | None:
    """The size they have in the run's own system, and how they said it when it had to be
    converted ("EU 42 (about a US 8.5)", shoes only); None when it cannot be read in that
    system (an M for a shoe)."""
    if report.size is None or not same_system(report.size, run):
        return None
    rank = size_rank(report.size) or 0.0
    if size_system(report.size) == "letter" or not shoes:
        return report.size, None
    run_ranks = [r for s in run if (r := size_rank(s)) is not None]
    run_system = _shoe_system(max(run_ranks))
    said = report.system or (_shoe_system(rank) if run_system == "EU" or rank >= 30
                             else run_system)
    if said == run_system or (said not in ("EU", "US", "UK")):
        return report.size, None
    table = _EU_TO_US_WOMEN if womens else _EU_TO_US_MEN
    us: float | None
    if said == "UK":
        us = rank + (2 if womens else 1)
    elif said == "EU":
        us = table.get(rank) or table.get(float(round(rank)))
    else:
        us = rank
    if us is None:
        return None
    if run_system == "US":
        converted = nearest(run, us)
    else:
        eu = min(table, key=lambda e: abs(table[e] - us))
        converted = nearest(run, eu)
    return converted, f"{said} {report.size} (about {run_system} {converted})"
