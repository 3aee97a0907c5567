"""A transcript's turns carry their speaker's participant group: named by the label
("Politiker 1", "Tjänsteperson A", "Maja Lind (tjänsteperson)") or by a speaker list the
researcher gives; the list applied before names are pseudonymised and never stored.
Counted by group, the turns are counted by their speakers' groups. On a project with its
own study (not the first study's areas and groups)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import inspect, select, text

from coding.codebook import parse_codebook
from coding.codes import find_code, import_doc
from corpus import study
from corpus.dimensions import Dimension, Value
from corpus.errors import InputError
from corpus.ingest import ingest_file
from corpus.models import Segment, Source
from corpus.project import Project, init_project
from corpus.readers import ReadOptions
from corpus.speakers import named_group, read_speaker_list
from themes import chapter, tables
from themes.layers import resolve_layer

from .conftest import acting, agreed, pg_database, row_counts

BOOK = parse_codebook("""
codes:
  - name: Kontinuitet
    children: [{name: Fast vårdkontakt}]
  - name: Samverkan
""")
# speakers named by their groups, one by a note after the name, a moderator with none
LABELLED = """Gruppsamtal Mölndal
Politiker 1  00:00:05
Vi behöver veta hur många som har en fast vårdkontakt. Det saknas i dag.
Tjänsteperson A  00:00:48
Samverkan med regionen följs inte upp alls. Politiker behöver se siffrorna.
Politiker 1  00:01:30
Och samverkan borde mätas per kommun, inte bara för hela länet.
Maja Lind (tjänsteperson)  00:02:10
Jag håller med. En fast vårdkontakt måste följas upp varje år.
Politiker 2  00:02:50
Samverkan kring de äldre är det viktigaste för oss.
Samtalsledare  00:03:20
Tack, då går vi vidare till nästa fråga.
"""
# speakers by name only: their groups come from the speaker list
NAMED = """Maja Lind: Vi behöver veta hur många som har en fast vårdkontakt.
Olof Strand: Samverkan med regionen följs inte upp alls.
Maja Lind: Det saknas helt i dag, säger Olof Strand också.
Sara Ek: Jag tror att patienterna märker bristen på samverkan först.
"""
SPEAKERS = "Talare;Grupp\nMaja Lind;Förtroendevalda\nOlof Strand;tjänstepersoner\n\n" \
           "Nils Holm;Förtroendevalda\n"
NAMES = ("Maja", "Lind", "Olof", "Strand", "Sara Ek", "Nils", "Holm")
CODED = {"fast vårdkontakt": "Kontinuitet > Fast vårdkontakt", "samverkan": "Samverkan"}


def own_study(url: str | None, root: Path, fixed: bool = False) -> Project:
    """A plain project with its own area and groups ("politiker" one group's spelling)."""
    proj = init_project(root, url)
    with proj.transaction() as s:
        study.add_value(s, "area", "Mölndal", actor=acting("lena"))
        study.add_value(s, "group", "Förtroendevalda", aliases=["politiker"],
                        actor=acting("lena"))
        study.add_value(s, "group", "Tjänstepersoner", actor=acting("lena"))
        if fixed:
            study.set_flags(s, "group", fixed=True, actor=acting("lena"))
        import_doc(s, BOOK, acting("lena"))
    return proj


@pytest.fixture(params=["sqlite", "postgresql"])
def own(request, tmp_path: Path):
    if request.param == "sqlite":
        proj = own_study(None, tmp_path / "proj")
        yield proj
        proj.close()
        return
    with pg_database(request.getfixturevalue("pg_server")) as url:
        proj = own_study(url, tmp_path / "proj")
        yield proj
        proj.close()


def write(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.write_text(content, encoding="utf-8")
    return path


def turns(proj: Project, source_id: int) -> list[tuple[str | None, str | None]]:
    with proj.session() as s:
        return [tuple(r) for r in s.execute(
            select(Segment.speaker, Segment.participant_group)
            .where(Segment.source_id == source_id, Segment.kind == "turn")
            .order_by(Segment.position))]


def code_turns(proj: Project) -> None:
    """Consensus codes each turn by what it talks about."""
    with proj.transaction() as s:
        for seg_id, said in s.execute(select(Segment.id, Segment.text)
                                      .where(Segment.kind == "turn")):
            for word, path in CODED.items():
                if word in said.lower():
                    agreed(s, seg_id, find_code(s, path).id)


def stored_text(proj: Project) -> str:
    """Every row of every table but the pseudonym key, as text."""
    with proj.session() as s:
        names = [t for t in inspect(s.connection()).get_table_names() if t != "pseudonym_key"]
        return "\n".join(str(tuple(row)) for t in names
                         for row in s.execute(text(f'SELECT * FROM "{t}"')))


def test_labels_that_name_a_group_give_their_turns_that_group(own, tmp_path):
    report = ingest_file(own, write(tmp_path, "samtal_molndal.txt", LABELLED),
                         ReadOptions(area="Mölndal"), actor=acting("lena"))
    assert report.warnings == [] and report.learned == [] and report.suspects == {}
    # "Politiker 1/2" by the group's spelling, "Tjänsteperson A" by another form of
    # "Tjänstepersoner", Maja Lind by her note; the moderator is of no group
    assert turns(own, report.source_id) == [
        ("Politiker 1", "fortroendevalda"), ("Tjänsteperson A", "tjanstepersoner"),
        ("Politiker 1", "fortroendevalda"), ("Deltagare 1", "tjanstepersoner"),
        ("Politiker 2", "fortroendevalda"), ("Samtalsledare", None)]
    with own.session() as s:
        sentences = s.execute(select(Segment.parent_id, Segment.participant_group)
                              .where(Segment.kind == "sentence")).all()
        parents = dict(s.execute(select(Segment.id, Segment.participant_group)
                                 .where(Segment.kind == "turn")).all())
        texts = " ".join(s.scalars(select(Segment.text)))
    assert sentences and all(group == parents[parent] for parent, group in sentences)
    # a label that names a group names no one: kept, and not looked for in the text
    assert "Politiker behöver se siffrorna" in texts and "Maja" not in texts

    code_turns(own)
    with own.session() as s:
        layer = resolve_layer(s)
        counts = tables.theme_counts(s, layer, "group")
        dossiers = chapter.build(s, layer)
    assert list(counts.columns) == ["Huvudtema", "Subtema", "Förtroendevalda",
                                    "Tjänstepersoner", "Totalt", "Andel"]
    rows = {(r.Huvudtema, r.Subtema): (r.Förtroendevalda, r.Tjänstepersoner, r.Totalt)
            for r in counts.itertuples()}
    assert rows[("Samverkan", "")] == (2, 1, 3)          # Politiker 1 and 2, Tjänsteperson A
    assert rows[("Kontinuitet", "Fast vårdkontakt")] == (1, 1, 2)
    said = next(d for d in dossiers if d.title == "Samverkan").sentences
    assert (f"Bland deltagargrupperna: förtroendevalda ({chapter.quantified(2, chapter.UNIT)}); "
            f"tjänstepersoner ({chapter.quantified(1, chapter.UNIT)}).") in said


def test_a_speaker_list_gives_groups_before_names_are_pseudonymised_and_is_not_kept(
        own, tmp_path):
    listed = read_speaker_list(write(tmp_path, "talare.csv", SPEAKERS))
    report = ingest_file(own, write(tmp_path, "samtal_namn.txt", NAMED),
                         ReadOptions(area="Mölndal", group="Brukare", speakers=listed),
                         actor=acting("lena"))
    # the file's --group for the speaker the list does not name; the list's groups win
    assert turns(own, report.source_id) == [
        ("Deltagare 1", "fortroendevalda"), ("Deltagare 2", "tjanstepersoner"),
        ("Deltagare 1", "fortroendevalda"), ("Deltagare 3", "brukare")]
    assert report.learned == ["ny deltagargrupp: Brukare (1 transkript)"]
    # a speaker of the list who does not speak here: a note naming the row, not the name
    assert report.warnings == [
        "the speaker list talare.csv names speakers who do not speak in this transcript "
        "(row numbers: 5); their groups were not used here"]
    with own.session() as s:
        assert s.get(Source, report.source_id).report["warnings"] == report.warnings
    stored = stored_text(own)
    assert not [name for name in NAMES if name in stored]
    kept = list((own.root / "sources").iterdir())        # the transcript, not the list
    assert len(kept) == 1 and kept[0].name.endswith("samtal_namn.txt")

    code_turns(own)
    with own.session() as s:
        counts = tables.theme_counts(s, resolve_layer(s), "group")
    samverkan = counts[counts.Huvudtema == "Samverkan"].iloc[0]
    assert (samverkan["Förtroendevalda"], samverkan["Tjänstepersoner"],
            samverkan["Brukare"]) == (0, 1, 1)


@pytest.mark.parametrize("fixed", [False, True])
@pytest.mark.parametrize("group", ["Brukare", "Anna Berg"])
def test_a_group_the_project_lacks_refuses_the_list_naming_its_row_not_the_value(
        tmp_path, fixed, group):
    """A list may only name the project's groups: a transcriptionist's key with names in
    the group column ("Sara Ek,Anna Berg") would make a person a group, printed as a column
    of every table by group. The refusal names the list and the row, never the value, and
    nothing is imported or learned."""
    proj = own_study(None, tmp_path / "proj", fixed=fixed)
    listed = read_speaker_list(write(tmp_path, "talare.csv", "Maja Lind,Förtroendevalda\n"
                                     f"Sara Ek,{group}\n"))
    before = row_counts(proj)
    with pytest.raises(InputError) as info:
        ingest_file(proj, write(tmp_path, "samtal.txt", NAMED),
                    ReadOptions(speakers=listed), actor=acting("lena"))
    assert info.value.line() == (
        "talare.csv: row 2: the group is not one of the project's participant groups (add it "
        "first: `qda study add group NAME`) [E124]")
    assert group not in info.value.line() and group not in (info.value.detail_sv or "")
    assert row_counts(proj) == before
    with proj.session() as s:
        assert [v.label for v in study.load(s).groups.values] == ["Förtroendevalda",
                                                                  "Tjänstepersoner"]
    proj.close()


def test_a_list_with_its_columns_swapped_is_refused_before_a_name_becomes_a_group(tmp_path):
    proj = own_study(None, tmp_path / "proj")
    listed = read_speaker_list(write(tmp_path, "talare.csv", "Förtroendevalda;Maja Lind\n"))
    before = row_counts(proj)
    with pytest.raises(InputError) as info:
        ingest_file(proj, write(tmp_path, "samtal.txt", NAMED), ReadOptions(speakers=listed),
                    actor=acting("lena"))
    assert info.value.line() == (
        "talare.csv: row 1: the group is a speaker of samtal.txt; the first column is the "
        "speaker as written, the second the group [E124]")
    assert row_counts(proj) == before
    proj.close()


@pytest.mark.parametrize(("content", "reason"), [
    ("Talare;Grupp\nMaja Lind;Förtroendevalda;extra\n",
     "row 2 has 3 filled cells; a speaker list has two columns"),
    ("Maja Lind;Förtroendevalda\nOlof Strand;\n",
     "row 2 has a speaker without a group, or a group without a speaker"),
    ("Maja Lind;Förtroendevalda\n\nmaja  lind;Tjänstepersoner\n",
     "row 3 gives the speaker of row 1 another group"),
    ("Talare;Grupp\n\n", "no speakers in the list"),
    ('Maja Lind;Förtroendevalda\nOlof Strand;"Tjänstepersoner\n',
     'row 2: a quote (") is never closed'),
])
def test_a_malformed_speaker_list_is_one_line_naming_the_file_and_row(tmp_path, content,
                                                                      reason):
    with pytest.raises(InputError) as info:
        read_speaker_list(write(tmp_path, "talare.csv", content))
    assert info.value.code == "E124"
    assert info.value.line().startswith(f"talare.csv: {reason}")
    assert "\n" not in info.value.line()


def test_speaker_lists_read_from_csv_xlsx_and_an_upload(tmp_path):
    same = read_speaker_list(write(tmp_path, "talare.csv", "Maja Lind,Förtroendevalda\n"
                                   "Maja Lind,förtroendevalda\n"))   # the same twice: once
    assert same.rows == (("Maja Lind", "Förtroendevalda", 1),)
    book = Workbook()
    for row in (["Grupp", "Namn"], ["Förtroendevalda", "Maja Lind"], [None, None],
                ["Tjänstepersoner", "Olof Strand"]):
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    listed = read_speaker_list("talare.xlsx", data.getvalue())        # a header either way
    assert listed.name == "talare.xlsx" and listed.rows == (
        ("Maja Lind", "Förtroendevalda", 2), ("Olof Strand", "Tjänstepersoner", 4))
    for path, data_, reason in (("talare.pdf", b"%PDF", "a speaker list is a .csv"),
                                ("talare.xlsx", b"PK\x03\x04 inte excel",
                                 "not a readable .xlsx workbook")):
        with pytest.raises(InputError, match=reason):
            read_speaker_list(path, data_)
    with pytest.raises(InputError, match="no such file"):
        read_speaker_list(tmp_path / "saknas.csv")


def test_a_label_names_a_group_in_any_of_its_forms_and_nothing_else():
    groups = Dimension("group", (
        Value("group", "pol", "Förtroendevalda", aliases=("politiker",)),
        Value("group", "tj", "Tjänstepersoner"), Value("group", "us", "Undersköterskor"),
        Value("group", "ch", "1:a linjens chefer")))
    named = {label: named_group(label, groups) for label in (
        "Politiker 2", "Politikern", "politikerna", "Tjänsteperson A", "Tjänstepersonerna",
        "Undersköterska 3", "1:a linjens chef", "Förtroendevald", "Anna", "Politiker Anna",
        "Tjänst 2", "Talare 1")}
    assert named == {"Politiker 2": "pol", "Politikern": "pol", "politikerna": "pol",
                     "Tjänsteperson A": "tj", "Tjänstepersonerna": "tj",
                     "Undersköterska 3": "us", "1:a linjens chef": "ch",
                     "Förtroendevald": "pol", "Anna": None, "Politiker Anna": None,
                     "Tjänst 2": None, "Talare 1": None}


def test_a_sheet_named_for_a_group_gives_its_notes_that_group(own, tmp_path):
    """A workbook with a sheet per participant group (the material says the group by its
    sheet): each note gets its sheet's group unless its own Grupp cell says another; a
    sheet whose name names no group of the project leaves its notes to --group."""
    from tests.conftest import write_xlsx

    book = write_xlsx(tmp_path / "lappar_molndal.xlsx", {
        "Fråga 1 politiker": [["Område", "Inlägg", "Grupp"],
                              ["Mölndal", "Mät samverkan per kommun", ""],
                              ["Mölndal", "Fast vårdkontakt för alla över 75", "Tjänstepersoner"]],
        "Fråga 1 Tjänstepersoner": [["Område", "Inlägg"],
                                    ["Mölndal", "Uppföljning av vårdplaner saknas"]],
        "Fråga 2": [["Område", "Inlägg"], ["Mölndal", "Samverkan mäts inte alls"]]})
    report = ingest_file(own, book, ReadOptions(), actor=acting("lena"))
    with own.session() as s:
        groups = dict(s.execute(select(Segment.text, Segment.participant_group)
                                .where(Segment.kind == "note")).all())
        keys = {v.label: v.key for v in study.load(s).groups.values}
    assert groups == {"Mät samverkan per kommun": keys["Förtroendevalda"],
                      "Fast vårdkontakt för alla över 75": keys["Tjänstepersoner"],
                      "Uppföljning av vårdplaner saknas": keys["Tjänstepersoner"],
                      "Samverkan mäts inte alls": None}
    said = [w for w in report.warnings if "named for the participant group" in w]
    assert len(said) == 2 and "Förtroendevalda: its 1 note(s)" in said[0]
    assert report.learned == []          # no new group learned from a sheet's name


def test_a_note_that_is_more_of_the_name_is_masked_in_the_text_too(own, tmp_path):
    """'Anna (Kärrbrink):' names no group: the note is part of the speaker's name, so the
    surname (one no name list holds) is looked for in the text as well; a remark ('via
    länk') is not a name."""
    said = ("Anna (Kärrbrink): Vi saknar data om samverkan i kommunen.\n"
            "Olof (via länk): det saknas helt, som Kärrbrink sa.\n"
            "Anna (Kärrbrink): Tack Olof.\n")
    report = ingest_file(own, write(tmp_path, "samtal_parentes.txt", said),
                         ReadOptions(area="Mölndal"), actor=acting("lena"))
    stored = stored_text(own)
    assert "Kärrbrink" not in stored and "Anna" not in stored and "Olof" not in stored
    assert "via länk" not in [s for s, _ in turns(own, report.source_id)]
    assert [s for s, _ in turns(own, report.source_id)] == ["Deltagare 1", "Deltagare 2",
                                                           "Deltagare 1"]
