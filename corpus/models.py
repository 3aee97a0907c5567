"""The project schema. Changes go through an Alembic migration in corpus/migrations."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Ids are never reused (SQLite AUTOINCREMENT, PostgreSQL sequences): the audit log
    refers to rows by id, so a deleted source's id must not come back as another source."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    # each model maps one Table (DeclarativeBase types it as any FromClause)
    __table__: ClassVar[Table]


class Workshop(Base):
    __tablename__ = "workshop"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(200), unique=True)
    area: Mapped[str] = mapped_column(String(20))
    format: Mapped[str | None] = mapped_column(String(20))
    date: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class WorkshopCount(Base):
    """Participants of one group (a `study_value` of dimension "group") in a workshop."""

    __tablename__ = "workshop_count"

    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"),
                                             primary_key=True)
    group_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class StudyValue(Base):
    """An area, participant group or workshop format of this project's study: what the
    tables' columns, Tabell 1's rows and the quotes' attributions are made of."""

    __tablename__ = "study_value"
    __table_args__ = (UniqueConstraint("dimension", "key"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    dimension: Mapped[str] = mapped_column(String(10))     # area, group, format
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(100))
    long_name: Mapped[str | None] = mapped_column(String(200))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class StudyDimension(Base):
    """Per dimension: whether its list is closed (an unknown label is an error) and whether
    tables show columns for values without units."""

    __tablename__ = "study_dimension"

    name: Mapped[str] = mapped_column(String(10), primary_key=True)
    fixed: Mapped[bool] = mapped_column(Boolean, default=False)
    all_columns: Mapped[bool] = mapped_column(Boolean, default=False)


class Source(Base):
    """One imported file; the original bytes are kept in the project's sources/ folder."""

    __tablename__ = "source"
    __table_args__ = (Index("ix_source_original_name", "original_name"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # postits, padlet, survey, transcript
    file_format: Mapped[str] = mapped_column(String(10))
    original_name: Mapped[str] = mapped_column(String(500))
    stored_name: Mapped[str] = mapped_column(String(600))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshop.id"))
    question: Mapped[int | None] = mapped_column(Integer)
    area: Mapped[str | None] = mapped_column(String(20))
    # Pseudonymised full text (transcripts): segment offsets point into it.
    text: Mapped[str | None] = mapped_column(Text)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Segment(Base):
    """A codable unit: a note, a transcript turn, or a sentence inside a turn."""

    __tablename__ = "segment"
    __table_args__ = (
        Index("ix_segment_source_position", "source_id", "position"),
        Index("ix_segment_kind_question_area", "kind", "question", "area"),
        Index("ix_segment_parent", "parent_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # note, turn, sentence
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    question: Mapped[int | None] = mapped_column(Integer)
    area: Mapped[str | None] = mapped_column(String(20))
    speaker: Mapped[str | None] = mapped_column(String(100))
    sheet: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(50))  # cell "B4" or speaker-line time
    start_char: Mapped[int | None] = mapped_column(Integer)
    end_char: Mapped[int | None] = mapped_column(Integer)
    start_time: Mapped[float | None] = mapped_column(Float)
    end_time: Mapped[float | None] = mapped_column(Float)
    duplicate_count: Mapped[int] = mapped_column(Integer, default=1)
    text: Mapped[str] = mapped_column(Text)
    # the participant group that wrote or said it, where the material tells (a column)
    participant_group: Mapped[str | None] = mapped_column(String(40))


class PseudonymKey(Base):
    """Real name -> pseudonym. Kept out of every text table and never exported."""

    __tablename__ = "pseudonym_key"
    __table_args__ = (UniqueConstraint("source_id", "real_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    real_name: Mapped[str] = mapped_column(String(200))
    pseudonym: Mapped[str] = mapped_column(String(100))


class Code(Base):
    """A node of the codebook tree (huvudtema -> subtema -> ...)."""

    __tablename__ = "code"
    __table_args__ = (UniqueConstraint("parent_id", "name"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("code.id"))
    name: Mapped[str] = mapped_column(String(300))
    definition: Mapped[str | None] = mapped_column(Text)
    inclusion: Mapped[str | None] = mapped_column(Text)
    exclusion: Mapped[str | None] = mapped_column(Text)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    examples: Mapped[list[str]] = mapped_column(JSON, default=list)
    origin: Mapped[str] = mapped_column(String(20), default="emergent")  # fardplan, emergent
    colour: Mapped[str | None] = mapped_column(String(9))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # added by a coder in an open blind round: hidden from the other coders until it closes
    created_by: Mapped[str | None] = mapped_column(String(100))
    blind_round_id: Mapped[int | None] = mapped_column(Integer)


class Coding(Base):
    """Segment x code x coder; suggestions are codings with status 'suggested'."""

    __tablename__ = "coding"
    __table_args__ = (
        UniqueConstraint("segment_id", "code_id", "coder"),
        Index("ix_coding_coder_status", "coder", "status"),
        Index("ix_coding_code", "code_id"),
        Index("ix_coding_segment_coder", "segment_id", "coder", "rank"),
        Index("ix_coding_queue", "coder", "rank", "priority", "segment_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"))
    code_id: Mapped[int] = mapped_column(ForeignKey("code.id", ondelete="CASCADE"))
    coder: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))  # suggested, accepted, rejected
    score: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    memo: Mapped[str | None] = mapped_column(Text)
    is_quote: Mapped[bool] = mapped_column(Boolean, default=False)
    # Suggestions only: rank among the segment's suggestions (1 = best), and on rank 1 the
    # review priority (higher = a decision teaches the model more); columns so that the
    # review queue is an indexed, paginated query.
    rank: Mapped[int | None] = mapped_column(Integer)
    priority: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # The exact character spans this coding of the unit comes from, [[start, end, memo,
    # quote], ...], in the coordinates of the source's exported text (a REFI-QDA selection
    # that covers part of a sentence, or several, with its own memo and quote mark): each
    # span is written back once by the export, and counts for every unit it overlaps.
    # None: the whole unit.
    spans: Mapped[list[list] | None] = mapped_column(JSON)


class Round(Base):
    """A round of double coding: which coders code which sample, blind or not."""

    __tablename__ = "assignment_round"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    blind: Mapped[bool] = mapped_column(Boolean)
    share: Mapped[float] = mapped_column(Float)     # of the codable units, 1.0 = all
    seed: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Assignment(Base):
    """One unit for one coder in a round; `done_at` once the coder has decided it (a unit
    left without codes on purpose is a decision too: "no code applies")."""

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("round_id", "segment_id", "coder"),
                      Index("ix_assignment_coder", "coder", "round_id", "segment_id"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("assignment_round.id", ondelete="CASCADE"))
    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"))
    coder: Mapped[str] = mapped_column(String(100))
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class QuoteText(Base):
    """How a unit is printed as a quote in the report: shortened with "[...]" and with
    bracketed clarifications, checked against the unit's own text, which stays as it is."""

    __tablename__ = "quote_text"

    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"),
                                            primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    edited_by: Mapped[str | None] = mapped_column(String(100))
    edited_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class NoteMerge(Base):
    """An author's decision on two notes in bilaga 2: print them as one row (`merged`)
    or keep them apart, whatever their wording says. Kept as pairs, so an undone note
    leaves the others' decisions as they were; a row is a connected group of pairs."""

    __tablename__ = "note_merge"
    # a deleted unit's decisions go by cascade: found by either end
    __table_args__ = (Index("ix_note_merge_segment_b", "segment_b"),)

    segment_a: Mapped[int] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"),
                                           primary_key=True)
    segment_b: Mapped[int] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"),
                                           primary_key=True)
    merged: Mapped[bool] = mapped_column(Boolean)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Memo(Base):
    """A note that is not a coding's memo: a journal entry or project note, or an
    annotation on a unit of a source. Other tools keep these; an import keeps them too and
    an export writes them back, so a project moved between tools loses none."""

    __tablename__ = "memo"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))   # journal, annotation
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("segment.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300), default="")
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # a memo on a whole workshop (kind "workshop"); a source's memo has kind "source"
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"))


class NotRelevant(Base):
    """A coder's decision that a unit needs no code at all ("inte relevant": a moderator's
    question, a heading). Outside rounds; removed again by un-skipping or coding it."""

    __tablename__ = "not_relevant"
    __table_args__ = (UniqueConstraint("segment_id", "coder"),
                      Index("ix_not_relevant_coder", "coder", "segment_id"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"))
    coder: Mapped[str] = mapped_column(String(100))
    memo: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AuditEvent(Base):
    """Append-only history: who did what to which row, when and why. Database triggers
    (migration 0003) refuse UPDATE and DELETE on it."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity", "id"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    memo: Mapped[str | None] = mapped_column(Text)
    # how it came: app, cli, import or library; at the command line, the person at the
    # terminal (the operating-system user), whoever `actor` says they act for
    channel: Mapped[str | None] = mapped_column(String(10))
    os_user: Mapped[str | None] = mapped_column(String(100))


class User(Base):
    """A person with an account in this project. Disabled, never deleted: the audit log
    names people by login, and must keep meaning who they were."""

    __tablename__ = "app_user"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(100), unique=True)     # lower case
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))          # lead, coder, reviewer, reader
    password_hash: Mapped[str | None] = mapped_column(String(200))   # argon2id
    # A one-time invitation code (argon2 hash) that the person turns into a password.
    invitation_hash: Mapped[str | None] = mapped_column(String(200))
    invitation_expires: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # The identity provider's user (e-mail or subject) for single sign-on.
    sso_subject: Mapped[str | None] = mapped_column(String(300), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class LoginAttempt(Base):
    """Every password login tried, for slowing down guessing per login."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_login_at", "login", "at"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    client: Mapped[str | None] = mapped_column(String(64))   # the browser's address


class UserSession(Base):
    """A logged-in browser: the token itself is never stored, only its SHA-256."""

    __tablename__ = "user_session"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


# ---- Delphi rounds (delphi/) -----------------------------------------------------------

class DelphiStudy(Base):
    """A Delphi panel's study: its consensus rule and whether feasibility is asked too."""

    __tablename__ = "delphi_study"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    ask_feasibility: Mapped[bool] = mapped_column(Boolean, default=False)
    consensus_share: Mapped[float] = mapped_column(Float, default=0.75)
    include_median: Mapped[float] = mapped_column(Float, default=7.0)
    exclude_median: Mapped[float] = mapped_column(Float, default=3.0)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # "rand-ucla" or "share" (delphi.statistics); studies made before 0012 keep "share"
    rule: Mapped[str] = mapped_column(String(20), default="rand-ucla", server_default="share")
    min_ratings: Mapped[int | None] = mapped_column(Integer)    # None: quorum_share of panel
    quorum_share: Mapped[float] = mapped_column(Float, default=0.5, server_default="0.5")
    disagreement: Mapped[str] = mapped_column(String(10), default="ipras",
                                              server_default="ipras")   # or "count"


class DelphiItem(Base):
    """A candidate indicator. Never deleted: removed or merged items keep their answers;
    its wording lives in versions, so an answer keeps the wording it rated."""

    __tablename__ = "delphi_item"
    __table_args__ = (Index("ix_delphi_item_study", "study_id", "position"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("delphi_study.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    question: Mapped[int | None] = mapped_column(Integer)
    theme: Mapped[str] = mapped_column(String(300), default="")       # Huvudtema
    subtheme: Mapped[str] = mapped_column(String(300), default="")    # Subtema
    origin: Mapped[str] = mapped_column(String(20))                  # bilaga2, hand
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("delphi_item.id"))


class DelphiItemVersion(Base):
    __tablename__ = "delphi_item_version"
    __table_args__ = (UniqueConstraint("item_id", "version"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("delphi_item.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    wording: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class DelphiItemNote(Base):
    """The coded notes an item stands for (its areas come from them)."""

    __tablename__ = "delphi_item_note"

    item_id: Mapped[int] = mapped_column(ForeignKey("delphi_item.id", ondelete="CASCADE"),
                                         primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"),
                                            primary_key=True)


class DelphiPanelist(Base):
    """A panel member: known to answers and exports only by pseudonym; the invitation
    code is kept as its hash."""

    __tablename__ = "delphi_panelist"
    __table_args__ = (UniqueConstraint("study_id", "pseudonym"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("delphi_study.id", ondelete="CASCADE"))
    pseudonym: Mapped[str] = mapped_column(String(20))
    panel_group: Mapped[str] = mapped_column(String(40))
    area: Mapped[str | None] = mapped_column(String(20))
    contact: Mapped[str | None] = mapped_column(String(200))   # for the lead only
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class DelphiRound(Base):
    __tablename__ = "delphi_round"
    __table_args__ = (UniqueConstraint("study_id", "number"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("delphi_study.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))      # open, closed
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # response rates per group as they stood at close (JSON); a closed round never changes
    response: Mapped[str | None] = mapped_column(Text)


class DelphiRoundItem(Base):
    """An item in a round, in the wording the round asks about."""

    __tablename__ = "delphi_round_item"

    round_id: Mapped[int] = mapped_column(ForeignKey("delphi_round.id", ondelete="CASCADE"),
                                          primary_key=True)
    item_version_id: Mapped[int] = mapped_column(ForeignKey("delphi_item_version.id"),
                                                 primary_key=True)


class DelphiAnswer(Base):
    __tablename__ = "delphi_answer"
    __table_args__ = (UniqueConstraint("round_id", "item_version_id", "panelist_id"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("delphi_round.id", ondelete="CASCADE"))
    item_version_id: Mapped[int] = mapped_column(ForeignKey("delphi_item_version.id"))
    panelist_id: Mapped[int] = mapped_column(ForeignKey("delphi_panelist.id",
                                                        ondelete="CASCADE"))
    relevance: Mapped[int | None] = mapped_column(Integer)
    feasibility: Mapped[int | None] = mapped_column(Integer)
    cannot_judge: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class TextVector(Base):
    """A text's meaning vector (the optional embedding signal), kept by the sha256 of the
    text so that an unchanged segment, code description or example is embedded once."""

    __tablename__ = "text_vector"

    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(60), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)   # float16, see coding/suggest/embed
