"""Roles and permissions, declared once: what each role may do.

Kept free of the store and of password hashing so that export declarations and the
command line can name a permission without loading either.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    LEAD = "lead"
    CODER = "coder"
    REVIEWER = "reviewer"
    READER = "reader"


ROLE_LABELS = {Role.LEAD: "projektledare", Role.CODER: "kodare", Role.REVIEWER: "granskare",
               Role.READER: "läsare"}


class Can(StrEnum):
    """What an actor may do; checked in the library, not only by hiding widgets."""

    CODE = "code"                        # decide, memo, quote, "no code applies"
    ADD_CODE = "add_code"                # a new emergent code while coding
    READ_SEGMENTS = "read_segments"      # the queue, segments, transcripts
    READ_THEMES = "read_themes"          # theme tables, quotes, report exports
    READ_CODINGS = "read_codings"        # every coder's codings (qdpx, codings export)
    READ_AGREEMENT = "read_agreement"    # agreement, disagreements, consensus decisions
    READ_AUDIT = "read_audit"            # the audit log and the method appendix
    EDIT_CODEBOOK = "edit_codebook"      # rename, move, merge, delete, import, edit
    MANAGE_ROUNDS = "manage_rounds"
    DECIDE_CONSENSUS = "decide_consensus"
    INGEST = "ingest"                    # upload material, register workshops
    MANAGE_USERS = "manage_users"
    MANAGE_DELPHI = "manage_delphi"      # Delphi studies: items, panel, rounds


GRANTS: dict[Role, frozenset[Can]] = {
    Role.LEAD: frozenset(Can),
    Role.CODER: frozenset({Can.CODE, Can.ADD_CODE, Can.READ_SEGMENTS, Can.READ_THEMES,
                           Can.READ_CODINGS, Can.READ_AGREEMENT}),
    Role.REVIEWER: frozenset({Can.READ_SEGMENTS, Can.READ_THEMES, Can.READ_CODINGS,
                              Can.READ_AGREEMENT, Can.READ_AUDIT}),
    Role.READER: frozenset({Can.READ_THEMES}),
}
