import json
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from qda import app
from tests.conftest import write_xlsx

runner = CliRunner()


# the first study's areas, groups and formats (a plain `qda init` learns from the
# material instead; tests/test_second_study.py covers that)
FIRST_STUDY = ("--study", "vgr-forstudie")


def qda(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_init_ingest_status_round_trip(tmp_path):
    proj = tmp_path / "p"
    assert qda("init", proj, *FIRST_STUDY).exit_code == 0
    book = write_xlsx(tmp_path / "lappar.xlsx", {"Fråga 1": [["Borås", "GR"], ["a x2", "b"]]})
    result = qda("ingest", book, "-p", proj)
    assert result.exit_code == 0, result.output
    assert "lappar.xlsx: postits (xlsx), 2 notes → source 1" in result.output
    sheet_line = "sheet 'Fråga 1': wide layout, question 1; Borås 1, GR 1; 1 duplicate mark"
    assert sheet_line in result.output
    status = json.loads(qda("status", "-p", proj, "--json").output)
    assert status["totals"]["sources"] == 1 and status["totals"]["segments"] == 2
    assert status["segments"] == [{"kind": "note", "question": 1, "Borås": 1, "GR": 1,
                                   "total": 2}]


def test_status_counts_decisions_and_people_apart_from_suggestions(tmp_path):
    """One researcher who coded one note: 1 coding, 1 coder, and the suggestions beside
    them; neither the suggestion layer nor the consensus is a coder."""
    proj = tmp_path / "p"
    qda("init", proj, *FIRST_STUDY)
    (tmp_path / "n.csv").write_text("Område,Inlägg\nGR,Antal SIP\nGR,Väntetider\n",
                                    encoding="utf-8")
    assert qda("ingest", tmp_path / "n.csv", "-p", proj, "--question", 1).exit_code == 0
    assert qda("codebook", "import", "fardplan", "-p", proj).exit_code == 0
    assert qda("suggest", "-p", proj).exit_code == 0
    assert qda("code", "accept", 1, "Samordnad individuell plan (SIP)", "--coder", "lena",
               "-p", proj).exit_code == 0
    totals = json.loads(qda("status", "-p", proj, "--json").output)["totals"]
    assert totals["codings"] == 1 and totals["coders"] == 1 and totals["suggestions"] >= 2
    assert "1 coding, " in qda("status", "-p", proj).output


def test_bad_input_exits_non_zero_with_one_line_and_changes_nothing(tmp_path):
    proj = tmp_path / "p"
    qda("init", proj, *FIRST_STUDY)
    bad = tmp_path / "trasig.xlsx"
    bad.write_bytes(b"not a zip")
    result = qda("ingest", bad, "-p", proj)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == ["✗ trasig.xlsx: not a readable .xlsx workbook (the file is corrupt or not "
                     "Excel) [E104]"]
    assert json.loads(qda("status", "-p", proj, "--json").output)["totals"]["sources"] == 0


def test_reimport_is_refused_with_exit_1(tmp_path):
    proj = tmp_path / "p"
    qda("init", proj, *FIRST_STUDY)
    book = write_xlsx(tmp_path / "l.xlsx", {"Fråga 1": [["GR"], ["a"]]})
    assert qda("ingest", book, "-p", proj).exit_code == 0
    again = qda("ingest", book, "-p", proj)
    assert again.exit_code == 1 and "already imported as source 1" in again.output
    assert qda("ingest", book, "-p", proj, "--replace").exit_code == 0


def test_a_renamed_corrected_file_is_refused_by_replace_and_taken_by_replaces(tmp_path):
    proj = tmp_path / "p"
    qda("init", proj, *FIRST_STUDY)
    book = write_xlsx(tmp_path / "l.xlsx", {"Fråga 1": [["GR"], ["a"], ["b"]]})
    fixed = write_xlsx(tmp_path / "l rättad.xlsx", {"Fråga 1": [["GR"], ["a"], ["b"], ["c"]]})
    assert qda("ingest", book, "-p", proj).exit_code == 0
    refused = qda("ingest", fixed, "-p", proj, "--replace")
    assert refused.exit_code == 1 and "--replaces SOURCE" in refused.output
    assert "[E133]" in refused.output
    two = qda("ingest", fixed, book, "-p", proj, "--replaces", "1")
    assert two.exit_code == 1 and "[E134]" in two.output
    ok = qda("ingest", fixed, "-p", proj, "--replaces", "1")
    assert ok.exit_code == 0, ok.output
    assert "(replaced)" in ok.output and "1 unit unchanged" not in ok.output
    assert "2 units unchanged, 1 new or changed" in ok.output
    assert "0 dropped\n" in ok.output and "listed below" not in ok.output  # none to list
    status = json.loads(qda("status", "-p", proj, "--json").output)
    assert status["totals"]["sources"] == 1 and status["totals"]["segments"] == 3


def test_overrides_on_the_command_line(tmp_path):
    proj = tmp_path / "p"
    qda("init", proj, *FIRST_STUDY)
    book = write_xlsx(tmp_path / "lista.xlsx", {"Blad1": [["Vårdtyngd"], ["Kontinuitet"]]})
    assert qda("ingest", book, "-p", proj).exit_code == 1
    ok = qda("ingest", book, "-p", proj, "--question", 2, "--area", "Fyrbodal")
    assert ok.exit_code == 0, ok.output
    assert "list layout, question 2; Fyrbodal 2" in ok.output
    assert qda("study", "fix", "area", "-p", proj).exit_code == 0   # else Halland is learned
    bad = qda("ingest", book, "-p", proj, "--question", 2, "--area", "Halland", "--replace")
    assert bad.exit_code == 1 and bad.exception is None or isinstance(bad.exception, SystemExit)
    assert "unknown area 'Halland'" in bad.output and "E188" in bad.output, bad.output


def test_workshops_commands(tmp_path):
    proj = tmp_path / "p"
    qda("init", proj, *FIRST_STUDY)
    added = qda("workshops", "add", "GR digital", "--area", "GR", "--format", "digital",
                "--date", "2025-02-05", "-n", "Tjänstepersoner=15", "-p", proj)
    assert added.exit_code == 0, added.output
    listed = json.loads(qda("workshops", "list", "--json", "-p", proj).output)
    assert listed[0]["label"] == "GR digital" and listed[0]["Tjänstepersoner"] == 15
    shown = qda("workshops", "list", "-p", proj).output
    assert "GR digital" in shown and "<NA>" not in shown and "nan" not in shown   # blank
    assert qda("study", "fix", "area", "-p", proj).exit_code == 0   # else Halland is learned
    bad = qda("workshops", "add", "X", "--area", "Halland", "-p", proj)
    assert bad.exit_code == 1 and "unknown area 'Halland'" in bad.output, bad.output


def test_a_sheet_whose_question_column_names_other_questions_says_theirs(tmp_path):
    proj = tmp_path / "p"
    qda("init", proj)
    book = write_xlsx(tmp_path / "l.xlsx", {"Fråga 1": [
        ["Område", "Inlägg", "Fråga"], ["Laholm", "a", "2"], ["Varberg", "b", "3"]]})
    out = qda("ingest", book, "-p", proj).output
    assert "sheet 'Fråga 1': long layout, questions 2, 3;" in out, out


def test_not_a_project(tmp_path):
    result = qda("status", "-p", tmp_path)
    assert result.exit_code == 1 and "not a workshop-qda project" in result.output


def test_not_a_project_in_the_current_folder_names_the_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QDA_PROJECT", raising=False)
    result = qda("status")
    assert result.exit_code == 1
    assert f"{tmp_path.name}: not a workshop-qda project" in result.output   # not ": not …"


def test_a_groups_project_may_come_before_its_subcommand(tmp_path, monkeypatch):
    """`qda merges -p DIR decided` and `qda suspects -p DIR keep …` act on DIR, not on the
    current folder; a -p after the subcommand wins over one before it."""
    proj = tmp_path / "p"
    qda("init", proj, *FIRST_STUDY)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QDA_PROJECT", raising=False)
    assert qda("merges", "-p", proj, "decided").output.strip().endswith("0 decision(s)")
    keep = qda("suspects", "-p", proj, "keep", 1, "Foo")
    assert "no source 1 (qda status lists them) [E172]" in keep.output, keep.output  # not E013
    other = tmp_path / "q"
    other.mkdir()
    wins = qda("merges", "-p", proj, "decided", "-p", other)
    assert wins.exit_code == 1 and "q: not a workshop-qda project" in wins.output
    gone = qda("status", "-p", tmp_path / "finns-inte")
    assert gone.exit_code == 1 and "finns-inte: no such folder" in gone.output, gone.output


def test_the_installed_console_script_runs(tmp_path):
    exe = shutil.which("qda") or str(__import__("pathlib").Path(sys.executable).parent / "qda")
    out = subprocess.run([exe, "init", str(tmp_path / "p")], capture_output=True, text=True,
                         check=False)
    assert out.returncode == 0, out.stderr
    assert "Project ready" in out.stdout


def test_a_folder_says_which_files_it_does_not_read_and_why(tmp_path):
    """An old .xls workbook or a PDF left among the material is named, with what to do,
    instead of going missing from the analysis; hidden and lock files are passed over."""
    proj = tmp_path / "p"
    qda("init", proj, *FIRST_STUDY)
    folder = tmp_path / "material"
    (folder / "fraga2").mkdir(parents=True)
    write_xlsx(folder / "lappar.xlsx", {"Fråga 1": [["Borås"], ["Fler hembesök"]]})
    (folder / "fraga2" / "gamla_lappar.xls").write_bytes(b"\xd0\xcf\x11\xe0 old workbook")
    (folder / "inbjudan.pdf").write_bytes(b"%PDF-1.4")
    (folder / "anteckningar.md").write_text("# inte material\n", encoding="utf-8")
    (folder / "~$lappar.xlsx").write_bytes(b"lock")
    (folder / ".DS_Store").write_bytes(b"\0")
    (folder / ".ipynb_checkpoints").mkdir()
    write_xlsx(folder / ".ipynb_checkpoints" / "lappar-checkpoint.xlsx",
               {"Fråga 1": [["GR"], ["En kopia"]]})
    result = qda("ingest", folder, "-p", proj)
    assert result.exit_code == 0, result.output
    assert "lappar.xlsx: postits (xlsx), 1 note → source 1" in result.output
    skipped = [line for line in result.output.splitlines() if "skipped" in line]
    assert len(skipped) == 3, result.output
    assert skipped[0].startswith("– skipped anteckningar.md: unknown file type '.md'; "
                                 "supported: .xlsx")
    assert skipped[1:] == [
        "– skipped gamla_lappar.xls: old .xls workbooks are not read; open it in Excel and "
        "save it as .xlsx [E100]",
        "– skipped inbjudan.pdf: PDF is not read; export the text from the PDF as .txt or "
        ".docx [E100]"]
    status = json.loads(qda("status", "-p", proj, "--json").output)
    assert status["totals"]["sources"] == 1   # not the checkpoint copy
    reports = json.loads(qda("ingest", folder, "-p", proj, "--json").output)
    assert sorted((Path(r["path"]).name, r["status"]) for r in reports) == [
        ("anteckningar.md", "skipped"), ("gamla_lappar.xls", "skipped"),
        ("inbjudan.pdf", "skipped"), ("lappar.xlsx", "refused")]


def test_a_folder_with_nothing_readable_says_what_it_skipped(tmp_path):
    proj = tmp_path / "p"
    qda("init", proj, *FIRST_STUDY)
    folder = tmp_path / "gammalt"
    folder.mkdir()
    (folder / "lappar.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    result = qda("ingest", folder, "-p", proj)
    assert result.exit_code == 1
    assert ("no importable files found in the given paths (skipped: lappar.xls: old .xls "
            "workbooks are not read; open it in Excel and save it as .xlsx [E100]) [E150]"
            in " ".join(result.output.split()))


def test_the_ingest_report_prints_brackets_from_files_as_they_are(tmp_path):
    """A file name or a warning with "[…]" in it (a pseudonym token, a draft mark) is text:
    Rich would read it as markup and drop it."""
    proj = tmp_path / "p"
    assert qda("init", proj, "--study", "vgr-forstudie").exit_code == 0     # knows GR
    for folder, said in (("a", "Vi pratar om SIP."), ("b", "Vi pratar om tillit.")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "möte [utkast] gr.txt").write_text(
            f"Anna Berg   0:00\n{said}\n", encoding="utf-8")
    result = qda("ingest", tmp_path / "a", tmp_path / "b", "-p", proj)
    assert result.exit_code == 0, result.output
    assert "✓ möte [utkast] gr.txt: transcript (txt, GR)" in result.output
    assert "a different file named möte [utkast] gr.txt is already source 1" in result.output
    (tmp_path / "pdf").mkdir()
    (tmp_path / "pdf" / "utkast [ej klar].pdf").write_bytes(b"%PDF-1.4")
    refused = qda("ingest", tmp_path / "pdf", "-p", proj)        # the error line itself
    assert refused.exit_code == 1
    assert "utkast [ej klar].pdf: PDF is not read" in refused.output


def test_ingest_speakers_gives_turns_their_speakers_groups_in_a_folder(tmp_path):
    """--speakers over a folder (read in helper processes): each file's speakers get their
    groups, over --group; a speaker the file lacks is a warning; a malformed list is one
    line naming the file and the row, before anything is imported."""
    from sqlalchemy import select

    from corpus.models import Segment, Source
    from corpus.project import open_project

    proj = tmp_path / "p"
    assert qda("init", proj, *FIRST_STUDY).exit_code == 0
    talks = tmp_path / "samtal"
    talks.mkdir()
    (talks / "grupp1.txt").write_text("Lisa Ek  00:00:05\nVi saknar uppföljning.\n"
                                      "Bo Strand  00:00:30\nSamverkan fungerar.\n",
                                      encoding="utf-8")
    (talks / "grupp2.txt").write_text("Eva Lund  00:00:05\nFast vårdkontakt behövs.\n",
                                      encoding="utf-8")
    listed = tmp_path / "talare.csv"
    listed.write_text("Talare;Grupp\nLisa Ek;Politiker\nBo Strand\n", encoding="utf-8")
    bad = qda("ingest", talks, "--speakers", listed, "--area", "GR", "-p", proj)
    assert bad.exit_code == 1
    assert "talare.csv: row 3 has a speaker without a group, or a group without a speaker " \
           "[E124]" in bad.output
    listed.write_text("Talare;Grupp\nLisa Ek;Politiker\nBo Strand;Tjänstepersoner\n",
                      encoding="utf-8")
    result = qda("ingest", talks, "--speakers", listed, "--group", "Vårdpersonal",
                 "--area", "GR", "-p", proj)
    assert result.exit_code == 0, result.output
    assert result.output.count("the speaker list talare.csv names speakers who do not "
                               "speak in this transcript (row numbers: 2, 3)") == 1
    project = open_project(proj)
    with project.session() as s:
        rows = s.execute(select(Source.original_name, Segment.participant_group)
                         .join(Source, Source.id == Segment.source_id)
                         .where(Segment.kind == "turn")
                         .order_by(Source.id, Segment.position)).all()
    project.close()
    assert [tuple(r) for r in rows] == [("grupp1.txt", "politicians"),
                                        ("grupp1.txt", "officials"),
                                        ("grupp2.txt", "care_staff")]


def test_codebook_add_creates_a_missing_parent_as_the_app_does(tmp_path):
    proj = tmp_path / "p"
    qda("init", proj, *FIRST_STUDY)
    result = qda("codebook", "add", "Kompetensförsörjning > Rekrytering", "-p", proj)
    assert result.exit_code == 0, result.output
    assert "Added parent code: Kompetensförsörjning" in result.output
    assert "Added code 2: Kompetensförsörjning > Rekrytering" in result.output
    listed = qda("codebook", "list", "-p", proj).output
    assert "Kompetensförsörjning" in listed and "Rekrytering" in listed
    again = qda("codebook", "add", "Kompetensförsörjning > Bemanning", "-p", proj)
    assert again.exit_code == 0 and "Added parent" not in again.output
