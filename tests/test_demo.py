"""The demo project must show what the toolkit is for: every format, every area, real size."""

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from coding.demo import build_coded_demo
from corpus.demo import build_demo, demo_notes
from corpus.errors import QdaError
from corpus.models import PseudonymKey, Segment, Source
from corpus.readers import read_file
from corpus.workshops import workshops_frame
from qda import app

pytestmark = pytest.mark.slow     # the module builds the coded demo: minutes on a busy machine


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    project = build_coded_demo(tmp_path_factory.mktemp("d") / "demo")
    yield project
    project.close()


def test_workshops_cover_all_areas_and_both_formats(demo):
    frame = workshops_frame(demo)
    assert len(frame) >= 6
    assert set(frame["area"]) == {"Borås", "Fyrbodal", "GR", "Skaraborg", "VGR"}
    assert set(frame["format"]) == {"Digital", "Fysisk"}


def test_workbook_has_three_question_sheets_and_150_notes_in_messy_shapes(demo):
    book = demo.root / "material" / "postits_workshops_2025.xlsx"
    result = read_file(book)
    sheets = {s.name: s for s in result.sheets}
    layouts = {s.layout for s in result.sheets if s.layout != "skipped"}
    assert layouts == {"wide", "long"}
    assert sorted(s.question for s in sheets.values() if s.question) == [1, 2, 3]
    assert len(result.notes) >= 150
    assert sum(n.duplicate_count > 1 for n in result.notes) >= 8
    expected = sum(len(v["notes"]) for v in demo_notes().values())
    assert len(result.notes) == expected  # every written note is read back


def test_sources_of_every_kind_and_format(demo):
    with demo.session() as s:
        sources = s.execute(select(Source.kind, Source.file_format)).all()
    assert {k for k, _ in sources} == {"postits", "padlet", "transcript"}
    assert {f for k, f in sources if k == "transcript"} >= {"txt", "docx", "vtt"}
    assert sum(k == "transcript" for k, _ in sources) >= 4


def test_transcripts_are_long_enough(demo):
    with demo.session() as s:
        for source in s.scalars(select(Source).where(Source.kind == "transcript")):
            words = len(source.text.split())
            assert words >= 2000, (source.original_name, words)


def test_no_speaker_name_reaches_a_segment(demo):
    with demo.session() as s:
        names = [n for (n,) in s.execute(select(PseudonymKey.real_name))]
        texts = "\n".join(s.scalars(select(Segment.text)))
        speakers = set(s.scalars(select(Segment.speaker)))
    real_names = [n for n in names if " " in n and not n.startswith(("Talare", "Deltagare"))]
    assert len(real_names) >= 10
    for name in real_names:
        assert name not in texts
        assert name.split()[0] not in texts.split()
    assert all(sp is None or sp.startswith("Deltagare ") for sp in speakers)
    assert "[e-post]" in texts and "[telefonnummer]" in texts


def test_demo_refuses_to_overwrite_without_force(demo):
    with pytest.raises(QdaError, match="use --force"):
        build_demo(demo.root)


def test_status_shows_counts_per_question_and_area(demo):
    out = CliRunner().invoke(app, ["status", "-p", str(demo.root), "--json"])
    data = json.loads(out.output)
    notes = [r for r in data["segments"] if r["kind"] == "note"]
    assert [r["question"] for r in notes] == [1, 2, 3]
    assert all(r[a] > 0 for r in notes for a in ("Borås", "Fyrbodal", "GR", "Skaraborg", "VGR"))


def test_demo_has_a_codebook_and_suggestions_for_every_segment(demo):
    from sqlalchemy import func, select

    from corpus.demo import MATERIAL
    from corpus.models import Code, Coding, Segment, Source

    with demo.session() as s:
        origins = dict(s.execute(select(Code.origin, func.count()).group_by(Code.origin)).all())
        # the bundled codebook plus the demo study's own emergent themes
        assert sum(origins.values()) > 66 and origins.get("emergent", 0) > 0
        agreed = set(s.scalars(select(Coding.segment_id).where(
            Coding.coder == "konsensus", Coding.status == "accepted")))
        notes = set(s.scalars(select(Segment.id).where(Segment.kind == "note",
                                                       Segment.source_id == 1)))
        assert notes <= agreed and len(notes) == 155
        # the discussions and the Padlet board are coded too, so a new user sees them in
        # the themes, the quotes and bilaga 2
        kinds = dict(s.execute(select(Source.kind, func.count(func.distinct(Segment.id)))
                               .join(Segment, Segment.source_id == Source.id)
                               .where(Segment.id.in_(agreed)).group_by(Source.kind)).all())
        plan = (MATERIAL / "konsensus_samtal.tsv").read_text("utf-8").splitlines()[1:]
        assert kinds["postits"] == 155 and kinds["transcript"] >= 40 and kinds["padlet"] == 14
        # each phrase codes the sentences it runs over (one, or a few), never their turn
        assert len(plan) - 14 <= kinds["transcript"] <= 2 * (len(plan) - 14)
        coded_kinds = set(s.scalars(select(Segment.kind).where(Segment.id.in_(agreed))))
        assert coded_kinds == {"note", "sentence"}
        quoted = set(s.scalars(select(Segment.kind).join(Coding).where(
            Coding.coder == "konsensus", Coding.is_quote.is_(True))))
        assert quoted == {"note", "sentence"}
        suggested = set(s.scalars(select(Coding.segment_id).where(
            Coding.coder == "förslag", Coding.status == "suggested")))
        assert suggested == set(s.scalars(select(Segment.id)))


def test_demo_exports_bilaga2_for_every_question(demo, tmp_path):
    from openpyxl import load_workbook

    from corpus.demo import MATERIAL
    from reports.run import export

    report = export(demo, "bilaga2", out=tmp_path / "b2.xlsx")
    # the final layer, all of it from the demo study's konsensus layer
    # (the Padlet's 14 notes beside the 155 post-its; the transcripts' turns have no
    # question, so they are in the themes and quotes, not in bilaga 2)
    from sqlalchemy import func, select

    from corpus.models import Coding

    with demo.session() as s:
        agreed = s.scalar(select(func.count(func.distinct(Coding.segment_id))).where(
            Coding.coder == "konsensus", Coding.status == "accepted"))
    plan = (MATERIAL / "konsensus_samtal.tsv").read_text("utf-8").splitlines()[1:]
    assert agreed >= 155 + len(plan)
    assert report.given == {"konsensus": agreed}     # every coded unit drawn on
    assert set(report.details) == {"fråga 1", "fråga 2", "fråga 3"}
    book = load_workbook(report.path)
    assert book.sheetnames == ["Fråga 1", "Fråga 2", "Fråga 3"]
    notes = sum(len(str(c.value).split("; ")) for ws in book for c in ws["C"][2:] if c.value)
    assert notes == 155 + 14


def test_the_demo_delphi_study_has_two_closed_rounds_and_exports(demo, tmp_path):
    """`qda demo` adds a small Delphi study (delphi.demo) to the coded demo project."""
    import shutil

    from corpus.project import open_project
    from delphi import demo as delphi_demo
    from delphi import items, rounds, tables
    from reports.run import export

    copy = open_project(shutil.copytree(demo.root, tmp_path / "copy"))
    try:
        delphi_demo.add_demo_study(copy)
        with copy.session() as s:
            study = items.study(s, delphi_demo.NAME)
            listed = items.list_items(s, study.id)
            assert 5 <= len(listed) <= 25 and all(i.question == 3 for i in listed)
            assert len({i.theme for i in listed}) == 2
            done = rounds.rounds(s, study.id)
            assert [(r.number, r.status) for r in done] == [(1, "closed"), (2, "closed")]
            rates = rounds.response_rates(s, done[1].id)
            assert sum(r.invited for r in rates) == 8 and sum(r.completed for r in rates) == 7
            paragraph = tables.method(s, study.id).paragraph
            second = tables.round_frame(s, done[1].id)
            first = tables.round_frame(s, done[0].id)
        assert "Stabil" not in first.columns                  # nothing to compare with
        moved = second["Förändring sedan förra rundan"].dropna()
        assert len(moved) == len(second) and moved.between(0, 1).all()
        assert set(second["Stabil"]) <= {"ja", "nej"}
        assert "i 2 rundor" in paragraph and "Panelen bestod av 8 personer" in paragraph
        report = export(copy, "delphi-results", "md", out=tmp_path / "r.md")
        assert set(report.details) == {"Runda 1", "Runda 2"}
        # --json on the demo's study: every figure a plain JSON value
        shown = CliRunner().invoke(app, ["delphi", "results", delphi_demo.NAME, "--json",
                                         "-p", str(copy.root)])
        assert shown.exit_code == 0, shown.output
        out = json.loads(shown.output)
        assert out["round"] == 2 and out["rule"] == "rand-ucla"
        assert all(isinstance(i["disagreement"], bool) for i in out["items"])
    finally:
        copy.close()
