"""Form drafts: what an operator typed, kept across a dropped SSH session.

A screen saves its fields every few seconds and on hang-up (SIGHUP) under a key such as
"order:new" or "order:SO20261127001"; reopening the form offers the draft back. The payload is
whatever JSON the screen chose: it may hold input that does not validate yet.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from order_tui.services.common import Actor, now_utc
from order_tui.store import repo
from order_tui.store.engine import Database
from order_tui.store.models import FormDraft

MAX_PAYLOAD = 1_000_000


@dataclass(frozen=True)
class SavedForm:
    form_key: str
    payload: dict[str, Any]
    saved_at: datetime


def save_form(db: Database, actor: Actor, form_key: str, payload: dict[str, Any]) -> datetime:
    """Insert or replace the operator's draft of this form (no audit: nothing is decided)."""
    text = json.dumps(payload, ensure_ascii=False, default=str)
    if len(text) > MAX_PAYLOAD:
        raise ValueError("form too large to keep as a draft")
    now = now_utc()
    with db.writing() as session:
        draft = repo.form_draft(session, actor.id, form_key)
        if draft is None:
            session.add(
                FormDraft(operator_id=actor.id, form_key=form_key, payload=text, saved_at=now)
            )
        else:
            draft.payload = text
            draft.saved_at = now
    return now


def load_form(db: Database, actor: Actor, form_key: str) -> SavedForm | None:
    with db.reading() as session:
        draft = repo.form_draft(session, actor.id, form_key)
        if draft is None:
            return None
        return SavedForm(draft.form_key, json.loads(draft.payload), draft.saved_at)


def list_forms(db: Database, actor: Actor) -> list[SavedForm]:
    with db.reading() as session:
        return [
            SavedForm(d.form_key, json.loads(d.payload), d.saved_at)
            for d in repo.form_drafts_of(session, actor.id)
        ]


def discard_form(db: Database, actor: Actor, form_key: str) -> None:
    with db.writing() as session:
        draft = repo.form_draft(session, actor.id, form_key)
        if draft is not None:
            session.delete(draft)
