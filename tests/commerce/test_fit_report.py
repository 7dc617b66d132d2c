"""Reading a size the shopper has and how it fits, in the ways shoppers say it."""

from __future__ import annotations

import pytest

from agent.commerce.fit_report import (
    FitReport,
    in_run_system,
    product_words,
    read_fit_report,
    reports_fit,
)

US_SHOES = ["7", "7.5", "8", "8.5", "9", "9.5", "10", "10.5", "11", "11.5", "12", "13"]
EU_SHOES = [str(n) for n in range(38, 48)]


@pytest.mark.parametrize(("text", "size", "fit"), [
    ("I bought the trail runners in 10 but they feel tight. What size should I get?",
     "10", "small"),
    ("I have the 10 and it feels tight", "10", "small"),
    ("my 9.5s pinch", "9.5", "small"),
    ("10 is too tight", "10", "small"),
    ("got a 10 1/2, they're snug", "10.5", "small"),
    ("size 42 is too small", "42", "small"),
    ("EU 43 feels tight", "43", "small"),
    ("the L is way too big", "L", "large"),
    ("I got a large and I'm swimming in it", "L", "large"),
    ("the medium is baggy", "M", "large"),
    ("the 2XL is too big", "XXL", "large"),
    ("the sleeves are too short on the M", "M", "small"),
    ("the boots are fine but the M feels short", "M", "small"),
    ("they're slightly tight in the toes", None, "small"),
    ("my toes hit the end", None, "small"),
    ("the heel slips", None, "large"),
    ("it's a little on the big side", None, "large"),
    ("not long enough, the M", "M", "small"),
    ("the 10s fit perfectly", "10", "fit"),
    ("me queda pequeño la talla M", "M", "small"),
    ("la M me queda grande", "M", "large"),
    ("die Größe 42 ist zu klein", "42", "small"),
    ("die M ist viel zu groß", "M", "large"),
    ("la taille 42 est trop petite", "42", "small"),
    ("le M est un peu trop grand", "M", "large"),
    # Several sizes: the one that fits badly, not the usual one.
    ("I'm usually a M and the L is too big", "L", "large"),
    ("the L is too big, I'm usually a M", "L", "large"),
    ("I normally wear a 10, the 10.5 feels loose", "10.5", "large"),
    ("I'm usually a 10 and these are tight", "10", "small"),
    ("my 10,5 feels loose", "10.5", "large"),
])
def test_a_size_they_have_and_how_it_fits(text: str, size: str | None, fit: str) -> None:
    report = read_fit_report(text)
    assert report is not None and (report.size, report.fit) == (size, fit)
    assert reports_fit(text)


@pytest.mark.parametrize("fit_word", ["loose", "short", "long", "snug", "small", "large"])
@pytest.mark.parametrize("template", [
    "the M was a bit {}", "the M is a bit {}", "the M feels a bit {}",
    "the M was a little {}", "the M was slightly {}", "the M was a bit too {}",
    "the M's a bit {}", "M was a bit {}", "my M is a bit {}", "the medium was a bit {}",
])
def test_the_m_was_a_bit_anything_in_every_common_phrasing(template: str, fit_word: str) -> None:
    report = read_fit_report(template.format(fit_word))
    expected = "small" if fit_word in ("short", "snug", "small") else "large"
    assert report == FitReport(fit=expected, size="M", strength="mild",  # type: ignore[arg-type]
                               word=fit_word)


@pytest.mark.parametrize(("text", "strength"), [
    ("the L is way too big", "strong"), ("the L is much too big", "strong"),
    ("the L is too big", "plain"), ("the L is really big", "plain"),
    ("the L is a bit big", "mild"), ("the L is slightly too big", "mild"),
])
def test_how_far_off_it_is(text: str, strength: str) -> None:
    report = read_fit_report(text)
    assert report is not None and report.strength == strength


@pytest.mark.parametrize("text", [
    "does it run small?",
    "will the 10 be tight?",
    "I want a jacket that's long",
    "a loose fit tee",
    "small tent for 2 people",
    "show me a large backpack",
    "they are not too tight",
    "it's long enough",
    "in a pinch I need a tent",
    "I'm usually a M, the Drizzle runs small",
    "a shoe that fits wide feet",
    "waterproof hiking jacket under $200, size M",
])
def test_searches_questions_and_general_fit_notes_report_nothing(text: str) -> None:
    assert not reports_fit(text)


@pytest.mark.parametrize(("text", "size"), [
    ("I have the 10.", "10"), ("I have the 10, what now?", "10"), ("a 10", "10"),
    ("in a medium", "M"), ("my 9.5s", "9.5"), ("UK 9", "9"), ("sz 11", "11"),
])
def test_sizes_named_without_a_fit(text: str, size: str) -> None:
    report = read_fit_report(text)
    assert report is not None and (report.size, report.fit) == (size, None)


@pytest.mark.parametrize("text", ["back in 10 days", "a 65 l pack", "the 2 person tent",
                                  "in 10 minutes", "a 5 pack of socks"])
def test_numbers_that_are_not_sizes(text: str) -> None:
    assert read_fit_report(text) is None


def test_the_product_words_are_what_is_left_of_the_message() -> None:
    text = "I bought the trail runners in 10 but they feel tight. What size should I get?"
    assert product_words(text) == ["trail", "runners"]
    assert product_words("I have the 10 and it feels tight") == []
    assert product_words("my Drizzle jacket in M is too short") == ["drizzle", "jacket"]


def test_shoe_sizes_in_another_system_are_converted_approximately() -> None:
    eu = FitReport(fit="small", size="42", system="EU")
    assert in_run_system(eu, US_SHOES, shoes=True, womens=False) == (
        "8.5", "EU 42 (about US 8.5)")
    bare = FitReport(fit="small", size="42")  # "size 42" for a US run is an EU size
    assert in_run_system(bare, US_SHOES, shoes=True, womens=False) is not None
    us = FitReport(fit="small", size="10")
    assert in_run_system(us, EU_SHOES, shoes=True, womens=False) == (
        "44", "US 10 (about EU 44)")
    uk = FitReport(fit="large", size="9", system="UK")
    assert in_run_system(uk, US_SHOES, shoes=True, womens=False) == (
        "10", "UK 9 (about US 10)")
    assert in_run_system(us, US_SHOES, shoes=True, womens=False) == ("10", None)


def test_a_size_from_another_system_is_not_converted_for_clothes() -> None:
    dress = FitReport(fit="small", size="8")
    assert in_run_system(dress, ["2", "4", "6", "8", "10", "12"], shoes=False,
                         womens=True) == ("8", None)
    assert in_run_system(FitReport(fit="small", size="M"), US_SHOES, shoes=True,
                         womens=False) is None, "an M says nothing about a shoe size"
