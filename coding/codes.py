"""The codebook inside a project: create, edit, rename, move, merge and delete codes, and
import/export YAML. Every change is one audit event in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.orm import Session

from corpus.audit import record
from corpus.errors import QdaError
from corpus.models import AuditEvent, Coding, Round
from corpus.models import Code as CodeRow
from corpus.vocabulary import Action, Status
from people.accounts import Actor, Can, actor_name, checked
from people.identity import suggestion_layer

from . import access
from .codebook import ORIGINS, Code, Codebook, CodebookDoc, CodeSpec, join_path, split_path

EDITABLE = ("definition", "inclusion", "exclusion", "keywords", "examples", "origin", "colour",
            "sort_order")
STATUS_RANK: dict[str, int] = {Status.ACCEPTED: 3, Status.REJECTED: 2, Status.SUGGESTED: 1}

if TYPE_CHECKING:
    import pandas as pd


class CodeError(QdaError):
    """A codebook operation that cannot be done as asked."""


def _rows(session: Session) -> dict[int, CodeRow]:
    return {c.id: c for c in session.scalars(select(CodeRow))}


def _path(rows: dict[int, CodeRow], code_id: int) -> tuple[str, ...]:
    out = []
    current: int | None = code_id
    while current is not None:
        out.append(rows[current].name)
        current = rows[current].parent_id
    return tuple(reversed(out))


def snapshot(row: CodeRow, rows: dict[int, CodeRow] | None = None) -> dict[str, Any]:
    data = {"id": row.id, "name": row.name, "parent_id": row.parent_id,
            **{key: getattr(row, key) for key in EDITABLE}}
    if rows is not None:
        data["path"] = join_path(_path(rows, row.id))
    return data


def _hidden(rows: dict[int, CodeRow], secret: set[int]) -> frozenset[int]:
    """The codes in `secret` and every code below them."""
    def under(cid: int | None) -> bool:
        while cid is not None:
            if cid in secret:
                return True
            cid = rows[cid].parent_id
        return False
    return frozenset(cid for cid in rows if under(cid)) if secret else frozenset()


def secret_codes(session: Session, coder: str | None) -> frozenset[int]:
    """Codes other coders added while they coded in a still open blind round (with the
    codes below them): not `coder`'s to see, nor to be suggested to them, until the round
    closes and they join the codebook."""
    secret = {cid for cid, who in session.execute(
        select(CodeRow.id, CodeRow.created_by).join(Round, Round.id == CodeRow.blind_round_id)
        .where(Round.closed_at.is_(None))) if who != coder}
    return _hidden(_rows(session), secret) if secret else frozenset()


def hidden_codes(session: Session, actor: Actor | None = None) -> frozenset[int]:
    """The codes `actor` may not see now (`secret_codes`): the lead, who runs the rounds,
    and a system actor (or None, the library) see every code."""
    if actor is None or checked(actor).may(Can.MANAGE_ROUNDS):
        return frozenset()
    return secret_codes(session, actor.login)


def visible(book: Codebook, hidden: frozenset[int]) -> Codebook:
    """The codebook without the hidden codes."""
    return Codebook({cid: c for cid, c in book.codes.items() if cid not in hidden}) \
        if hidden else book


def load_codebook(session: Session, hidden: frozenset[int] = frozenset()) -> Codebook:
    """The project's codebook as the suggestion engine reads it (without `hidden`)."""
    rows = _rows(session)
    return Codebook({cid: Code(cid, r.parent_id, r.name, _path(rows, cid), r.definition or "",
                               r.inclusion or "", tuple(r.keywords or ()),
                               tuple(r.examples or ()), r.origin)
                     for cid, r in rows.items() if cid not in hidden})


def find_code(session: Session, path: str | Iterable[str]) -> CodeRow | None:
    parts = split_path(path) if isinstance(path, str) else tuple(path)
    parent: int | None = None
    row = None
    for name in parts:
        query = select(CodeRow).where(CodeRow.name == name)
        query = query.where(CodeRow.parent_id.is_(None) if parent is None
                            else CodeRow.parent_id == parent)
        row = session.scalars(query).first()
        if row is None:
            return None
        parent = row.id
    return row


def get_code(session: Session, ref: int | str) -> CodeRow:
    """A code by id or by path; a clear error when there is none."""
    row = session.get(CodeRow, ref) if isinstance(ref, int) else None
    if row is None and isinstance(ref, str):
        row = session.get(CodeRow, int(ref)) if ref.isdigit() else find_code(session, ref)
    if row is None:
        raise CodeError(f"no code {ref!r} in the codebook", None, "E320")
    return row


def _check_sibling(session: Session, parent_id: int | None, name: str, skip: int | None = None
                   ) -> None:
    if not name.strip() or ">" in name:
        raise CodeError(f"code name {name!r} must be non-empty and may not contain '>'",
                        None, "E321")
    query = select(CodeRow.id).where(CodeRow.name == name)
    query = query.where(CodeRow.parent_id.is_(None) if parent_id is None
                        else CodeRow.parent_id == parent_id)
    if any(i != skip for i in session.scalars(query)):
        raise CodeError(f"a code named {name!r} already exists there", None, "E321")


def add_code(session: Session, path: str | Iterable[str], actor: Actor, *,
             create_parents: bool = False, memo: str | None = None, **fields: Any) -> CodeRow:
    """Add a code at `path` ("Huvudtema > Subtema"); its parent must exist unless asked.
    A coder may add (emergent codes while coding); every other edit is the lead's."""
    access.require(session, actor, Can.ADD_CODE)
    parts = split_path(path) if isinstance(path, str) else tuple(path)
    if not parts:
        raise CodeError("a code needs a name", None, "E321")
    parent = None
    if len(parts) > 1:
        parent = find_code(session, parts[:-1])
        if parent is None:
            if not create_parents:
                raise CodeError(f"no parent code {join_path(parts[:-1])!r}", None, "E320")
            parent = add_code(session, parts[:-1], actor, create_parents=True,
                              origin=fields.get("origin", "emergent"))
    _check_sibling(session, parent.id if parent else None, parts[-1])
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise CodeError(f"unknown code field(s): {', '.join(sorted(unknown))}", None, "E321")
    if fields.get("origin", "emergent") not in ORIGINS:
        raise CodeError(f"origin must be one of {', '.join(ORIGINS)}", None, "E321")
    if "sort_order" not in fields:
        query = select(func.max(CodeRow.sort_order)).where(
            CodeRow.parent_id.is_(None) if parent is None else CodeRow.parent_id == parent.id)
        fields["sort_order"] = (session.scalar(query) or 0) + 1
    row = CodeRow(name=parts[-1], parent_id=parent.id if parent else None,
                  keywords=list(fields.pop("keywords", []) or []),
                  examples=list(fields.pop("examples", []) or []), **fields)
    found = access.blind(session, actor)
    if found is not None:      # a blind coder's new code stays theirs until the round closes
        row.created_by, row.blind_round_id = actor_name(actor), found.id
    session.add(row)
    session.flush()
    record(session, actor_name(actor), Action.CODE_ADD, "code", row.id, None, snapshot(row), memo)
    return row


def update_code(session: Session, ref: int | str, actor: Actor, memo: str | None = None,
                **fields: Any) -> CodeRow:
    access.require(session, actor, Can.EDIT_CODEBOOK)
    row = get_code(session, ref)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise CodeError(f"unknown code field(s): {', '.join(sorted(unknown))}", None, "E321")
    before = snapshot(row)
    for key, value in fields.items():
        setattr(row, key, list(value) if key in ("keywords", "examples") else value)
    session.flush()
    record(session, actor_name(actor), Action.CODE_UPDATE, "code", row.id, before,
           snapshot(row), memo)
    return row


def rename_code(session: Session, ref: int | str, new_name: str, actor: Actor,
                memo: str | None = None) -> CodeRow:
    access.require(session, actor, Can.EDIT_CODEBOOK)
    row = get_code(session, ref)
    new_name = new_name.strip()
    _check_sibling(session, row.parent_id, new_name, skip=row.id)
    before = snapshot(row)
    row.name = new_name
    session.flush()
    record(session, actor_name(actor), Action.CODE_RENAME, "code", row.id, before,
           snapshot(row), memo)
    return row


def move_code(session: Session, ref: int | str, new_parent: int | str | None, actor: Actor,
              memo: str | None = None) -> CodeRow:
    """Put a code (with its sub-codes and codings) under another parent, or at the top."""
    access.require(session, actor, Can.EDIT_CODEBOOK)
    row = get_code(session, ref)
    parent = get_code(session, new_parent) if new_parent not in (None, "") else None
    if parent is not None:
        rows = _rows(session)
        current: int | None = parent.id
        while current is not None:
            if current == row.id:
                raise CodeError("a code cannot be moved under itself or its sub-codes",
                                None, "E322")
            current = rows[current].parent_id
    _check_sibling(session, parent.id if parent else None, row.name, skip=row.id)
    before = snapshot(row)
    row.parent_id = parent.id if parent else None
    session.flush()
    record(session, actor_name(actor), Action.CODE_MOVE, "code", row.id, before,
           snapshot(row), memo)
    return row


def merge_codes(session: Session, source: int | str, target: int | str, actor: Actor,
                memo: str | None = None) -> dict[str, int]:
    """Fold `source` into `target`: its codings and sub-codes move over, then it goes.

    Where a coder already has the target on the same segment, the stronger decision stays
    (accepted over rejected over suggested). A sub-code whose name the target already
    has is merged into that one. Recorded as one audit event, nested merges included.
    """
    access.require(session, actor, Can.EDIT_CODEBOOK)
    src, dst = get_code(session, source), get_code(session, target)
    if src.id == dst.id:
        raise CodeError("cannot merge a code into itself", None, "E322")
    rows = _rows(session)
    current: int | None = dst.id
    while current is not None:
        if current == src.id:
            raise CodeError("cannot merge a code into one of its own sub-codes", None, "E322")
        current = rows[current].parent_id
    before = {"source": snapshot(src, rows), "target": snapshot(dst, rows)}
    nested: list[dict[str, str]] = []
    stats = _merge(session, src, dst, rows, nested)
    record(session, actor_name(actor), Action.CODE_MERGE, "code", dst.id, before,
           {"target": snapshot(dst), **stats, "nested": nested}, memo)
    return stats


def _merge(session: Session, src: CodeRow, dst: CodeRow, rows: dict[int, CodeRow],
           nested: list[dict[str, str]]) -> dict[str, int]:
    existing = {(c.segment_id, c.coder): c for c in session.scalars(
        select(Coding).where(Coding.code_id == dst.id))}
    moved = dropped = 0
    for coding in session.scalars(select(Coding).where(Coding.code_id == src.id)).all():
        other = existing.get((coding.segment_id, coding.coder))
        if other is None:
            coding.code_id = dst.id
            moved += 1
            continue
        if STATUS_RANK[coding.status] > STATUS_RANK[other.status]:
            other.status, other.score, other.evidence = coding.status, coding.score, \
                coding.evidence
        other.memo = "; ".join(m for m in (other.memo, coding.memo) if m) or None
        other.is_quote = other.is_quote or coding.is_quote
        # exact spans (from another tool) gather; a coding of the whole unit stays whole
        other.spans = [*other.spans, *(s for s in coding.spans if s not in other.spans)] \
            if other.spans and coding.spans else None
        session.delete(coding)
        dropped += 1
    children = 0
    for child in session.scalars(select(CodeRow).where(CodeRow.parent_id == src.id)).all():
        clash = find_code(session, (*_path(rows, dst.id), child.name))
        if clash is not None:
            session.flush()
            nested.append({"source": " / ".join(_path(rows, child.id)),
                           "target": " / ".join(_path(rows, clash.id))})
            inner = _merge(session, child, clash, rows, nested)
            moved, dropped = moved + inner["moved"], dropped + inner["dropped"]
        else:
            child.parent_id = dst.id
        children += 1
    dst.keywords = list(dict.fromkeys([*(dst.keywords or []), *(src.keywords or [])]))
    dst.examples = list(dict.fromkeys([*(dst.examples or []), *(src.examples or [])]))
    session.flush()
    session.delete(src)
    session.flush()
    return {"moved": moved, "dropped": dropped, "children": children}


def _subtree(rows: dict[int, CodeRow], code_id: int) -> list[int]:
    ids = [code_id]
    for cid in ids:
        ids.extend(r.id for r in rows.values() if r.parent_id == cid)
    return ids


def decided_count(session: Session, ref: int | str) -> int:
    """Coders' decisions (not suggestions) on a code and its sub-codes: what a delete
    would throw away, so the app can ask first."""
    ids = _subtree(_rows(session), get_code(session, ref).id)
    return session.scalar(select(func.count()).select_from(Coding).where(
        Coding.code_id.in_(ids), Coding.status != Status.SUGGESTED)) or 0


def delete_code(session: Session, ref: int | str, actor: Actor, force: bool = False,
                memo: str | None = None) -> int:
    """Delete a code and its sub-codes; refuse if coders have decided on them unless forced.

    Returns the number of codings removed (suggestions included).
    """
    access.require(session, actor, Can.EDIT_CODEBOOK)
    row = get_code(session, ref)
    rows = _rows(session)
    ids = _subtree(rows, row.id)
    decided = decided_count(session, row.id)
    if decided and not force:
        raise CodeError(f"code {join_path(_path(rows, row.id))!r} has {decided} coding(s); "
                        "use --force to delete them too, or merge it into another code",
                        None, "E323")
    removed = cast(CursorResult, session.execute(delete(Coding).where(Coding.code_id.in_(ids)))
                   ).rowcount or 0
    before = {"code": snapshot(row, rows), "sub_codes": len(ids) - 1, "codings": removed}
    for cid in reversed(ids):  # sub-codes first
        session.delete(rows[cid])
        session.flush()
    record(session, actor_name(actor), Action.CODE_DELETE, "code", row.id, before, None, memo)
    return removed


def import_doc(session: Session, doc: CodebookDoc, actor: Actor) -> dict[str, Any]:
    """Add the codes of a codebook and merge it into codes already there (same path):
    what the file gives replaces a text, adds to keywords and examples; what it leaves out
    is kept, so a file that lists a main theme only to add sub-themes changes nothing else.
    `changed` says per code which fields changed."""
    access.require(session, actor, Can.EDIT_CODEBOOK)
    added = 0
    changed: dict[str, list[str]] = {}
    for path, spec in doc.walk():
        row = find_code(session, path)
        fields: dict[str, Any] = {
            "definition": spec.definition or None, "inclusion": spec.inclusion or None,
            "exclusion": spec.exclusion or None, "keywords": spec.keywords,
            "examples": spec.examples, "origin": spec.origin, "colour": spec.colour}
        if row is None:
            add_code(session, path, actor, memo=f"import {doc.name}", **fields)
            added += 1
            continue
        given = set(fields) if spec.given is None else spec.given
        update = {}
        for key, value in fields.items():
            if key not in given:
                continue
            if key in ("keywords", "examples"):
                current = list(getattr(row, key) or [])
                known = {v.casefold() for v in current}
                value = current + [v for v in value if v.casefold() not in known]
            if value != getattr(row, key):
                update[key] = value
        if update:
            update_code(session, row.id, actor, memo=f"import {doc.name}", **update)
            changed[join_path(path)] = sorted(update)
    return {"added": added, "updated": len(changed), "changed": changed}


def export_doc(session: Session, name: str = "project", title: str = "",
               actor: Actor | None = None) -> CodebookDoc:
    """The codebook as a document (YAML, .qdc), without the codes `actor` may not see."""
    hidden = hidden_codes(session, actor)
    rows = {cid: r for cid, r in _rows(session).items() if cid not in hidden}

    def spec(row: CodeRow) -> CodeSpec:
        kids = sorted((r for r in rows.values() if r.parent_id == row.id),
                      key=lambda r: (r.sort_order, r.id))
        return CodeSpec(row.name, row.definition or "", row.inclusion or "",
                        row.exclusion or "", list(row.keywords or []), list(row.examples or []),
                        row.origin, row.colour, [spec(k) for k in kids])

    roots = sorted((r for r in rows.values() if r.parent_id is None),
                   key=lambda r: (r.sort_order, r.id))
    return CodebookDoc(name=name, codes=[spec(r) for r in roots], title=title)


def ordered_paths(session: Session) -> list[tuple[int, tuple[str, ...]]]:
    """Codes in codebook order (depth first, by sort order): the order tables follow."""
    rows = _rows(session)
    out: list[tuple[int, tuple[str, ...]]] = []

    def walk(parent: int | None) -> None:
        kids = sorted((r for r in rows.values() if r.parent_id == parent),
                      key=lambda r: (r.sort_order, r.id))
        for kid in kids:
            out.append((kid.id, _path(rows, kid.id)))
            walk(kid.id)

    walk(None)
    return out


def codebook_frame(session: Session, actor: Actor | None = None) -> pd.DataFrame:
    import pandas as pd  # here, not at the top: a decision from the CLI needs no pandas

    """One row per code in codebook order, with its coding counts by status: everyone's,
    or only the actor's own (and their own suggestions) when they may not read every
    coder's codings (in a blind round, say)."""
    query = select(Coding.code_id, Coding.status, func.count())
    if actor is not None and not access.allowed(session, actor, Can.READ_CODINGS):
        query = query.where(Coding.coder.in_((actor.login, suggestion_layer(actor.login))))
    counts = {(cid, status): n for cid, status, n in session.execute(
        query.group_by(Coding.code_id, Coding.status))}
    rows = _rows(session)
    hidden = hidden_codes(session, actor)
    out = []
    for cid, path in ordered_paths(session):
        if cid in hidden:
            continue
        row = rows[cid]
        out.append({"id": cid, "code": join_path(path), "depth": len(path) - 1,
                    "origin": row.origin, "keywords": len(row.keywords or []),
                    "accepted": counts.get((cid, "accepted"), 0),
                    "suggested": counts.get((cid, "suggested"), 0),
                    "rejected": counts.get((cid, "rejected"), 0)})
    return pd.DataFrame(out, columns=["id", "code", "depth", "origin", "keywords", "accepted",
                                      "suggested", "rejected"])


def codebook_version(session: Session) -> int:
    """Changes with every edit of the codebook (the newest code audit event), so a cached
    codebook knows when to reload."""
    return session.scalar(select(func.max(AuditEvent.id)).where(AuditEvent.entity == "code")
                          ) or 0
