import pandas as pd
import pytest

from corpus.errors import InputError
from corpus.study import set_flags
from corpus.workshops import add_workshop, import_workshops, workshops_frame
from tests.conftest import row_counts


def test_add_and_update_by_label(project):
    before = row_counts(project)["audit_event"]
    add_workshop(project, label="GR digital", area="Göteborgsregionen", format="Digital",
                 date="2025-02-05", politicians=2)
    add_workshop(project, label="GR digital", area="GR", care_staff=5)
    frame = workshops_frame(project)
    assert list(frame.columns) == ["id", "label", "area", "format", "date", "Politiker",
                                   "2:a linjens chefer", "1:a linjens chefer",
                                   "Tjänstepersoner", "Vårdpersonal"]
    (row,) = frame.to_dict("records")
    assert {k: row[k] for k in ("id", "label", "area", "format", "date", "Politiker",
                                "Vårdpersonal")} == {
        "id": 1, "label": "GR digital", "area": "GR", "format": "Digital",
        "date": "2025-02-05", "Politiker": 2, "Vårdpersonal": 5}
    assert pd.isna(row["Tjänstepersoner"])       # not given: no count, not a zero
    assert row_counts(project)["audit_event"] == before + 2


def test_import_csv_with_the_report_s_swedish_headers(project, tmp_path):
    path = tmp_path / "tabell1.csv"
    path.write_text("Workshop;Område;Format;Datum;Politiker;2:a linjens chefer;"
                    "1:a linjens chefer;Tjänstepersoner;Vårdpersonal\n"
                    "Borås fysisk;Borås;Fysisk;2025-01-22;6;8;11;9;4\n"
                    "VGR digital;VGR;digital;2025-03-12;0;12;13;18;8\n", encoding="utf-8")
    done = import_workshops(project, path)
    assert [w.label for w in done] == ["Borås fysisk", "VGR digital"]
    assert done.learned == []        # every area, format and group was the project's
    frame = workshops_frame(project)
    assert frame.set_index("label").loc["VGR digital", "Tjänstepersoner"] == 18


def test_import_yaml(project, tmp_path):
    path = tmp_path / "ws.yaml"
    path.write_text("workshops:\n  - {label: A, area: fyrbodal, format: digital}\n"
                    "  - {label: B, area: skaraborg, date: 2025-03-04}\n", encoding="utf-8")
    assert len(import_workshops(project, path)) == 2


@pytest.mark.parametrize("row,reason", [
    ("X;Halland;digital;2025-01-01", "unknown area 'Halland'.*known: Borås, Fyrbodal, GR"),
    ("X;GR;hybrid;2025-01-01", "unknown format 'hybrid'.*known: Digital, Fysisk"),
    ("X;GR;digital;22 jan", "date must be YYYY-MM-DD"),
    (";GR;digital;2025-01-01", "needs a label and an area"),
])
def test_one_bad_row_rejects_the_whole_file(project, tmp_path, row, reason):
    with project.transaction() as s:      # the project's lists are closed
        set_flags(s, "area", fixed=True)
        set_flags(s, "format", fixed=True)
    before = row_counts(project)["audit_event"]
    path = tmp_path / "ws.csv"
    path.write_text("label;area;format;date\nOK;GR;digital;2025-01-01\n" + row + "\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match=reason) as info:
        import_workshops(project, path)
    assert info.value.line().startswith("ws.csv: row 2: ")
    assert row_counts(project)["audit_event"] == before
    assert workshops_frame(project).empty


def test_a_file_teaches_a_learning_project_its_areas_formats_and_groups(project, tmp_path):
    path = tmp_path / "ws.csv"
    path.write_text("Workshop;Område;Format;Politiker;Brukarföreträdare;Kommentar\n"
                    "Lerum 1;Lerums kommun;hybrid;3;2;bra dag\n"
                    "Lerum 2;Lerum;Digital;;4;\n", encoding="utf-8")
    done = import_workshops(project, path)
    assert sorted(done.learned) == sorted([
        "nytt område: Lerums kommun (2 workshops)", "ny deltagargrupp: Brukarföreträdare "
        "(2 workshops)", "nytt format: Hybrid (1 workshop)",
        "område 'Lerum' räknas som Lerums kommun"])
    frame = workshops_frame(project).set_index("label")
    assert frame.loc["Lerum 1", "area"] == frame.loc["Lerum 2", "area"] == "Lerums kommun"
    assert frame.loc["Lerum 1", "format"] == "Hybrid"
    assert frame.loc["Lerum 2", "Brukarföreträdare"] == 4
    assert "Kommentar" not in frame.columns     # text, not a count


def test_a_semicolon_csv_with_a_semicolon_inside_a_quoted_label(project, tmp_path):
    # csv.Sniffer took the ";" inside the quotes for a field of its own
    path = tmp_path / "ws.csv"
    path.write_text('Workshop;Område;Format\n"GR; grupp 1";GR;digital\n'
                    '"Borås; grupp 2";Borås;fysisk\n', encoding="utf-8")
    done = import_workshops(project, path)
    assert [w.label for w in done] == ["GR; grupp 1", "Borås; grupp 2"]
