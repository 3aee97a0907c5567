"""The export registry: every export declared once, its builder found, the CLI's help and
options and the app's Export page generated from or checked against it, and choices passed
through."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli.export import export_command
from coding.exporting import OPTIONS, Export, ExportOptions
from corpus.errors import QdaError
from corpus.roles import Can
from qda import app
from reports import catalogue, run
from reports.catalogue import choose_format, exports
from reports.run import builder

EXPECTED = {"bilaga2", "themes", "quotes", "chapter", "report", "tabell1", "heatmap",
            "agreement", "audit",
            "metodbilaga", "qdpx", "qdc", "delphi-results", "delphi-final", "delphi-chart",
            "delphi-method"}


def test_every_export_is_declared_with_a_builder_and_swedish_title():
    found = exports()
    assert set(found) == EXPECTED
    for spec in found.values():
        assert callable(builder(spec)), spec.name
        assert spec.title and spec.about and spec.help
        assert isinstance(spec.needs, Can)
    assert set(run.BUILDERS) == set(found)
    assert {"layer", "threshold"} <= set(found["bilaga2"].reads)
    assert {"round", "coders"} <= set(found["agreement"].reads)
    assert "layer" not in found["tabell1"].reads


def test_cli_help_lists_what_the_registry_declares():
    out = CliRunner().invoke(app, ["export", "--help"], env={"COLUMNS": "200"})
    assert out.exit_code == 0
    for spec in exports().values():
        assert f"{spec.name} ({', '.join(spec.formats)})" in out.output


def test_a_name_declared_twice_an_unknown_format_or_option_is_refused():
    with pytest.raises(ValueError, match="declared twice"):
        catalogue.check([*catalogue.EXPORTS,
                         Export("tabell1", ("xlsx",), "x", "x", "x", Can.READ_THEMES)])
    with pytest.raises(ValueError, match="formats"):
        catalogue.check([Export("nytt", ("pdf",), "x", "x", "x", Can.READ_THEMES)])
    with pytest.raises(ValueError, match="no such option: lager"):
        Export("nytt", ("md",), "x", "x", "x", Can.READ_THEMES, reads=("lager",))
    assert "nytt" not in exports()


def test_the_cli_offers_each_option_a_declaration_reads_and_no_other():
    """The option set is stated once, in ExportOptions: `qda export` has a flag for each
    field some export reads (all_units is the Samstämmighet page's, with no round), plus
    what to export, the project, the format and the file."""
    import inspect

    flags = set(inspect.signature(export_command).parameters) - {"what", "project", "fmt",
                                                                 "out"}
    read = {name for spec in exports().values() for name in spec.reads}
    assert flags == read - {"all_units"}
    assert read <= OPTIONS


def test_an_export_gets_only_the_options_it_reads():
    chosen = ExportOptions(layer="anna", by="group", study="S", unique_names=True,
                           progress=print)
    assert chosen.for_export(exports()["tabell1"]) == ExportOptions(progress=print)
    assert chosen.for_export(exports()["themes"]) == ExportOptions(layer="anna", by="group",
                                                                   progress=print)


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
    download = run.export_bytes(coded, "themes", "csv")
    assert download.file_name == "themes-csv.zip"
    assert not download.report.path.is_absolute()
    assert all(not p.is_absolute() for p in download.report.extra_paths)


def test_a_file_name_that_says_another_format_is_refused(tmp_path):
    """`-o bilaga2.docx -f xlsx` wrote 'bilaga2.docx.xlsx' in silence; a suffix that is
    no format (a version mark) still gets the format's added."""
    from typer.testing import CliRunner

    from qda import app

    proj = tmp_path / "p"
    assert CliRunner().invoke(app, ["init", str(proj)]).exit_code == 0
    out = CliRunner().invoke(app, ["export", "bilaga2", "-p", str(proj), "-o",
                                   str(tmp_path / "b2x.docx"), "-f", "xlsx"])
    assert out.exit_code == 1 and "[E406]" in out.output
    assert "'b2x.docx' says docx, the format asked for is xlsx" in " ".join(out.output.split())
    assert list(tmp_path.glob("b2x*")) == []
    from reports.catalogue import choose_format

    assert choose_format("bilaga2", "xlsx", tmp_path / "bilaga2.v2") == "xlsx"
    assert choose_format("bilaga2", None, tmp_path / "b.docx") == "docx"
