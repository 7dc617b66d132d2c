"""The console's experiment pages (numbers and charts, escaped) and the operations page."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from api.settings import Settings
from bench.experiment_sim import simulate
from domain.tables import utcnow
from tests.console.console_helpers import console_client, signed_in_csrf
from tests.experiments.factories import running_experiment, unique
from tests.helpers import say, start_chat


async def test_an_experiment_page_shows_the_report_and_its_charts(settings: Settings,
                                                                  engine: Engine) -> None:
    name = unique("console")
    result = simulate(engine, name=name, visitors=3000, lift=0.2, seed=4)
    async with console_client(settings) as client:
        await signed_in_csrf(client, "alex", "alex-password")
        listing = await client.get("/console/experiments")
        assert listing.status_code == 200 and f"/console/experiments/{name}" in listing.text
        page = await client.get(f"/console/experiments/{name}")
    assert page.status_code == 200
    html = page.text
    conversion = result.report["metrics"]["conversion"]
    assert f"{conversion['control']:.4f}" in html and f"{conversion['assistant']:.4f}" in html
    assert "Sample ratio" in html and "Chi-squared p" in html
    assert html.count("<svg") == 3 and "<polygon" in html  # interval bands are drawn
    assert "fixed horizon" in html
    assert "style=" not in html  # the console's CSP allows no inline style


async def test_what_a_retailer_wrote_is_escaped(settings: Settings, engine: Engine) -> None:
    with running_experiment(engine, description="<script>alert(1)</script>") as experiment:
        async with console_client(settings) as client:
            await signed_in_csrf(client, "alex", "alex-password")
            listing = (await client.get("/console/experiments")).text
            page = await client.get(f"/console/experiments/{experiment.name}")
    assert "<script>alert(1)</script>" not in listing and "&lt;script&gt;" in listing
    assert page.status_code == 200 and "No data yet" in page.text


async def test_experiment_pages_need_a_signed_in_agent(settings: Settings) -> None:
    async with console_client(settings) as client:
        for path in ("/console/experiments", "/console/operations"):
            response = await client.get(path)
            assert response.status_code == 303 and "/console/login" in response.headers[
                "location"]


async def test_the_operations_page_charts_the_turns(settings: Settings) -> None:
    async with console_client(settings) as client:
        chat = await start_chat(client)
        await say(client, chat, "waterproof jacket under $200")
        await say(client, chat, "I want to talk to a person")
        await signed_in_csrf(client, "alex", "alex-password")
        page = await client.get("/console/operations")
    assert page.status_code == 200
    assert page.text.count("<svg") == 4 and "human_request" in page.text
    today = utcnow().date().isoformat()
    assert today[5:] in page.text and (utcnow() - timedelta(days=27)).date().isoformat()[5:] \
        in page.text


async def test_the_operations_page_shows_the_last_retrain(settings: Settings,
                                                          engine: Engine) -> None:
    from api.db import session_scope
    from api.models import RetrainRun

    with session_scope(engine) as session:
        session.add(RetrainRun(adopted=False, reason="kept the current model: worse on recall",
                               verdicts=12, figures={"recall": {"current": 0.91,
                                                                "candidate": 0.88}}))
    async with console_client(settings) as client:
        await signed_in_csrf(client, "alex", "alex-password")
        page = (await client.get("/console/operations")).text
    assert "kept the current model" in page and "with 12 agents' verdicts" in page
    assert "<td>0.91</td><td>0.88</td>" in page
