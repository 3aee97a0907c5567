"""The export registry: every export declared once, its builder found, the CLI's help and
the app's Export page generated from it, and choices passed through."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from coding import exporting
from coding.exporting import Export, builder, choose_format, exports
from corpus.errors import QdaError
from corpus.roles import Can
from qda import app

EXPECTED = {"bilaga2", "themes", "quotes", "tabell1", "heatmap", "agreement", "audit",
            "metodbilaga", "qdpx", "qdc", "delphi-results", "delphi-final", "delphi-chart",
            "delphi-method"}


def test_every_export_is_declared_with_a_builder_and_swedish_title():
    found = exports()
    assert set(found) == EXPECTED
    for spec in found.values():
        assert callable(builder(spec)), spec.name
        assert spec.title and spec.about and spec.help
        assert isinstance(spec.needs, Can)
    assert found["bilaga2"].layer and found["bilaga2"].threshold
    assert found["agreement"].round and found["agreement"].coders
    assert not found["tabell1"].layer


def test_cli_help_lists_what_the_registry_declares():
    out = CliRunner().invoke(app, ["export", "--help"], env={"COLUMNS": "200"})
    assert out.exit_code == 0
    for spec in exports().values():
        assert f"{spec.name} ({', '.join(spec.formats)})" in out.output


def test_a_name_declared_twice_or_an_unknown_format_is_refused():
    spec = exports()["tabell1"]
    exporting.declare(spec)                       # the same declaration again: harmless
    with pytest.raises(ValueError, match="declared twice"):
        exporting.declare(Export("tabell1", ("xlsx",), "x", "x", "x", Can.READ_THEMES, "m:f"))
    with pytest.raises(ValueError, match="formats"):
        exporting.declare(Export("nytt", ("pdf",), "x", "x", "x", Can.READ_THEMES, "m:f"))
    assert "nytt" not in exports()


def test_format_from_the_option_the_file_name_or_the_first_offered(tmp_path):
    from pathlib import Path

    assert choose_format("bilaga2", None, None) == "xlsx"
    assert choose_format("bilaga2", None, Path("b.docx")) == "docx"
    assert choose_format("heatmap", "SVG", None) == "svg"
    with pytest.raises(QdaError, match=r"heatmap can be written as png, svg, not 'xlsx'"):
        choose_format("heatmap", "xlsx", None)
    with pytest.raises(QdaError, match=r"unknown export 'bilaga3'.*\[E402\]"):
        choose_format("bilaga3", None, None)


def test_download_report_names_no_scratch_path(coded):
    download = exporting.export_bytes(coded, "themes", "csv")
    assert download.file_name == "themes-csv.zip"
    assert not download.report.path.is_absolute()
    assert all(not p.is_absolute() for p in download.report.extra_paths)
