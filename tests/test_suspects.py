"""Words that may be names are listed at ingest; masking rewrites the source (offsets of a
transcript included) in one audited transaction; keeping leaves it."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from coding import suspects
from corpus.errors import QdaError
from corpus.ingest import ingest_file
from corpus.models import AuditEvent, Segment, Source
from corpus.readers import ReadOptions
from people.accounts import Actor, Role
from qda import app

from .conftest import acting

TRANSCRIPT = ("Per Lund  00:00:05\nVälkomna hit. Per brukar säga att SIP hjälper.\n"
              "Talare 2  00:00:30\nJa, Per har rätt. Ring Lena Berg på 070-123 45 67.\n"
              "Talare 3  00:01:00\nPer månad blir det tre besök, enligt Lunds universitet.\n")


@pytest.fixture
def talk(project, tmp_path):
    (tmp_path / "samtal.txt").write_text(TRANSCRIPT, encoding="utf-8")
    report = ingest_file(project, tmp_path / "samtal.txt", ReadOptions(area="GR"))
    return project, report


def texts(project, kind="sentence"):
    with project.session() as s:
        return [t for (t,) in s.execute(select(Segment.text).where(Segment.kind == kind)
                                        .order_by(Segment.position))]


def test_ingest_lists_suspects_and_masks_what_is_certain(talk):
    project, report = talk
    # "Per" begins two sentences; "Lund" (a speaker's surname, and a town) in "Lunds"
    assert set(report.suspects) == {"Per", "Lund"} and report.suspects["Per"][0] == 2
    joined = " ".join(texts(project))
    assert "Lena Berg" not in joined and "[namn]" in joined and "[telefonnummer]" in joined
    assert "Per månad" in joined and "Lunds universitet" in joined
    with project.session() as s:
        listed = suspects.suspects(s)
    assert [(x.word, x.count) for x in listed] == [("Lund", 1), ("Per", 2)]


def test_masking_rewrites_the_transcript_and_keeps_every_offset_exact(talk):
    project, report = talk
    with project.transaction() as s:
        assert suspects.decide(s, report.source_id, "Per", True, acting("lead")) == 2
    with project.session() as s:
        source = s.get(Source, report.source_id)
        for seg in s.scalars(select(Segment).where(Segment.source_id == source.id)):
            assert source.text[seg.start_char:seg.end_char] == seg.text
        assert "Per brukar" not in source.text and "[namn] brukar" in source.text
        assert "[namn] månad" in source.text          # the lead's choice, everywhere
        assert [x.word for x in suspects.suspects(s)] == ["Lund"]
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "pseudonym.mask")
                          ).one()
        assert event.actor == "lead" and event.after["places"] == 2
        assert "Per" not in str(event.after)          # the exported log never names it


def test_keeping_leaves_the_text_and_an_unknown_suspect_is_refused(talk):
    project, report = talk
    before = texts(project)
    with project.transaction() as s:
        assert suspects.decide(s, report.source_id, "Per", False, acting("lead")) == 0
    assert texts(project) == before
    with project.transaction() as s, pytest.raises(QdaError, match="no suspect 'Per'"):
        suspects.decide(s, report.source_id, "Per", False, acting("lead"))
    with project.transaction() as s, pytest.raises(QdaError, match="does not occur") as err:
        suspects.decide(s, report.source_id, "Tindra", True, acting("lead"))
    assert err.value.code == "E171" and texts(project) == before


def test_a_name_ingest_missed_can_be_masked_afterwards(talk):
    """A name no list knows and no context gave away ("Talare 2" says "Kjelle Mäkitalo"
    without a pointer) is masked by the lead like a suspect: the whole source, offsets
    exact, audited without the name; a kept suspect can still be masked later."""
    project, report = talk
    with project.transaction() as s:
        seg = s.scalars(select(Segment).where(Segment.source_id == report.source_id,
                                              Segment.kind == "turn")).all()[1]
        source = s.get(Source, report.source_id)
        at = seg.start_char + seg.text.index("Ja")
        source.text = source.text[:at] + "Kjelle Mäkitalo " + source.text[at:]
        for other in s.scalars(select(Segment).where(Segment.source_id == source.id)):
            if other.start_char is not None and other.start_char > at:
                other.start_char += 16
            if other.end_char is not None and other.end_char > at:
                other.end_char += 16
            other.text = source.text[other.start_char:other.end_char]
    with project.transaction() as s:
        assert suspects.decide(s, report.source_id, "Kjelle", True, acting("lead")) == 1
        # the full name, part of it masked already: the rest of it, word by word
        assert suspects.decide(s, report.source_id, " Kjelle  Mäkitalo", True,
                               acting("lead")) == 1
        assert suspects.decide(s, report.source_id, "Per", False, acting("lead")) == 0
        assert suspects.decide(s, report.source_id, "Per", True, acting("lead")) == 2
    with project.session() as s:
        source = s.get(Source, report.source_id)
        assert "Mäkitalo" not in source.text \
            and "[namn] [namn] Ja, [Deltagare 1] har rätt" in source.text
        for seg in s.scalars(select(Segment).where(Segment.source_id == source.id)):
            assert source.text[seg.start_char:seg.end_char] == seg.text
        logged = s.scalars(select(AuditEvent).where(AuditEvent.action == "pseudonym.mask")
                           ).all()
        assert len(logged) == 3 and "Kjelle" not in str([e.after for e in logged])


def test_only_the_lead_decides(talk):
    project, report = talk
    with project.transaction() as s:
        from people.accounts import AccessError
        with pytest.raises(AccessError):
            suspects.decide(s, report.source_id, "Per", True, Actor("kim", Role.CODER))


def test_cli_lists_and_masks(talk):
    project, report = talk
    runner = CliRunner()
    listed = runner.invoke(app, ["suspects", "-p", str(project.root)])
    assert listed.exit_code == 0 and "Per" in listed.output and "2 suspect(s)" in listed.output
    done = runner.invoke(app, ["suspects", "mask", str(report.source_id), "Per", "-p",
                               str(project.root)])
    assert done.exit_code == 0 and "masked in 2 place(s)" in done.output
    again = runner.invoke(app, ["suspects", "keep", str(report.source_id), "Per", "-p",
                                str(project.root)])
    assert again.exit_code == 1 and "no suspect" in again.output
