"""`tandem retrain`: verdicts join the training data; the candidate is adopted only if no
guarded figure is worse on the same held-out rows.  Trained for real, on a small data set
written here in the shipped sets' formats (the full sets take minutes)."""

from __future__ import annotations

import csv
import json
import random
import uuid
from pathlib import Path

import pytest
from sqlmodel import select

from agent.escalation import load_policy
from agent.triage.classifier import TriageClassifier
from api.db import engine_for, session_scope
from api.models import Conversation, Handoff, HandoffVerdict, Message, RetrainRun, SupportAgent
from api.runtime import with_retrained_classifier
from api.settings import Settings
from evals.routing.retrain import guard, retrain

HUMAN = ["I want a refund for my {x}", "my {x} arrived broken, I want to complain",
         "let me speak to a human about my {x}", "cancel my order for the {x} now"]
ASSISTANT = ["do you have a {x} in blue", "what size {x} should I get", "show me a {x}",
             "is the {x} waterproof"]
THINGS = ["jacket", "boots", "tent", "backpack", "fleece", "sleeping bag", "gloves", "hat"]


def _small_data(root: Path) -> Path:
    rng = random.Random(3)
    (root / "bitext").mkdir(parents=True)
    with (root / "bitext" / "bitext_cs_training_8175.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["flags", "utterance", "category", "intent", "response"])
        for thing in THINGS:
            for n, template in enumerate(HUMAN):
                intent = ["get_refund", "complaint", "contact_human_agent", "cancel_order"][n]
                for extra in ("", " please", " today"):
                    writer.writerow(["", template.format(x=thing) + extra, "", intent, ""])
            for template in ASSISTANT:
                for extra in ("", " please", " today"):
                    writer.writerow(["", template.format(x=thing) + extra, "", "order_info", ""])
    (root / "goemotions").mkdir()
    (root / "goemotions" / "labels.txt").write_text("anger\nsadness\nneutral\n")
    for name in ("train.tsv", "dev.tsv"):
        with (root / "goemotions" / name).open("w") as f:
            for i in range(60):
                label, text = rng.choice([(0, "this is outrageous and I am furious"),
                                          (1, "I feel so sad and alone today"),
                                          (2, "the weather is fine today")])
                f.write(f"{text} {i}\t{label}\tid{i}\n")
    (root / "clinc150").mkdir()
    rows = [[f"what time is it in city {i}", "time"] for i in range(40)]
    (root / "clinc150" / "data_train_val.json").write_text(json.dumps(
        {"train": rows[:30], "val": rows[30:], "oos_train": [], "oos_val": []}))
    (root / "tau-retail").mkdir()
    for part, count in (("train", 20), ("dev", 6)):
        tasks = [{"user_id": f"u{i}", "actions": [{"name": "cancel_pending_order"}]
                  if i % 2 else [{"name": "get_order_details"}],
                  "instruction": f"Your name is Sam. You want to "
                                 f"{'cancel order' if i % 2 else 'know the status of order'}"
                                 f" #W{1000000 + i} for your {THINGS[i % 8]}."}
                 for i in range(count)]
        (root / "tau-retail" / f"tasks_{part}.json").write_text(json.dumps(tasks))
    return root


def _verdicts(url: str, count: int) -> None:
    with session_scope(engine_for(url)) as session:
        agent = SupportAgent(username="ana", display_name="Ana", password_hash="x")
        session.add(agent)
        session.flush()
        for i in range(count):
            conversation = Conversation(id=str(uuid.uuid4()), token_hash="0" * 64)
            session.add(conversation)
            session.flush()
            session.add(Message(conversation_id=conversation.id, role="shopper",
                                text=f"the zipper on my {THINGS[i % 8]} broke after {i} days"))
            session.flush()
            handoff = Handoff(id=str(uuid.uuid4()), conversation_id=conversation.id,
                              rule="complaint")
            session.add(handoff)
            session.flush()
            session.add(HandoffVerdict(handoff_id=handoff.id, agent_id=agent.id or 0,
                                       needed_person=True, last_answer_right=None))


def test_guard_adopts_only_when_nothing_guarded_is_worse() -> None:
    current = {"recall": 0.9, "precision": 0.8, "recall[verdict]": None}
    assert guard(current, {"recall": 0.91, "precision": 0.8, "recall[verdict]": 0.5})[0]
    kept, reason = guard(current, {"recall": 0.95, "precision": 0.79})
    assert not kept and "precision 0.8000 -> 0.79" in reason
    assert guard(current, {"recall": 0.895, "precision": 0.8}, tolerance=0.01)[0]


def test_a_retrain_is_recorded_and_adopted_only_past_the_guard(tmp_path: Path) -> None:
    data = _small_data(tmp_path / "data")
    url = f"sqlite:///{tmp_path / 'r.db'}"
    _verdicts(url, 30)
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    policy = load_policy(settings.policies_dir / "escalation.yaml")
    target = tmp_path / "triage-model"
    with session_scope(engine_for(url)) as session:
        outcome = retrain(session, data_root=data, policy=policy, target_dir=target)
    assert outcome.verdicts_trained + outcome.verdicts_held_out == 30
    assert outcome.verdicts_held_out > 0  # some verdicts validate, never train
    assert "recall" in outcome.figures and "recall[verdict]" in outcome.figures
    decided, _ = guard({k: v["current"] for k, v in outcome.figures.items()},
                       {k: v["candidate"] for k, v in outcome.figures.items()})
    assert outcome.adopted is decided
    assert target.exists() is outcome.adopted
    with session_scope(engine_for(url)) as session:
        run = session.exec(select(RetrainRun)).one()
        assert run.adopted is outcome.adopted and run.verdicts == 30
        assert run.figures == outcome.figures
    # Adopted or not, the server's policy serves a loadable model.
    serving = with_retrained_classifier(policy, target)
    assert isinstance(serving.classifier, TriageClassifier)
    assert (serving.classifier is policy.classifier) is not outcome.adopted


def test_without_verdicts_nothing_is_trained(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    engine_for(url)
    policy = load_policy(Settings(_env_file=None).policies_dir / "escalation.yaml")  # type: ignore[call-arg]
    with session_scope(engine_for(url)) as session:
        outcome = retrain(session, data_root=tmp_path / "absent", policy=policy,
                          target_dir=tmp_path / "model")
    assert not outcome.adopted and "no agents' verdicts" in outcome.reason
    assert not (tmp_path / "model").exists()


def test_an_adopted_model_replaces_the_shipped_one_at_start_up(tmp_path: Path) -> None:
    data = _small_data(tmp_path / "data")
    url = f"sqlite:///{tmp_path / 'r.db'}"
    _verdicts(url, 10)
    policy = load_policy(Settings(_env_file=None).policies_dir / "escalation.yaml")  # type: ignore[call-arg]
    target = tmp_path / "triage-model"
    with session_scope(engine_for(url)) as session:
        # A tolerance of 1: adopted whatever the figures, to check the install itself.
        outcome = retrain(session, data_root=data, policy=policy, target_dir=target,
                          tolerance=1.0)
    assert outcome.adopted and (target / "triage.npz").is_file()
    served = with_retrained_classifier(policy, target).classifier
    assert served is not None and served is not policy.classifier
    assert served.score("I want a refund for my jacket").p_human > 0.5
    with pytest.raises(ValueError, match="no classifier"):
        from dataclasses import replace

        with session_scope(engine_for(url)) as session:
            retrain(session, data_root=data, policy=replace(policy, classifier=None),
                    target_dir=target)
