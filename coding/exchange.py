"""Segments and codings in and out as tables, so that a team that coded in Excel or in
another tool brings its work in (and takes it out) without retyping."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from corpus.actors import LIBRARY, Actor, actor_name, checked
from corpus.audit import record
from corpus.errors import InputError
from corpus.models import Coding, Segment, Source
from corpus.project import Project
from corpus.study import load as load_study
from corpus.tabular import read_table, write_table
from corpus.vocabulary import Action, Status
from people.identity import CONSENSUS, coder_for

from .codebook import CodebookDoc, join_path, split_path
from .codes import _path, _rows, add_code, find_code, import_doc

SEGMENT_COLUMNS = ["segment", "source", "kind", "question", "area", "group", "speaker",
                   "duplicates", "text"]
CODING_COLUMNS = ["segment", "source", "kind", "question", "area", "text", "code", "huvudtema",
                  "subtema", "coder", "status", "memo", "citat"]


def segments_frame(project: Project) -> pd.DataFrame:
    """Every segment with what identifies it (its question, area, participant group and
    duplicate marks, to check an ingest by); the text is the pseudonymised text."""
    with project.session() as session:
        rows = session.execute(
            select(Segment.id, Source.original_name, Segment.kind, Segment.question,
                   Segment.area, Segment.participant_group, Segment.speaker,
                   Segment.duplicate_count, Segment.text)
            .join(Source, Source.id == Segment.source_id)
            .order_by(Segment.source_id, Segment.position, Segment.id)).all()
        study = load_study(session)
    frame = pd.DataFrame(rows, columns=SEGMENT_COLUMNS)
    frame["area"] = frame["area"].map(lambda a: study.areas.label(a) if a else "")
    frame["group"] = frame["group"].map(lambda g: study.groups.label(g) if g else "")
    frame["duplicates"] = frame["duplicates"].map(lambda n: "" if pd.isna(n) else int(n))
    frame["question"] = frame["question"].map(lambda q: "" if pd.isna(q) else int(q))
    frame["speaker"] = frame["speaker"].fillna("")
    return frame


def export_segments(project: Project, path: Path | str) -> Path:
    return write_table(segments_frame(project), path, sheet="segment")


def codings_frame(project: Project, coder: str | None = None,
                  include_suggestions: bool = False) -> pd.DataFrame:
    with project.session() as session:
        rows = _rows(session)
        query = (select(Coding, Segment.source_id, Segment.kind, Segment.question, Segment.area,
                        Segment.text, Source.original_name)
                 .join(Segment, Segment.id == Coding.segment_id)
                 .join(Source, Source.id == Segment.source_id)
                 .order_by(Segment.source_id, Segment.position, Coding.coder, Coding.code_id))
        if coder:
            query = query.where(Coding.coder == coder)
        if not include_suggestions:
            query = query.where(Coding.status != Status.SUGGESTED)
        out = []
        areas = load_study(session).areas
        for coding, _, kind, question, area, text, source in session.execute(query):
            path = _path(rows, coding.code_id)
            out.append({"segment": coding.segment_id, "source": source, "kind": kind,
                        "question": "" if question is None else int(question),
                        "area": areas.label(area) if area else "", "text": text,
                        "code": join_path(path), "huvudtema": path[0],
                        "subtema": path[1] if len(path) > 1 else "", "coder": coding.coder,
                        "status": coding.status, "memo": coding.memo or "",
                        "citat": "x" if coding.is_quote else ""})
    return pd.DataFrame(out, columns=CODING_COLUMNS)


def export_codings(project: Project, path: Path | str, coder: str | None = None) -> Path:
    return write_table(codings_frame(project, coder), path, sheet="kodning")


@dataclass
class ImportReport:
    rows: int = 0
    codings: int = 0
    unchanged: int = 0
    created_codes: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)   # "row 7: no segment with that text"
    coders: list[str] = field(default_factory=list)


MISSPELT = 0.85     # a new code's name this close to a sibling's is taken for a typo


def _refuse_a_misspelled_code(session, code_path: tuple[str, ...], where: str,
                              path: Path) -> None:
    """A code the codebook lacks that is a letter or two off one of its codes at the same
    place ("Träffpunkter och aktivitter") is a typo, not an emergent code: refused (the
    whole file), naming the row and the code it resembles."""
    parent = find_code(session, code_path[:-1]) if len(code_path) > 1 else None
    if len(code_path) > 1 and parent is None:
        return                                   # under a new main theme: nothing to compare
    name = code_path[-1].casefold()
    parent_id = parent.id if parent is not None else None
    for row in _rows(session).values():
        if row.parent_id == parent_id and row.name.casefold() != name and \
                SequenceMatcher(None, name, row.name.casefold()).ratio() >= MISSPELT:
            raise InputError(
                f"{where}: the code {join_path(code_path)!r} is not in the codebook and reads "
                f"like {join_path((*code_path[:-1], row.name))!r} misspelled; correct the "
                "file (a new code of that name: add it first with `qda codebook add`)",
                path, "E344")


def import_codings(project: Project, path: Path | str, coder: str | None = None,
                   codebook: CodebookDoc | None = None, actor: Actor = LIBRARY) -> ImportReport:
    """Read codings made elsewhere; one transaction, nothing guessed.

    A row names its unit by `segment` (id) or `text` (every unit with exactly that text; a
    transcript turn with sentences is no unit: a row naming one codes its sentences) and
    its code by `code`
    ("Huvudtema > Subtema") or `huvudtema` + `subtema`; `coder` overrides the default
    coder. The coder `konsensus` brings in a consensus reached elsewhere (a team that
    agreed its post-it themes in Excel); any other name must be a user of a project with
    accounts.
    """
    checked(actor)      # a plain name is no actor (E614): refused before anything
    path = Path(path)
    frame = read_table(path)
    if "segment" not in frame.columns and "text" not in frame.columns:
        raise InputError("needs a 'segment' or a 'text' column", path, "E342")
    if "code" not in frame.columns and "huvudtema" not in frame.columns:
        raise InputError("needs a 'code' column or 'huvudtema' and 'subtema' columns", path,
                         "E342")
    if "coder" not in frame.columns and not coder:
        raise InputError("no 'coder' column: give --coder", path, "E342")
    report = ImportReport()
    with project.transaction() as session:
        if codebook is not None:
            import_doc(session, codebook, actor)
        # a turn with sentences is no unit (E336): a row naming one codes its sentences, as
        # the app's run of sentences does (coding the turn too counted its words twice)
        split: dict[int | None, list[int]] = {}
        for turn, sentence in session.execute(select(Segment.parent_id, Segment.id).where(
                Segment.kind == "sentence").order_by(Segment.parent_id, Segment.position)):
            split.setdefault(turn, []).append(sentence)
        by_text: dict[str, list[int]] = {}
        for segment_id, text in session.execute(select(Segment.id, Segment.text)):
            same = by_text.setdefault(text.strip(), [])
            same += [u for u in split.get(segment_id, [segment_id]) if u not in same]
        known_ids = set(by_id for ids in by_text.values() for by_id in ids) | set(split)
        have = {(c.segment_id, c.code_id, c.coder): c for c in session.scalars(select(Coding))}
        code_cache: dict[tuple[str, ...], int] = {}
        coders: set[str] = set()
        known_coders: dict[str, str] = {}     # as typed -> the coder it stands for
        for number, row in enumerate(frame.to_dict(orient="records"), start=2):
            report.rows += 1
            where = f"row {number}"
            segment_ref = str(row.get("segment", "")).strip()
            if segment_ref:
                if not segment_ref.isdigit() or int(segment_ref) not in known_ids:
                    report.unmatched.append(f"{where}: no segment {segment_ref}")
                    continue
                segments = split.get(int(segment_ref), [int(segment_ref)])
            else:
                segments = by_text.get(str(row.get("text", "")).strip(), [])
                if not segments:
                    report.unmatched.append(f"{where}: no segment with that text")
                    continue
            code_path = (split_path(row["code"]) if str(row.get("code", "")).strip()
                         else split_path(" > ".join(
                             str(row.get(k, "")).strip() for k in ("huvudtema", "subtema")
                             if str(row.get(k, "")).strip())))
            if not code_path:
                report.unmatched.append(f"{where}: no code")
                continue
            typed = str(row.get("coder", "")).strip() or coder or ""
            who = known_coders.get(typed) or known_coders.setdefault(
                typed, CONSENSUS if typed.casefold() == CONSENSUS
                else coder_for(session, typed))
            coders.add(who)
            code_id = code_cache.get(code_path)
            if code_id is None:
                found = find_code(session, code_path)
                if found is None:
                    _refuse_a_misspelled_code(session, code_path, where, path)
                    found = add_code(session, code_path, actor, create_parents=True,
                                     memo=f"emergent code from {path.name}")
                    report.created_codes.append(join_path(code_path))
                code_id = code_cache[code_path] = found.id
            memo = str(row.get("memo", "")).strip() or None
            quote = str(row.get("citat", "")).strip().lower() in ("x", "1", "ja", "yes", "true")
            for segment_id in segments:
                existing = have.get((segment_id, code_id, who))
                if existing is not None and existing.status == Status.ACCEPTED:
                    report.unchanged += 1
                    continue
                if existing is None:
                    existing = Coding(segment_id=segment_id, code_id=code_id, coder=who)
                    session.add(existing)
                    have[(segment_id, code_id, who)] = existing
                existing.status, existing.memo, existing.is_quote = Status.ACCEPTED, memo, quote
                report.codings += 1
        if report.rows and len(report.unmatched) == report.rows:
            raise InputError(f"no row names a unit of the project ({report.unmatched[0]}); "
                             "nothing was imported", path, "E343")
        session.flush()
        report.coders = sorted(coders)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        record(session, actor_name(actor), Action.CODINGS_IMPORT, "coding", None, None,
               {"file": path.name, "sha256": digest, "rows": report.rows,
                "codings": report.codings, "unmatched": len(report.unmatched),
                "created_codes": report.created_codes, "coders": report.coders},
               channel="import")
    return report
