"""The values the store keeps as text, named once: a coding's status and the audit log's
actions. English in the database and the code; the app shows Swedish labels (app/ui.py).

StrEnums compare equal to their text, so rows written before these names existed read
the same; a misspelt action fails where it is written instead of in a report.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, SQLColumnExpression


class Status(StrEnum):
    """A coding's status: a suggestion, or a coder's decision."""

    SUGGESTED = "suggested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


DECISIONS = (Status.ACCEPTED, Status.REJECTED)

# The tool's own coding layers (people.identity holds the rules about them): suggestions
# under `förslag` or `förslag:NAME`, the consensus meeting's decisions under `konsensus`.
SUGGESTER = "förslag"
CONSENSUS = "konsensus"
# The report's layer, composed when read (coding.final): the consensus where it decided,
# the coders' agreed coding, else the one coder's. Never stored; reserved as a name.
FINAL = "slutlig"


def human(column: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """SQL: the coder column names a person or the consensus, not a suggestion layer."""
    return ~column.startswith(SUGGESTER)


def person(column: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """SQL: the coder column names a person (neither suggestions nor the consensus)."""
    return human(column) & (column != CONSENSUS)


class Action(StrEnum):
    """What an audit event records (corpus.audit.record)."""

    SOURCE_INGEST = "ingest"
    SOURCE_REPLACE = "replace"
    WORKSHOP_CREATE = "create"
    WORKSHOP_UPDATE = "update"
    STUDY_ADD = "study.add"
    STUDY_RENAME = "study.rename"
    STUDY_UPDATE = "study.update"
    STUDY_ORDER = "study.order"
    STUDY_MERGE = "study.merge"
    STUDY_DELETE = "study.delete"
    STUDY_SETTINGS = "study.settings"
    CODE_ADD = "code.add"
    CODE_UPDATE = "code.update"
    CODE_RENAME = "code.rename"
    CODE_MOVE = "code.move"
    CODE_MERGE = "code.merge"
    CODE_DELETE = "code.delete"
    CODING_ACCEPT = "coding.accept"
    CODING_REJECT = "coding.reject"
    CODING_REMOVE = "coding.remove"
    CODINGS_IMPORT = "codings.import"
    UNIT_NOT_RELEVANT = "unit.not_relevant"
    UNIT_RELEVANT = "unit.relevant"
    MEMO_ADD = "memo.add"
    MEMO_EDIT = "memo.edit"
    SUGGEST_RUN = "suggest.run"
    ROUND_CREATE = "round.create"
    ROUND_CLOSE = "round.close"
    CONSENSUS_ADOPT = "consensus.adopt"
    CONSENSUS_RESOLVE = "consensus.resolve"
    QUOTE_EDIT = "quote.edit"              # a quote shortened or clarified for the report
    QUOTE_RESET = "quote.reset"
    MERGE_ACCEPT = "merge.accept"          # bilaga 2: notes printed as one row
    MERGE_REFUSE = "merge.refuse"          # bilaga 2: notes kept apart
    MERGE_FORGET = "merge.forget"          # bilaga 2: a decision undone
    PSEUDONYM_MASK = "pseudonym.mask"
    PSEUDONYM_KEEP = "pseudonym.keep"
    IMPORT_QDPX = "import.qdpx"
    USER_ADD = "user.add"
    USER_ROLE = "user.role"
    USER_DISABLE = "user.disable"
    USER_ENABLE = "user.enable"
    USER_RESET_PASSWORD = "user.reset_password"
    USER_SSO = "user.sso"
    USER_PASSWORD = "user.password"        # a user changed their own password
    AUTH_LOGIN = "auth.login"
    AUTH_LOGIN_FAILED = "auth.login_failed"
    AUTH_INVITATION = "auth.invitation"
    AUTH_SSO_REFUSED = "auth.sso_refused"
    AUTH_LOGOUT = "auth.logout"
    DELPHI_STUDY_CREATE = "delphi.study"
    DELPHI_ITEM_ADD = "delphi.item.add"
    DELPHI_ITEM_EDIT = "delphi.item.edit"
    DELPHI_ITEM_MERGE = "delphi.item.merge"
    DELPHI_ITEM_REMOVE = "delphi.item.remove"
    DELPHI_PANELIST_ADD = "delphi.panelist.add"
    DELPHI_PANELIST_REVOKE = "delphi.panelist.revoke"
    DELPHI_ROUND_OPEN = "delphi.round.open"
    DELPHI_ROUND_CLOSE = "delphi.round.close"
    DELPHI_ANSWER = "delphi.answer"
