"""`qda eval` on a slice of the development data: the figures are computed, not targeted."""

import json

from typer.testing import CliRunner

from coding.codebook import read_codebook
from qda import app

from .devdata import dev_frame


def test_eval_json_on_a_slice_of_the_development_data(tmp_path):
    frame = dev_frame()
    train = frame[frame.question == "1"].head(30)
    test = frame[frame.question == "2"].head(15)
    train.to_csv(tmp_path / "train.tsv", sep="\t", index=False)
    test.to_csv(tmp_path / "test.tsv", sep="\t", index=False)
    result = CliRunner().invoke(app, ["eval", "--train", str(tmp_path / "train.tsv"),
                                      "--test", str(tmp_path / "test.tsv"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["codebook"] == "fardplan + TRAIN"      # built from TRAIN, never from TEST
    added = set(data["emergent_codes_added"])
    assert added == {" > ".join(p for p in (h, s) if p)
                     for h, s in zip(train.huvudtema, train.subtema, strict=True)} - {
        " > ".join(path) for path, _ in read_codebook("fardplan").walk()}
    known = {(h, s) for h, s in zip(train.huvudtema, train.subtema, strict=True)} | {
        tuple(path) for path, _ in read_codebook("fardplan").walk()}
    unseen = sum((h, s) not in known for h, s in zip(test.huvudtema, test.subtema,
                                                        strict=True) if s)
    assert unseen and data["levels"]["subtema"]["unknown_in_test"] == unseen
    assert (data["n_train"], data["n_test"]) == (30, 15)
    for level in ("huvudtema", "subtema"):
        for signal in ("blended", "lexical", "statistical"):
            m = data["levels"][level][signal]
            assert 0.0 <= m["top1"] <= m["top3"] <= 1.0 and 0.0 <= m["macro_f1"] <= 1.0
            assert m["n"] == 15
    curve = data["learning_curve"]
    assert [p["n_train"] for p in curve] == [10, 25, 30]
    assert all(0.0 <= p["huvudtema"] <= 1.0 for p in curve)


def test_eval_with_a_missing_column_is_one_line(tmp_path):
    (tmp_path / "t.tsv").write_text("text\tsubtema\nx\ty\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "--train", str(tmp_path / "t.tsv"),
                                      "--test", str(tmp_path / "t.tsv")])
    assert result.exit_code == 1
    assert result.output.strip() == "error: t.tsv: missing column(s): huvudtema [E312]"


def test_eval_of_main_themes_only(tmp_path):
    """A team that coded main themes only has no subtema column: it is scored at that
    level, and the session replay runs too."""
    frame = dev_frame()
    train = frame[frame.question == "1"].head(20).drop(columns=["subtema"])
    test = frame[frame.question == "2"].head(8).drop(columns=["subtema"])
    train.to_csv(tmp_path / "train.tsv", sep="\t", index=False)
    test.to_csv(tmp_path / "test.tsv", sep="\t", index=False)
    args = ["eval", "--train", str(tmp_path / "train.tsv"), "--test", str(tmp_path / "test.tsv"),
            "--json", "--no-curve"]
    data = json.loads(CliRunner().invoke(app, args).stdout)
    assert data["levels"]["huvudtema"]["blended"]["n"] == 8
    assert data["levels"]["subtema"]["blended"]["n"] == 0
    assert data["emergent_codes_added"] == sorted(set(train.huvudtema) - {
        path[0] for path, _ in read_codebook("fardplan").walk()})
    session = json.loads(CliRunner().invoke(app, [*args[:-1], "--session", "--seeds", "1"]).stdout)
    assert set(session["levels"]) == {"huvudtema"} and session["levels"]["huvudtema"]["n"] == 8


def test_eval_reads_a_semicolon_csv_from_swedish_excel(tmp_path):
    """The same table reader as ingest and codings import: ';' between the fields, a ';'
    inside a quoted text, and a BOM."""
    frame = dev_frame()
    train = frame[frame.question == "1"].head(12)
    test = frame[frame.question == "2"].head(6).copy()
    test.iloc[0, test.columns.get_loc("text")] = "Väntetid; antal dagar till besök"
    train.to_csv(tmp_path / "train.csv", sep=";", index=False, encoding="utf-8-sig")
    test.to_csv(tmp_path / "test.csv", sep=";", index=False, encoding="utf-8-sig")
    result = CliRunner().invoke(app, ["eval", "--train", str(tmp_path / "train.csv"),
                                      "--test", str(tmp_path / "test.csv"), "--json",
                                      "--no-curve"])
    assert result.exit_code == 0, result.output
    assert (json.loads(result.stdout)["n_train"], json.loads(result.stdout)["n_test"]) == (12, 6)


def test_a_coding_session_replayed(tmp_path):
    """`qda eval --session`: where the right code stood before each decision, with new
    sub-themes created once and then known."""
    frame = dev_frame()
    train = frame[frame.question == "1"].head(20)
    test = frame[frame.question == "2"].head(12)
    train.to_csv(tmp_path / "train.tsv", sep="\t", index=False)
    test.to_csv(tmp_path / "test.tsv", sep="\t", index=False)
    result = CliRunner().invoke(app, ["eval", "--session", "--seeds", "1", "--train",
                                      str(tmp_path / "train.tsv"), "--test",
                                      str(tmp_path / "test.tsv"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    known = {(h, s) for h, s in zip(train.huvudtema, train.subtema, strict=True)} | {
        tuple(path) for path, _ in read_codebook("fardplan").walk()}
    rows = [(h, s) for h, s in zip(test.huvudtema, test.subtema, strict=True) if s]
    sub = data["levels"]["subtema"]
    assert sub["n"] == len(rows)
    assert round(sub["new_code"] * sub["n"]) == len({p for p in rows if p not in known})
    for m in data["levels"].values():
        assert 0 <= m["top1"] <= m["top3"] <= m["shown"] <= 1
        assert abs(m["shown"] + m["picker"] - 1) < 1e-6 or m["new_code"] > 0
    assert data["keystrokes"] >= 1 and len(data["curve"]) == 5
    # keystrokes apart for rows whose code existed and rows that needed a new one
    new_rows = len({p for p in rows if p not in known}) + len(
        {(h,) for h, s in zip(test.huvudtema, test.subtema, strict=True)
         if not s and (h,) not in known})
    assert round(data["share_new"] * len(test)) == new_rows
    assert abs(data["share_new"] + data["share_existing"] - 1) < 1e-6
    assert data["keystrokes_existing"] < data["keystrokes_new"]
    assert abs(data["share_existing"] * data["keystrokes_existing"] + data["share_new"]
               * data["keystrokes_new"] - data["keystrokes"]) < 1e-2
    # a row not coded with one key took a theme's letter and a number, or the picker:
    # "k", "↓" or letters, Enter
    one = data["one_key_existing"]
    assert 0 <= one <= 1
    assert data["keystrokes_existing"] >= one + 2 * (1 - one) - 1e-2
    # a new code is "k", Tab, its whole path and Enter
    shortest = min(len(" > ".join(p)) for p in rows if p not in known)
    assert data["keystrokes_new"] >= 3 + shortest
    table = CliRunner().invoke(app, ["eval", "--session", "--seeds", "1", "--train",
                                     str(tmp_path / "train.tsv"), "--test",
                                     str(tmp_path / "test.tsv")])
    assert table.exit_code == 0 and "keystrokes per row" in table.output
    assert "code existed" in table.output and "new code" in table.output
    assert "with one key" in table.output


def test_s_lists_the_codes_under_each_suggested_theme_and_the_session_counts_it():
    from coding.codebook import Codebook, parse_codebook
    from coding.session_eval import sub_theme_keys
    from coding.unit_view import THEME_KEYS, sub_theme_lists

    book = Codebook.from_doc(parse_codebook("""
codes:
  - name: Samverkan
    children: [{name: Avvikelser}, {name: SIP}, {name: Rutiner}]
  - name: Resurser
    children: [{name: Kostnader}, {name: Bemanning}]
  - name: Ledarskap
"""))
    ids = {book.codes[c].name: c for c in book.codes}
    shown = [ids["Kostnader"], ids["Ledarskap"], ids["SIP"], ids["Resurser"]]
    # themes in the order the suggestions name them; a theme without codes under it none;
    # the suggested codes first, the others in the codebook's order, the theme itself last
    assert sub_theme_lists(shown, book) == [
        (ids["Resurser"], [ids["Kostnader"], ids["Bemanning"], ids["Resurser"]]),
        (ids["Samverkan"], [ids["SIP"], ids["Avvikelser"], ids["Rutiner"], ids["Samverkan"]])]
    assert sub_theme_lists(shown, book, limit=2)[1][1] == [ids["SIP"], ids["Samverkan"]]
    assert sub_theme_lists([ids["Ledarskap"], 999], book) == []
    # the theme's letter and the number, for the second theme as for the first
    assert sub_theme_keys(book, shown, ids["Bemanning"]) == 2
    assert sub_theme_keys(book, shown, ids["Rutiner"]) == 2
    assert sub_theme_keys(book, [ids["Ledarskap"]], ids["Rutiner"]) > 100
    # a theme beyond the letters has none
    many = Codebook.from_doc(parse_codebook("codes:\n" + "".join(
        f"  - name: T{i}\n    children: [{{name: S{i}}}, {{name: R{i}}}]\n"
        for i in range(len(THEME_KEYS) + 1))))
    at = {many.codes[c].name: c for c in many.codes}
    shown = [at[f"S{i}"] for i in range(len(THEME_KEYS) + 1)]
    assert sub_theme_keys(many, shown, at[f"R{len(THEME_KEYS) - 1}"]) == 2
    assert sub_theme_keys(many, shown, at[f"R{len(THEME_KEYS)}"]) > 100


def test_the_picker_lists_recent_codes_first_and_the_session_counts_its_keys():
    from coding.codebook import Codebook, parse_codebook
    from coding.session_eval import picker_keys
    from coding.unit_view import RECENT, picker_order

    book = Codebook.from_doc(parse_codebook("""
codes:
  - name: Samverkan
    children: [{name: Avvikelser}, {name: SIP}]
  - name: Resurser
    children: [{name: Kostnader}, {name: Bemanning}]
"""))
    ids = {book.codes[c].name: c for c in book.codes}
    order = list(book.codes)
    assert picker_order(book, []) == order
    assert picker_order(book, [ids["Bemanning"], 999, ids["SIP"]])[:2] == [
        ids["Bemanning"], ids["SIP"]]                  # a code gone from the codebook: skipped
    assert sorted(picker_order(book, [ids["SIP"]])) == sorted(order)
    # codebook order: 'k', letters until the code is the first match, Enter
    assert picker_keys(book, order[0]) == 3      # already first: "k", "↓" opens, Enter
    assert picker_keys(book, ids["Kostnader"]) == 2 + 2   # "k" matches Samverkan; "ko"
    assert picker_keys(book, ids["Bemanning"]) == 2 + 1   # only its label holds a "b"
    # the most recently used code is first: no letters
    assert picker_keys(book, ids["Bemanning"], [ids["Bemanning"], ids["SIP"]]) == 3
    assert picker_keys(book, ids["SIP"], [ids["Bemanning"], ids["SIP"]]) == 2 + 2  # "si"
    # a main theme's name is in its sub-themes' labels: after a recent sub-theme, "re"
    # lists Kostnader first and Resurser second, and one '↓' reaches it (no letters can)
    assert picker_keys(book, ids["Resurser"], [ids["Kostnader"]]) == 2 + 2 + 1
    assert RECENT >= 5
