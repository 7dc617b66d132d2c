"""`tandem init DIR`: editable copies of the prompts and policies a retailer customises, and a
.env in DIR pointing at them, so the server run there answers with the edited files."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.settings import Settings
from tandem.cli import app
from tests.conftest import api_client
from tests.helpers import say, start_chat

PACKAGED = Settings(_env_file=None)  # type: ignore[call-arg]


def _init(directory: Path, *options: str) -> str:
    result = CliRunner().invoke(app, ["init", str(directory), *options])
    assert result.exit_code == 0, result.output
    return result.output


def test_init_copies_every_prompt_and_policy_and_points_settings_at_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shop = tmp_path / "shop"
    _init(shop)
    for folder, packaged, pattern in (("prompts", PACKAGED.prompts_dir, "*.j2"),
                                      ("policies", PACKAGED.policies_dir, "*.yaml")):
        names = sorted(p.name for p in packaged.glob(pattern))
        assert names and sorted(p.name for p in (shop / folder).glob(pattern)) == names
        for name in names:
            assert (shop / folder / name).read_bytes() == (packaged / name).read_bytes()

    monkeypatch.delenv("TANDEM_PROMPTS_DIR", raising=False)
    monkeypatch.delenv("TANDEM_POLICIES_DIR", raising=False)
    monkeypatch.chdir(shop)  # `tandem serve` run in the folder reads its .env
    settings = Settings()
    assert settings.prompts_dir == shop / "prompts"
    assert settings.policies_dir == shop / "policies"


def test_running_init_again_keeps_the_retailers_edits_unless_forced(tmp_path: Path) -> None:
    _init(tmp_path)
    policy = tmp_path / "policies" / "store_policy.yaml"
    policy.write_text(policy.read_text().replace("window_days: 30", "window_days: 60", 1))
    env = tmp_path / ".env"
    env.write_text(env.read_text() + "TANDEM_LLM_PROVIDER=scripted\n")

    output = _init(tmp_path)
    assert f"kept {policy}" in output
    assert "window_days: 60" in policy.read_text()
    assert "TANDEM_LLM_PROVIDER=scripted" in env.read_text()  # other settings stay
    assert env.read_text().count("TANDEM_POLICIES_DIR=") == 1

    _init(tmp_path, "--force")
    assert "window_days: 30" in policy.read_text()


async def test_the_server_answers_with_the_edited_copies(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _init(tmp_path)
    policy = tmp_path / "policies" / "store_policy.yaml"
    policy.write_text(policy.read_text().replace("window_days: 30", "window_days: 60", 1))
    prompt = tmp_path / "prompts" / "store_policy.j2"
    prompt.write_text(prompt.read_text().replace(
        "You can return an item", "Ridgeline promise: you can return an item", 1))
    monkeypatch.delenv("TANDEM_PROMPTS_DIR", raising=False)
    monkeypatch.delenv("TANDEM_POLICIES_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    settings = Settings(environment="test", database_url=database_url,  # type: ignore[call-arg]
                        llm_provider="scripted")

    async with api_client(settings) as client:
        turn = await say(client, await start_chat(client), "what is your return policy?")
    assert turn["route"] == "assistant"
    assert ("Ridgeline promise: you can return an item within 60 days of delivery"
            in turn["reply"]["text"])
