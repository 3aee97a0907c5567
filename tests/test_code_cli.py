"""`qda code next|accept|reject|remove`: coding from the command line, errors as one line."""

import re

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from corpus.models import AuditEvent, Coding
from corpus.project import open_project
from qda import app

pytestmark = pytest.mark.slow     # each test builds a project and trains the suggestions


def qda(*args, **env):
    return CliRunner().invoke(app, [str(a) for a in args], env=env or None)


def make(tmp_path):
    proj = tmp_path / "p"
    assert qda("init", proj).exit_code == 0
    (tmp_path / "n.csv").write_text("Område,Inlägg\nGR,Antal SIP per 1000 invånare\n"
                                    "Borås,Fikat var gott\nVGR,Väntetid till vårdcentralen\n",
                                    encoding="utf-8")
    assert qda("ingest", tmp_path / "n.csv", "--question", 1, "-p", proj).exit_code == 0
    assert qda("codebook", "import", "forstudie-postits", "-p", proj).exit_code == 0
    assert qda("suggest", "-p", proj).exit_code == 0
    return proj


def decisions(proj):
    project = open_project(proj)
    try:
        with project.session() as s:
            rows = s.execute(select(Coding.segment_id, Coding.code_id, Coding.status,
                                    Coding.memo, Coding.is_quote).where(
                Coding.coder == "anna")).all()
            actions = list(s.scalars(select(AuditEvent.action).where(
                AuditEvent.action.startswith("coding."))))
        return {tuple(r) for r in rows}, actions
    finally:
        project.close()


def test_next_shows_the_queue_with_numbered_explained_suggestions(tmp_path):
    proj = make(tmp_path)
    out = qda("code", "next", "--coder", "anna", "--order", "document", "-p", proj)
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert lines[0].startswith("segment 1 (note · GR · question 1)")
    assert "Antal SIP per 1000 invånare" in lines[1]
    assert any(line.strip().startswith("1. ") and "SIP" in line and "keywords: sip" in line
               for line in lines)
    assert "fits no existing code?" in out.output   # "Fikat var gott"
    # the reasons in English, as the rest of the command line: none left in Swedish
    assert not re.search(r"nyckelord|liknar|ordval|svag likhet|via subtema|\(kod ", out.output)


def test_a_flag_beside_a_fitting_main_theme_says_no_sub_theme_fits():
    """The flag weighs sub-themes: beside a main theme scoring 0.93 it said "fits no
    existing code?", which read as a contradiction; it names the theme instead."""
    from coding.suggest.engine import STRONG, flagged_under

    assert flagged_under([("Tidig upptäckt > Screening", 0.12), ("Gemenskap", 0.4),
                          ("Tidig upptäckt", 0.93)]) == "Tidig upptäckt"
    # a main theme on weak evidence ("Fikat var gott": 0.44 by wording) is no fit
    assert flagged_under([("Tidig upptäckt > Screening", 0.12),
                          ("Gemenskap", STRONG - 0.01)]) is None
    assert flagged_under([]) is None


def test_every_form_of_reason_has_its_english():
    """Each form the engine writes, read back in English; an unknown one as it is."""
    from coding.suggest.engine import reason_in_english

    said = {"nyckelord: sip, samverkan": "keywords: sip, samverkan",
            "liknar betydelsen av \u201dVäntetider till vårdcentralen\u201d":
                "close in meaning to \u201dVäntetider till vårdcentralen\u201d",
            "liknar 3 kodade inlägg": "like 3 coded units",
            "ordval som i kodens beskrivning och exempel":
                "wording as in the code's description and examples",
            "ordval som i kodade inlägg": "wording as in coded units",
            "ordval som i kodens namn": "wording as in the code's name",
            "via subtema: Primärvården": "via sub-theme: Primärvården",
            "svag likhet": "weak similarity",
            "något nytt": "något nytt"}
    assert {k: reason_in_english(k) for k in said} == said


def test_accept_reject_remove_are_recorded_and_audited(tmp_path):
    proj = make(tmp_path)
    ok = qda("code", "accept", 1, "Samverkan > SIP", "--coder", "anna", "--memo", "tydlig",
             "--quote", "-p", proj)
    assert ok.exit_code == 0 and "anna accepted 'Samverkan > SIP' for segment 1" in ok.output
    assert qda("code", "reject", 2, "Samverkan", "-p", proj, QDA_CODER="anna").exit_code == 0
    rows, actions = decisions(proj)
    statuses = {(seg, status, memo, quote) for seg, _, status, memo, quote in rows}
    assert statuses == {(1, "accepted", "tydlig", True), (2, "rejected", None, False)}
    assert actions == ["coding.accept", "coding.reject"]
    done = qda("code", "next", "--coder", "anna", "--order", "document", "-p", proj)
    assert done.output.startswith("segment 3 ")
    assert qda("code", "remove", 2, "Samverkan", "--coder", "anna", "-p", proj).exit_code == 0
    rows, actions = decisions(proj)
    assert {r[0] for r in rows} == {1} and actions[-1] == "coding.remove"


def test_bad_input_is_one_line_and_exit_1(tmp_path):
    proj = make(tmp_path)
    cases = [(("code", "accept", 1, "Finns inte", "--coder", "anna"), "no code 'Finns inte'"),
             (("code", "accept", 99, "Samverkan", "--coder", "anna"), "no segment 99"),
             (("code", "accept", 1, "Samverkan", "--coder", "förslag"), "reserved"),
             (("code", "next", "--coder", "anna", "--order", "random"), "order must be"),
             (("code", "remove", 1, "Samverkan", "--coder", "anna"), "has no decision")]
    for args, message in cases:
        out = qda(*args, "-p", proj)
        assert out.exit_code == 1, (args, out.output)
        assert message in out.output and "Traceback" not in out.output
        assert len(out.output.strip().splitlines()) == 1
    assert decisions(proj) == (set(), [])


def test_many_decisions_from_a_file_each_its_own_transaction(tmp_path):
    proj = make(tmp_path)
    batch = tmp_path / "beslut.tsv"
    batch.write_text("segment\tcode\tmemo\n"
                     "1\tSamverkan > SIP\ttydlig\n"
                     "# a comment, then a blank line\n\n"
                     "2\tingen sådan kod\n"
                     "3\tSamverkan\n", encoding="utf-8")
    out = qda("code", "accept", "--from", batch, "--coder", "anna", "-p", proj)
    assert out.exit_code == 1                       # one line failed …
    said = " ".join(out.output.split())
    assert "beslut.tsv, line 5:" in said and "ingen sådan kod" in said   # the file named
    assert "anna: 2 accepted, 1 failed (3 lines)" in out.output
    rows, actions = decisions(proj)                 # … and the other two stand
    assert {(seg, status, memo) for seg, _, status, memo, _ in rows} == {
        (1, "accepted", "tydlig"), (3, "accepted", None)}
    assert actions.count("coding.accept") == 2


def test_many_decisions_from_stdin_and_refusals(tmp_path):
    proj = make(tmp_path)
    out = CliRunner().invoke(app, ["code", "reject", "--from", "-", "--coder", "anna", "-p",
                                   str(proj)], input="1\tSamverkan\n2\tSamverkan\n")
    assert out.exit_code == 0, out.output
    assert "anna: 2 rejected, 0 failed" in out.output
    rows, _ = decisions(proj)
    assert {(seg, status) for seg, _, status, _, _ in rows} == {(1, "rejected"),
                                                               (2, "rejected")}
    bad = tmp_path / "bad.tsv"
    bad.write_text("1 Samverkan\n", encoding="utf-8")   # spaces, not a tab
    out = qda("code", "accept", "--from", bad, "--coder", "anna", "-p", proj)
    assert out.exit_code == 1
    assert "bad.tsv: line 1: expected SEGMENT<TAB>CODE" in out.output
    both = qda("code", "accept", 1, "Samverkan", "--from", bad, "--coder", "anna", "-p", proj)
    assert both.exit_code == 1 and "not both" in both.output
    neither = qda("code", "accept", "--coder", "anna", "-p", proj)
    assert neither.exit_code == 1 and "give SEGMENT and CODE" in neither.output


def test_a_turn_with_sentences_is_not_a_unit_to_code_or_skip(tmp_path):
    """Coding or skipping a turn beside its sentences counted the same words twice in the
    theme table and left the sentences in the queue: it is refused, naming the sentences."""
    proj = tmp_path / "p"
    assert qda("init", proj).exit_code == 0
    (tmp_path / "samtal.txt").write_text(
        "Talare 1  00:00:05\nVägarna översvämmas. Bussen kommer inte fram.\n"
        "Talare 2  00:00:30\nJa.\n", encoding="utf-8")
    assert qda("ingest", tmp_path / "samtal.txt", "--area", "GR", "-p", proj).exit_code == 0
    assert qda("codebook", "import", "forstudie-postits", "-p", proj).exit_code == 0
    project = open_project(proj)
    with project.session() as s:
        from corpus.models import Segment
        turn = s.scalars(select(Segment).where(Segment.kind == "turn")
                         .order_by(Segment.position)).first()
        sentences = list(s.scalars(select(Segment.id).where(Segment.parent_id == turn.id)))
    project.close()
    assert len(sentences) == 2
    for args in (("accept", turn.id, "Samverkan > SIP"), ("skip", turn.id)):
        out = qda("code", *args, "--coder", "anna", "-p", proj)
        assert out.exit_code == 1 and len(out.output.strip().splitlines()) == 1
        assert f"segment {turn.id} is a turn: decide its sentences " \
               f"({sentences[0]}, {sentences[1]})" in out.output and "E336" in out.output
    assert decisions(proj) == (set(), [])
    ok = qda("code", "accept", sentences[0], "Samverkan > SIP", "--coder", "anna", "-p", proj)
    assert ok.exit_code == 0, ok.output


def test_suggest_on_a_new_project_says_what_is_missing(tmp_path):
    """A new project has neither codes nor material: one line each, no traceback."""
    proj = tmp_path / "p"
    assert qda("init", proj).exit_code == 0
    out = qda("suggest", "-p", proj)
    assert out.exit_code == 1 and isinstance(out.exception, SystemExit)   # no traceback
    assert len(out.output.strip().splitlines()) == 1 and "[E338]" in out.output
    assert qda("codebook", "import", "forstudie-postits", "-p", proj).exit_code == 0
    out = qda("suggest", "-p", proj)
    assert out.exit_code == 1 and len(out.output.strip().splitlines()) == 1
    assert "no material to suggest codes for" in out.output and "[E337]" in out.output
