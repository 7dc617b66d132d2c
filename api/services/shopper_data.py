"""Everything held about a shopper, as plain JSON-ready data (`GET /v1/me/data`).

Two scopes: an anonymous shopper holds one conversation's token, so they get that
conversation; a signed-in shopper (customer token of scope data) gets everything of their
customer id: profile, stored preferences, orders, fit feedback (sizes bought, how they fit,
height, weight, bust) and every conversation they had signed in.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from api.models import ConsentEvent, Conversation, Handoff, HandoffNote, Message, ShopperContact
from api.security import hash_token
from api.services.conversations import token_open
from domain.tables import Customer, FitFeedback, Order, OrderItem, ShopperProfile, utcnow


def conversation_by_token(*, session: Session, token: str) -> Conversation | None:
    """The conversation this bearer token belongs to while the token is open (tokens are
    stored only as hashes; an ended or expired one opens nothing)."""
    conversation = session.exec(select(Conversation).where(
        Conversation.token_hash == hash_token(token))).first()
    return conversation if conversation is not None and token_open(conversation) else None


def _row(row: Any, *drop: str) -> dict[str, Any]:
    return {k: v for k, v in row.model_dump(mode="json").items() if k not in drop}


def _conversation(session: Session, conversation: Conversation) -> dict[str, Any]:
    cid = conversation.id
    messages = session.exec(select(Message).where(Message.conversation_id == cid)
                            .order_by(col(Message.id))).all()
    consent = session.exec(select(ConsentEvent).where(ConsentEvent.conversation_id == cid)
                           .order_by(col(ConsentEvent.id))).all()
    handoffs = session.exec(select(Handoff).where(Handoff.conversation_id == cid)
                            .order_by(col(Handoff.created_at))).all()
    contacts = session.exec(select(ShopperContact).where(
        ShopperContact.conversation_id == cid)).all()
    return {
        **_row(conversation, "token_hash"),
        "messages": [_row(m, "conversation_id") for m in messages],
        "consent_history": [_row(c, "conversation_id") for c in consent],
        "handoffs": [_row(h, "conversation_id") | {"notes": [
            _row(n, "handoff_id") for n in session.exec(
                select(HandoffNote).where(HandoffNote.handoff_id == h.id)).all()]}
            for h in handoffs],
        "contact_emails": [_row(c, "conversation_id") for c in contacts],
    }


def export_conversation(*, session: Session, conversation: Conversation) -> dict[str, Any]:
    return {"exported_at": utcnow().isoformat(), "scope": "conversation", "customer": None,
            "preferences": {}, "orders": [], "fit_feedback": [],
            "conversations": [_conversation(session, conversation)]}


def export_customer(*, session: Session, customer_id: str) -> dict[str, Any]:
    customer = session.get(Customer, customer_id)
    profile = session.get(ShopperProfile, customer_id)
    orders = session.exec(select(Order).where(Order.customer_id == customer_id)
                          .order_by(col(Order.created_at))).all()
    conversations = session.exec(select(Conversation).where(
        Conversation.customer_id == customer_id).order_by(col(Conversation.created_at))).all()
    fit = session.exec(select(FitFeedback).where(FitFeedback.customer_id == customer_id)
                       .order_by(col(FitFeedback.id))).all()
    return {
        "exported_at": utcnow().isoformat(), "scope": "customer",
        "customer": _row(customer) if customer else None,
        "preferences": _row(profile, "customer_id") if profile else {},
        "orders": [_row(o) | {"items": [_row(i, "order_id") for i in session.exec(
            select(OrderItem).where(OrderItem.order_id == o.id)).all()]} for o in orders],
        "fit_feedback": [_row(f, "customer_id") for f in fit],
        "conversations": [_conversation(session, c) for c in conversations],
    }
