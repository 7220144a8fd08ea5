"""Attachments: the file is copied into the data directory under its SHA-256."""

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from sqlmodel import Session

from order_tui.domain import messages
from order_tui.domain.errors import ValidationError
from order_tui.domain.lifecycle import Action
from order_tui.domain.terms import ATTACHMENT_KINDS
from order_tui.services.common import Actor, audit, authorize, now_utc
from order_tui.store import repo
from order_tui.store.engine import Database
from order_tui.store.models import Attachment, SalesOrder

MAX_BYTES = 50 * 1024 * 1024

messages.register(
    {
        "attach.not_found": ("找不到文件：{path}", "file not found: {path}"),
        "attach.unreadable": (
            "无法读取文件：{path} {problem}",
            "cannot read the file: {path} {problem}",
        ),
        "attach.too_large": ("文件超过 {mb} MB", "file is larger than {mb} MB"),
        "attach.kind": ("附件类型应为以下之一：{allowed}", "kind must be one of: {allowed}"),
    }
)


def _store_file(db: Database, source: Path) -> tuple[str, int]:
    """Copy into the content-addressed store; idempotent, so a failed transaction leaves at
    worst an unreferenced file, never a reference without its file."""
    source = Path(source).expanduser()
    try:
        if not source.is_file():
            raise ValidationError(code="attach.not_found", field="path", path=str(source))
        size = source.stat().st_size
        if size > MAX_BYTES:
            raise ValidationError(code="attach.too_large", field="path", mb=MAX_BYTES // 2**20)
        digest = hashlib.sha256()
        with source.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except (OSError, ValueError) as exc:
        # a name too long for the file system, a NUL in it, no permission to read
        raise ValidationError(
            code="attach.unreadable", field="path", path=str(source), problem=exc.strerror or ""
        ) from None
    sha = digest.hexdigest()
    target = db.attachments_dir / sha[:2] / sha
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent)
        os.close(fd)
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    return sha, size


def attach_in_session(
    session: Session,
    db: Database,
    actor: Actor,
    order: SalesOrder,
    source: Path,
    kind: str,
) -> Attachment:
    if kind not in ATTACHMENT_KINDS:
        raise ValidationError(code="attach.kind", field="kind", allowed=", ".join(ATTACHMENT_KINDS))
    sha, size = _store_file(db, source)
    attachment = Attachment(
        order_id=order.id,
        kind=kind,
        original_name=Path(source).name,
        sha256=sha,
        size=size,
        uploaded_by=actor.id,
        uploaded_at=now_utc(),
    )
    session.add(attachment)
    session.flush()
    audit(
        session,
        actor,
        "order",
        order.id or 0,
        "attach",
        order_no=order.order_no,
        from_status=order.status,
        to_status=order.status,
        changes={"kind": kind, "name": attachment.original_name, "sha256": sha},
    )
    return attachment


def attach(db: Database, actor: Actor, order_no: str, source: Path, kind: str) -> str:
    with db.writing() as session:
        order = repo.get_order(session, order_no)
        authorize(session, actor, order, Action.ATTACH)
        return attach_in_session(session, db, actor, order, source, kind).sha256
