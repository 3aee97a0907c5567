"""Numbers as a Swedish report prints them (corpus.numbers), and the exports using it."""

import pandas as pd

from corpus import numbers
from reports.run import export


def test_decimal_comma_percent_and_agreement_precision():
    assert numbers.decimal(0.8) == "0,800" and numbers.decimal(0.62) == "0,620"
    assert numbers.decimal(-0.1204) == "-0,121" and numbers.decimal(0.00004) == "0,000"
    assert numbers.decimal(None) == "–" and numbers.decimal(float("nan"), missing="") == ""
    assert numbers.percent(0.0625) == "6,3\u00a0%"          # rounded half up as printed
    assert numbers.percent(0.25806451612903225) == "25,8\u00a0%"
    assert numbers.percent(1) == "100,0\u00a0%"


def test_counts_agree_with_their_noun():
    assert numbers.coded_units(1) == "1 kodad enhet"
    assert numbers.coded_units(0) == "0 kodade enheter"
    assert numbers.coded_units(7) == "7 kodade enheter"


def test_a_table_as_printed():
    frame = pd.DataFrame({"Kod": ["Samtliga", "SIP"], "Enheter": [8, 3],
                          "Överensstämmelse (%)": [87.5, None], "Cohens kappa": [0.62, 1.0],
                          "Andel": [0.0625, 0.5], "Totalt": [2.0, 1.0],
                          "Medel": [1.5, 2.0]})
    shown = numbers.shown(frame)
    assert shown.to_dict("records") == [
        {"Kod": "Samtliga", "Enheter": "8", "Överensstämmelse (%)": "87,5",
         "Cohens kappa": "0,620", "Andel": "6,3\u00a0%", "Totalt": "2", "Medel": "1,500"},
        {"Kod": "SIP", "Enheter": "3", "Överensstämmelse (%)": "",
         "Cohens kappa": "1,000", "Andel": "50,0\u00a0%", "Totalt": "1", "Medel": "2,000"}]


def test_theme_counts_in_markdown_are_written_the_swedish_way(coded, tmp_path):
    text = export(coded, "themes", fmt="md", out=tmp_path / "t.md").path.read_text("utf-8")
    assert "57,1\u00a0%" in text and "0.571" not in text and "57.1" not in text


def test_the_reading_of_alpha_agrees_with_alpha_as_printed():
    from coding.agreement import reading

    assert numbers.decimal(0.79996) == "0,799" and reading(0.79996) == "preliminär"
    assert numbers.decimal(0.8) == "0,800" and reading(0.8) == "god"
    assert numbers.decimal(0.66649) == "0,666" and reading(0.66649) == "otillräcklig"
    assert numbers.decimal(0.6665) == "0,666" and reading(0.6665) == "otillräcklig"
