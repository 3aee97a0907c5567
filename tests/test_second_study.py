"""A second study, made from nothing: its own areas (Swedish letters, one area written three
ways across sheets), a participant group the first study lacks, a workbook and a
transcript; every export reads the project's dimensions, on both stores. And a project made
before the study's dimensions lived in the store keeps its values and exports."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from lxml import etree
from openpyxl import load_workbook
from sqlalchemy import distinct, func, select

from coding.codebook import parse_codebook
from coding.codes import import_doc
from coding.exchange import import_codings
from coding.exporting import ExportOptions
from corpus import study
from corpus.errors import InputError
from corpus.ingest import ingest_file
from corpus.models import Coding, DelphiPanelist, Segment, Source
from corpus.project import init_project
from corpus.readers import ReadOptions
from corpus.tabular import write_table
from corpus.workshops import add_workshop
from delphi import items as delphi_items
from delphi import panel
from delphi import tables as delphi_tables
from reports.run import export
from tests.conftest import pg_database, row_counts, write_xlsx
from themes import tables
from themes.layers import resolve_layer

from .conftest import acting

BOOK = parse_codebook("""
codes:
  - name: Kontinuitet
    children: [{name: Fast vårdkontakt}]
  - name: Samverkan
""")
PRESET = ("Borås", "Fyrbodal", "GR", "Skaraborg", "VGR")
TRANSCRIPT = ("Talare 1  00:00:05\nVi behöver en fast vårdkontakt för de äldre.\n\n"
              "Talare 2  00:00:40\nSamverkan med regionen fungerar inte alls.\n")


def workbook(folder: Path) -> Path:
    """Three question sheets; Lerum written 'Lerum', 'Lerums kommun' and 'lerum'."""
    return write_xlsx(folder / "lappar_lerum.xlsx", {
        "Fråga 1": [["Område", "Inlägg", "Grupp"],
                    ["Lerum", "Andel med fast vårdkontakt", "Brukarföreträdare"],
                    ["Alingsås", "Antal samverkansmöten", "Politiker"],
                    ["Öckerö", "Väntetid till fast läkare", "Brukarföreträdare"]],
        "Fråga 2": [["Lerums kommun", "Alingsås"],
                    ["Vi saknar data om kontinuitet", "Samverkan mäts inte"]],
        "Fråga 3": [["Område", "Inlägg"],
                    ["lerum", "Mät samverkan mellan huvudmännen"]],
    })


@pytest.fixture(params=["sqlite", "postgresql"])
def second(request, tmp_path: Path):
    """A plain `qda init` project (no profile) with the team's material, coded."""
    def build(url: str | None):
        proj = init_project(tmp_path / "proj", url)
        book = workbook(tmp_path)
        notes = ingest_file(proj, book, actor=acting("lena"))
        talk = tmp_path / "samtal_ockero.txt"
        talk.write_text(TRANSCRIPT, encoding="utf-8")
        said = ingest_file(proj, talk, ReadOptions(area="Öckerö", group="Vårdpersonal"),
                           actor=acting("lena"))
        add_workshop(proj, actor=acting("lena"), label="Lerum fysisk", area="Lerum kommun",
                     format="fysisk", counts={"Politiker": 3, "Brukarföreträdare": 5})
        add_workshop(proj, actor=acting("lena"), label="Öckerö digital", area="Öckerö",
                     format="Digital", counts={"Vårdpersonal": 7})
        with proj.transaction() as s:
            import_doc(s, BOOK, acting("lena"))
        codes = {"fast vårdkontakt": "Kontinuitet > Fast vårdkontakt",
                 "väntetid": "Kontinuitet > Fast vårdkontakt", "kontinuitet": "Kontinuitet",
                 "samverkan": "Samverkan"}
        with proj.session() as s:
            units = s.execute(select(Segment.text).where(Segment.kind != "turn")).all()
        rows = [{"text": t, "code": next(c for k, c in codes.items() if k in t.lower()),
                 "citat": "x"} for (t,) in units]
        table = write_table(pd.DataFrame(rows), tmp_path / "konsensus.tsv")
        import_codings(proj, table, coder="konsensus", actor=acting("lena"))
        return proj, notes, said

    if request.param == "sqlite":
        proj, notes, said = build(None)
        yield proj, notes, said
        proj.close()
        return
    with pg_database(request.getfixturevalue("pg_server")) as url:
        proj, notes, said = build(url)
        yield proj, notes, said
        proj.close()


def test_a_new_project_learns_its_areas_once_per_label(second):
    proj, notes, said = second
    with proj.session() as s:
        known = study.load(s)
    assert list(known.areas.labels().values()) == ["Lerum", "Alingsås", "Öckerö"]
    assert list(known.groups.labels().values()) == ["Brukarföreträdare", "Politiker",
                                                    "Vårdpersonal"]
    assert notes.learned == [
        "nytt område: Lerum (3 lappar)", "nytt område: Alingsås (2 lappar)",
        "nytt område: Öckerö (1 lapp)", "område 'Lerums kommun' räknas som Lerum",
        "ny deltagargrupp: Brukarföreträdare (2 lappar)",
        "ny deltagargrupp: Politiker (1 lapp)"]
    assert said.learned == ["ny deltagargrupp: Vårdpersonal (1 transkript)"]
    # the CLI says the same in English
    assert notes.learned_en == [
        "new area: Lerum (3 notes)", "new area: Alingsås (2 notes)",
        "new area: Öckerö (1 note)", "area 'Lerums kommun' counted as Lerum",
        "new participant group: Brukarföreträdare (2 notes)",
        "new participant group: Politiker (1 note)"]
    assert said.learned_en == ["new participant group: Vårdpersonal (1 transcript)"]
    assert notes.warnings == []            # nothing "imported without an area"
    with proj.session() as s:
        areas = s.execute(select(Segment.area).where(Segment.kind == "note")).scalars().all()
        turns = s.execute(select(Segment.participant_group)
                          .where(Segment.kind == "turn")).scalars().all()
    assert None not in areas and turns == ["vardpersonal", "vardpersonal"]


def test_every_export_has_the_project_s_columns_and_every_note_its_x(second, tmp_path):
    proj, _, _ = second
    with proj.transaction() as s:
        study.set_long_name(s, "area", "Öckerö", "Öckerö kommun")
    with proj.session() as s:
        layer = resolve_layer(s)
        b2 = tables.bilaga2(s, layer)
        counts = tables.theme_counts(s, layer, "area")
        by_group = tables.theme_counts(s, layer, "group")
        quoted = tables.quotes(s, layer)
        t1 = tables.tabell1(s)
    marks = ["Lerum", "Alingsås", "Öckerö"]
    for question, frame in b2.items():
        assert list(frame.columns[:3]) == ["Huvudtema", "Subtema", "Inlägg"]
        present = [c for c in frame.columns[3:] if c not in ("antal", "segment_ids")]
        assert set(present) <= set(marks) and present == [m for m in marks if m in present]
        assert (frame[present] == "x").sum(axis=1).ge(1).all(), question   # every note an x
    assert list(b2[1].columns[3:6]) == marks
    assert sum(len(f) for f in b2.values()) == 6
    assert list(counts.columns) == ["Huvudtema", "Subtema", *marks, "Totalt", "Andel"]
    with proj.session() as s:
        coded = s.scalar(select(func.count(distinct(Coding.segment_id)))
                         .where(Coding.coder == "konsensus"))
    assert counts.loc[counts.Subtema == "", marks].to_numpy().sum() == coded   # one column each
    assert list(by_group.columns[2:5]) == ["Brukarföreträdare", "Politiker", "Vårdpersonal"]
    assert "Ingen grupp" in by_group.columns     # the notes of sheets without a group column
    assert set(quoted["Källa"]) == {"Deltagare Lerum", "Deltagare Alingsås",
                                    "Deltagare Öckerö kommun"}
    assert list(t1.columns) == ["Område", "Workshop", "Politiker", "Brukarföreträdare",
                                "Vårdpersonal", "Totalt"] or \
        list(t1.columns) == ["Område", "Workshop", "Brukarföreträdare", "Politiker",
                             "Vårdpersonal", "Totalt"]
    assert t1["Område"].tolist() == ["Lerum", "Öckerö kommun", "Totalt"]   # long names
    assert t1.iloc[-1]["Totalt"] == 15
    # the files as written, re-read
    out = export(proj, "bilaga2", fmt="xlsx", out=tmp_path / "b2.xlsx").path
    header = [c.value for c in load_workbook(out)["Fråga 1"][2]]
    assert header == ["Huvudtema", "Subtema", "Inlägg", *marks]
    doc = Document(str(export(proj, "bilaga2", fmt="docx", out=tmp_path / "b2.docx").path))
    assert [c.text for c in doc.tables[0].rows[0].cells] == header
    grouped = export(proj, "bilaga2", fmt="csv", out=tmp_path / "g.csv",
                     options=ExportOptions(by="group")).path
    assert pd.read_csv(grouped).columns.tolist()[4:] == ["Brukarföreträdare", "Politiker",
                                                         "Ingen grupp"]
    themes = export(proj, "themes", fmt="csv", out=tmp_path / "t.csv",
                    options=ExportOptions(by="format")).path
    assert "Inget format" in pd.read_csv(themes).columns     # notes of no workshop
    qdpx = export(proj, "qdpx", out=tmp_path / "p.qdpx").path
    with zipfile.ZipFile(qdpx) as archive:
        root = etree.fromstring(archive.read("project.qde"))
    ns = {"q": "urn:QDA-XML:project:1.0"}
    cases = [c.get("name") for c in root.findall("q:Cases/q:Case", ns)]
    assert {"Lerum", "Alingsås", "Öckerö"} <= set(cases)
    variables = {v.get("name") for v in root.findall("q:Variables/q:Variable", ns)}
    assert {"Brukarföreträdare", "Vårdpersonal"} <= variables
    files = [p for p in tmp_path.iterdir() if p.suffix in (".csv", ".xlsx", ".docx")]
    for path in files:
        text = path.read_bytes().decode("utf-8", "ignore") if path.suffix == ".csv" else \
            " ".join(str(c.value) for ws in load_workbook(path) for row in ws.iter_rows()
                     for c in row) if path.suffix == ".xlsx" else \
            " ".join(c.text for t in Document(str(path)).tables for r in t.rows for c in r.cells)
        assert not any(name in text.split(",") or f" {name} " in f" {text} "
                       for name in PRESET), path.name


def test_rename_and_merge_move_everything_and_the_next_export_shows_it(second, tmp_path):
    proj, _, _ = second
    with proj.transaction() as s:
        member = panel.add_panelist(s, delphi_items.create_study(s, "D", acting("lena")).id,
                                    "Politiker", acting("lena"), area="Alingsås")
        study.rename_value(s, "area", "Lerum", "Lerums kommun")
        moved = study.merge_values(s, "area", ["Alingsås"], "Lerums kommun", actor=acting("lena"),
                                   memo="samma kommunalförbund i denna studie")
        study.reorder(s, "area", ["Öckerö"])
    assert moved == {"notes": 2, "Delphi panelists": 1}
    with proj.session() as s:
        known = study.load(s)
        assert list(known.areas.labels().values()) == ["Öckerö", "Lerums kommun"]
        assert s.get(DelphiPanelist, member.panelist_id).area == "lerum"
        b2 = tables.bilaga2(s, resolve_layer(s))
        panel_table = delphi_tables.method(s, s.scalars(select(DelphiPanelist.study_id))
                                           .first()).panel
    assert list(b2[1].columns[3:5]) == ["Öckerö", "Lerums kommun"]
    assert "Lerums kommun" in panel_table.columns
    # learned again from new material under the old spelling: found, not a new area
    again = write_xlsx(tmp_path / "mer.xlsx", {"Fråga 1": [["Område", "Inlägg"],
                                                         ["Alingsås", "Samverkan om SIP"]]})
    report = ingest_file(proj, again, actor=acting("lena"))
    assert report.learned == [] and report.sheets[0]["notes_per_area"] == {"Lerums kommun": 1}


def test_a_fixed_list_refuses_an_unknown_label_naming_sheet_cell_and_known_areas(second,
                                                                                 tmp_path):
    proj, _, _ = second
    with proj.transaction() as s:
        study.set_flags(s, "area", fixed=True, actor=acting("lena"))
    before = row_counts(proj)
    path = write_xlsx(tmp_path / "ny.xlsx", {"Fråga 1": [["Område", "Inlägg"],
                                                       ["Lerum", "Fler hembesök"],
                                                       ["Kungälv", "Färre akutbesök"]]})
    with pytest.raises(InputError) as info:
        ingest_file(proj, path, actor=acting("lena"))
    line = info.value.line()
    # the cell that names the area (the Område column), not the note beside it
    assert line.startswith("ny.xlsx: sheet 'Fråga 1', cell A3: unknown area 'Kungälv'")
    assert "known: Lerum, Alingsås, Öckerö" in line and info.value.code == "E188"
    assert row_counts(proj) == before       # nothing half-written
    assert not list((proj.root / "sources").glob("*ny.xlsx"))
    # the wide layout names the header cell; a CSV its one sheet, named for the file
    wide = write_xlsx(tmp_path / "bred.xlsx", {"Fråga 2": [["Fråga 2: Vad behövs?"],
                                                         ["Lerum", "Kungälv"],
                                                         ["Fler hembesök", "Färre besök"],
                                                         ["Mät SIP", "Tydliga roller"]]})
    with pytest.raises(InputError) as info:
        ingest_file(proj, wide, actor=acting("lena"))
    assert info.value.line().startswith(
        "bred.xlsx: sheet 'Fråga 2', cell B2: unknown area 'Kungälv'"), info.value.line()
    csv = tmp_path / "lappar.csv"
    csv.write_text("Område;Inlägg\nLerum;Fler hembesök\n;Mät SIP\nKungälv;Färre besök\n",
                   encoding="utf-8")
    with pytest.raises(InputError) as info:
        ingest_file(proj, csv, ReadOptions(question=1), actor=acting("lena"))
    assert info.value.line().startswith(
        "lappar.csv: sheet 'lappar', cell A4: unknown area 'Kungälv'"), info.value.line()
    assert row_counts(proj) == before


def test_a_look_alike_label_is_listed_not_guessed(second, tmp_path):
    proj, _, _ = second
    path = write_xlsx(tmp_path / "stavfel.xlsx", {"Fråga 2": [["Område", "Inlägg"],
                                                            ["Alingsås", "Mät SIP"],
                                                            ["Alingså", "Mät kontinuitet"]]})
    report = ingest_file(proj, path, actor=acting("lena"))
    assert report.learned == [
        "nytt område: Alingså (1 lapp)",
        "kontrollera: 'Alingså' liknar Alingsås men lades till som eget område; slå ihop med "
        "`qda study merge area \"Alingså\" \"Alingsås\"` (eller under Projekt → Områden och "
        "grupper) om det är samma"]
    assert report.learned_en == [
        "new area: Alingså (1 note)",
        "check: 'Alingså' looks like Alingsås but was added as an area of its own; merge with "
        "`qda study merge area \"Alingså\" \"Alingsås\"` (or on Projekt → Områden och "
        "grupper) if they are the same"]


def test_study_profile_round_trip_and_the_preset(tmp_path):
    from corpus.dimensions import read_profile, write_profile

    proj = init_project(tmp_path / "a", study="vgr-forstudie")
    with proj.session() as s:
        first = study.load(s)
    assert list(first.areas.labels().values()) == list(PRESET)
    assert first.attribution("gr") == "Deltagare Göteborgsregionen"
    with proj.transaction() as s:
        study.add_value(s, "area", "Halland", long_name="Region Halland")
        study.set_flags(s, "area", fixed=True)
        saved = write_profile(study.load(s), tmp_path / "min.toml", "min studie")
    again = init_project(tmp_path / "b", study=saved)
    with again.session() as s:
        copy = study.load(s)
    assert copy.areas == study.load_project(proj).areas
    assert read_profile(saved).fixed == frozenset({"area"})
    plain = init_project(tmp_path / "c")
    assert study.load_project(plain).areas.values == ()
    proj.close(), again.close(), plain.close()


def test_a_project_from_before_keeps_the_first_study_s_values(tmp_path):
    """Built at schema 0008 (areas as constants, roles as workshop columns), then opened:
    the migration gives it exactly the first study's areas, groups and formats, moves the
    participant counts, and its tables keep a column for every area."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from corpus import store

    db = tmp_path / "old" / "project.sqlite"
    db.parent.mkdir()
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as connection:
        command.upgrade(store.alembic_config(connection), "0008")
        connection.execute(text(
            "INSERT INTO workshop (label, area, format, politicians, care_staff, created_at) "
            "VALUES ('GR digital', 'gr', 'digital', 4, 2, CURRENT_TIMESTAMP)"))
        connection.execute(text(
            "INSERT INTO source (kind, file_format, original_name, stored_name, sha256, "
            "area, report, imported_at) VALUES ('postits', 'xlsx', 'a.xlsx', 'a.xlsx', 'x', "
            "NULL, '{}', CURRENT_TIMESTAMP)"))
        connection.execute(text(
            "INSERT INTO segment (source_id, kind, position, question, area, duplicate_count,"
            " text) VALUES (1, 'note', 0, 1, 'skaraborg', 1, 'Vårdtyngd')"))
    engine.dispose()
    proj = init_project(db.parent)
    with proj.session() as s:
        known = study.load(s)
        t1 = tables.tabell1(s)
    assert list(known.areas.labels().values()) == list(PRESET)
    assert known.areas.all_columns and known.groups.all_columns
    assert known.attribution("boras") == "Deltagare Boråsregionen"
    assert known.areas.key_of("Västra Götalandsregionen") == "vgr"
    # the preset the migration seeds from gives exactly what the code held at 0008
    assert [(v.key, v.label, v.long_name) for v in known.areas.values] == [
        ("boras", "Borås", "Boråsregionen"), ("fyrbodal", "Fyrbodal", "Fyrbodal"),
        ("gr", "GR", "Göteborgsregionen"), ("skaraborg", "Skaraborg", "Skaraborg"),
        ("vgr", "VGR", "Västra Götalandsregionen")]
    assert [(v.key, v.label) for v in known.groups.values] == [
        ("politicians", "Politiker"), ("second_line_managers", "2:a linjens chefer"),
        ("first_line_managers", "1:a linjens chefer"), ("officials", "Tjänstepersoner"),
        ("care_staff", "Vårdpersonal")]
    assert [(v.key, v.label) for v in known.formats.values] == [
        ("digital", "Digital"), ("fysisk", "Fysisk")]
    assert known.areas.key_of("Sjuhärads kommunalförbund") == "boras"
    assert known.groups.key_of("andra linjens chefer") == "second_line_managers"
    assert list(t1.columns) == ["Område", "Workshop", "Politiker", "2:a linjens chefer",
                                "1:a linjens chefer", "Tjänstepersoner", "Vårdpersonal",
                                "Totalt"]
    assert t1.iloc[0].tolist() == ["Göteborgsregionen", "Digital", 4, 0, 0, 0, 2, 6]
    with proj.transaction() as s:
        import_doc(s, BOOK, acting("lena"))
    table = write_table(pd.DataFrame([{"text": "Vårdtyngd", "code": "Samverkan"}]),
                        tmp_path / "k.tsv")
    import_codings(proj, table, coder="konsensus", actor=acting("lena"))
    with proj.session() as s:
        b2 = tables.bilaga2(s, resolve_layer(s))[1]
    assert list(b2.columns[3:8]) == list(PRESET)        # every area, as before
    assert b2.iloc[0, 3:8].tolist() == ["", "", "", "x", ""]
    with proj.session() as s:
        assert study.workshop_counts(s) == {1: {"politicians": 4, "care_staff": 2}}
        assert s.scalar(select(Source.area)) is None
    proj.close()


def test_the_chapter_draft_names_the_study_s_own_areas_and_groups(second, tmp_path):
    """The chapter draft speaks of this study's areas (long names) and groups, never the
    first study's, with each group's units counted as the units say."""
    from themes import chapter
    from themes.tables import report_units

    proj, _, _ = second
    with proj.session() as s:
        layer = resolve_layer(s)
        dossiers = chapter.build(s, layer)
        units = report_units(s, layer)
    text = " ".join(" ".join(d.sentences) for d in dossiers)
    assert not any(region in text for region in ("Borås", "Fyrbodal", "Skaraborg", "VGR"))
    main = next(d for d in dossiers if not d.sub and d.main == "Kontinuitet")
    mine = units[units.Huvudtema == "Kontinuitet"].drop_duplicates("segment_id")
    assert mine["Grupp"].notna().any()          # the sheets and the talk name groups
    for group, n in mine["Grupp"].dropna().value_counts().items():
        assert f"{group.lower()} ({chapter.quantified(n, chapter.UNIT)})" in \
            " ".join(main.sentences)
    assert set(main.areas) <= {"Lerum", "Alingsås", "Öckerö kommun", "Öckerö"}


def test_what_uses_a_value_is_said_in_number():
    assert study.said_uses({"notes": 5, "sources": 1}) == "5 notes, 1 source"
    assert study.said_uses({"notes": 1, "sources": 2}, swedish=True) == "1 lapp, 2 källor"
    assert study.said_uses({}) == ""


def test_a_sheet_per_area_and_a_kommun_column_give_the_notes_their_area(tmp_path):
    """A workbook with one sheet per kommun (a Fråga column, no Område column): a sheet
    named for an area the project knows gives its notes that area; a 'Kommun' column is an
    area column; a sheet whose notes are left without an area says so, naming the ways to
    give one (twelve notes under "Inget område" in bilaga 2 were the first sign before)."""
    project = init_project(tmp_path / "p")
    with project.transaction() as s:
        for label in ("Östersund", "Berg"):
            study.add_value(s, "area", label, actor=acting("lena"))
    book = write_xlsx(tmp_path / "lappar_jamtland.xlsx", {
        "Östersund": [["Grupp", "Fråga", "Lapp"], ["Unga", "Fråga 1", "Fler fritidsgårdar"]],
        "Bergs kommun": [["Grupp", "Fråga", "Lapp"], ["Unga", "Fråga 1", "Bussar på kvällen"],
                         ["Unga", "Fråga 2", "Elevhälsan når inte alla"]],
        "Synpunkter": [["Fråga", "Lapp"], ["Fråga 2", "Mer personal"]]})
    report = ingest_file(project, book, ReadOptions(), actor=acting("lena"))
    (tmp_path / "kommun.csv").write_text("Kommun,Synpunkt\nÖstersund,Längre öppettider\n",
                                         encoding="utf-8")
    by_column = ingest_file(project, tmp_path / "kommun.csv", ReadOptions(question=2),
                            actor=acting("lena"))
    with project.session() as s:
        areas = dict(s.execute(select(Segment.text, Segment.area)).all())
        keys = {v.label: v.key for v in study.load(s).areas.values}
    project.close()
    assert areas == {"Fler fritidsgårdar": keys["Östersund"],
                     "Bussar på kvällen": keys["Berg"],
                     "Elevhälsan når inte alla": keys["Berg"],
                     "Mer personal": None, "Längre öppettider": keys["Östersund"]}
    assert "sheet 'Bergs kommun' is named for the area Berg: its 2 note(s) without an area " \
           "of their own have it" in report.warnings
    assert any(w.startswith("sheet 'Synpunkter': 1 note(s) without an area")
               for w in report.warnings)
    assert by_column.warnings == []


def test_the_question_s_words_in_a_fraga_column_head_bilaga_2(tmp_path):
    """'Fråga 1: Vad fungerar bra idag?' in every note's Fråga cell: the heading is the
    question, as from a heading cell, with no warning that the workbook had none."""
    project = init_project(tmp_path / "p")
    with project.transaction() as s:
        import_doc(s, BOOK, acting("lena"))
    book = write_xlsx(tmp_path / "lappar.xlsx", {"Lappar": [
        ["Område", "Fråga", "Lapp"],
        ["Lerum", "Fråga 1: Vad fungerar bra idag?", "Fast vårdkontakt"],
        ["Lerum", "Fråga 2: Vad behöver förändras?", "Samverkan saknas"],
        ["Lerum", "2", "Mer tid"]]})
    ingest_file(project, book, ReadOptions(), actor=acting("lena"))
    (tmp_path / "c.csv").write_text("text,code,coder\nFast vårdkontakt,Kontinuitet,konsensus\n"
                                    "Samverkan saknas,Samverkan,konsensus\n", encoding="utf-8")
    import_codings(project, tmp_path / "c.csv", actor=acting("lena"))
    report = export(project, "bilaga2", "md", out=tmp_path / "b.md")
    text = report.path.read_text("utf-8")
    project.close()
    assert "Fråga 1: Vad fungerar bra idag?" in text
    assert "Fråga 2: Vad behöver förändras?" in text
    assert not any("no question text" in w for w in report.warnings)


def test_a_fraga_column_of_whole_question_texts_takes_the_numbers_of_qda_toml(tmp_path):
    """A sheet per participant group, each note's Fråga cell the question's whole text as
    qda.toml states it (other case and spacing): each note its question. A text that is
    no stated question is refused, naming its cell; given --question, it is that one's."""
    project = init_project(tmp_path / "p")
    (project.root / "qda.toml").write_text(
        '[questions]\n1 = "Vad fungerar bra idag?"\n2 = "Vad behöver förändras?"\n',
        encoding="utf-8")
    rows = [["Kommun", "Fråga", "Lapp"],
            ["Örebro", "Vad fungerar bra idag?", "Träffpunkterna"],
            ["Örebro", "vad behöver  förändras", "Fler hembesök"],
            ["Karlskoga", "", "Anhörigstöd"]]                 # filled down: fråga 2
    book = write_xlsx(tmp_path / "lappar.xlsx", {"Anhöriga": rows})
    ingest_file(project, book, ReadOptions(), actor=acting("lena"))
    with project.session() as s:
        got = dict(s.execute(select(Segment.text, Segment.question)).all())
    assert got == {"Träffpunkterna": 1, "Fler hembesök": 2, "Anhörigstöd": 2}

    odd = write_xlsx(tmp_path / "andra.xlsx", {"Politiker": [
        rows[0], ["Örebro", "Vad fungerar bra i dag?", "Nya boenden"]]})
    with pytest.raises(InputError) as caught:
        ingest_file(project, odd, ReadOptions(), actor=acting("lena"))
    assert caught.value.code == "E116" and "sheet 'Politiker', cell B2" in str(caught.value)
    assert "andra.xlsx" in str(caught.value)
    ingest_file(project, odd, ReadOptions(question=3), actor=acting("lena"))
    with project.session() as s:
        assert s.scalar(select(Segment.question).where(Segment.text == "Nya boenden")) == 3
    project.close()


def test_question_words_an_earlier_workbook_stated_number_a_later_one_s_columns(tmp_path):
    """Without [questions]: a first workbook headed "Fråga 2: Vilka hinder ser ni?" teaches
    question 2's words; a later summary sheet headed by those words alone takes the
    number (it was refused, E116, though the project knew them)."""
    project = init_project(tmp_path / "p")
    first = write_xlsx(tmp_path / "f1.xlsx", {"Blad1": [
        ["Kommun", "Fråga", "Lapp"], ["Umeå", "Fråga 2: Vilka hinder ser ni?", "Avstånd"]]})
    ingest_file(project, first, ReadOptions(), actor=acting("lena"))
    later = write_xlsx(tmp_path / "f2.xlsx", {"Summering": [
        ["Kommun", "Vilka hinder ser ni?", "Fråga 3: Vad önskar ni?"],
        ["Lycksele", "Uppkoppling", "Fler besök"]]})
    ingest_file(project, later, ReadOptions(), actor=acting("lena"))
    with project.session() as s:
        got = dict(s.execute(select(Segment.text, Segment.question)).all())
    project.close()
    assert got == {"Avstånd": 2, "Uppkoppling": 2, "Fler besök": 3}


def test_a_transcript_s_question_headings_give_its_sentences_their_questions(tmp_path):
    """Every unit of a transcript discussing two questions was in "Ingen fråga": the
    sentences after "Fråga N" answer question N, stored and counted so."""
    project = init_project(tmp_path / "p")
    (tmp_path / "samtal.txt").write_text(
        "Fråga 1: Vad fungerar?\nModerator: Vi börjar.\nAnna Berg: Träffpunkterna. "
        "De är bra.\nModerator: Fråga 2: Vad saknas?\nAnna Berg: Tid.\n", encoding="utf-8")
    report = ingest_file(project, tmp_path / "samtal.txt", ReadOptions(area="Örebro"),
                         actor=acting("lena"))
    with project.session() as s:
        got = s.execute(select(Segment.text, Segment.question).where(
            Segment.kind == "sentence").order_by(Segment.id)).all()
    project.close()
    assert [tuple(r) for r in got] == [
        ("Fråga 1: Vad fungerar?", 1), ("Vi börjar.", 1), ("Träffpunkterna.", 1),
        ("De är bra.", 1), ("Fråga 2: Vad saknas?", 2), ("Tid.", 2)]
    assert any("(question: turns): 1: 3, 2: 2" in str(w) for w in report.warnings)


def test_the_method_text_says_where_a_study_s_codes_came_from(tmp_path):
    """A study without the roadmap: no "0 codes from the färdplan, all emerged from the
    material" (false for a codebook written in advance), but the codes the codebook held
    from the start and those added during the analysis."""
    from coding.codes import add_code

    project = init_project(tmp_path / "p")
    with project.transaction() as s:
        import_doc(s, BOOK, acting("lena"))
        add_code(s, ("Samverkan", "Med skolan"), acting("lena"))
    text = export(project, "metodbilaga", "md", out=tmp_path / "m.md").path.read_text("utf-8")
    project.close()
    assert "färdplan" not in text
    assert "3 av de 4 koderna fanns i kodboken från början och 1 lades till under " \
           "analysen." in text


def test_notes_differing_only_in_punctuation_print_once_in_bilaga_2(tmp_path):
    """'Korta beslutsvägar, alla känner alla' and '… – alla känner alla' are one note
    written twice: one text in the row, counted twice; other words stay apart."""
    from themes import tables

    project = init_project(tmp_path / "p")
    with project.transaction() as s:
        import_doc(s, BOOK, acting("lena"))
    (tmp_path / "n.csv").write_text(
        "Område,Inlägg\nLerum,\"Korta beslutsvägar, alla känner alla\"\n"
        "Alingsås,Korta beslutsvägar – alla känner alla\nLerum,Korta beslutsvägar\n",
        encoding="utf-8")
    ingest_file(project, tmp_path / "n.csv", ReadOptions(question=1), actor=acting("lena"))
    (tmp_path / "c.csv").write_text("segment,code,coder\n1,Samverkan,konsensus\n"
                                    "2,Samverkan,konsensus\n3,Samverkan,konsensus\n",
                                    encoding="utf-8")
    import_codings(project, tmp_path / "c.csv", actor=acting("lena"))
    with project.session() as s:
        table = tables.bilaga2(s, resolve_layer(s))[1]
    project.close()
    assert table[["Inlägg", "antal"]].values.tolist() == [
        ["Korta beslutsvägar, alla känner alla", 2], ["Korta beslutsvägar", 1]]
