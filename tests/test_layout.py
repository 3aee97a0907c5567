"""The house's layout, read from the source: packages import one way (app and cli over
reports, over delphi, over themes and refi, over coding, over corpus), no module imports
itself round a cycle, the domain packages hold no command-line code, and starting the CLI
loads no heavy library."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# a package may import only from packages of a lower rank (and from itself)
RANK = {"corpus": 0, "people": 1, "coding": 2, "themes": 3, "refi": 3, "delphi": 4,
        "reports": 5, "app": 6, "cli": 7}
DOMAIN = ("corpus", "people", "coding", "themes", "refi", "delphi", "reports")


def _modules() -> dict[str, Path]:
    found = {}
    for package in RANK:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Project modules `name` imports anywhere in its body (inside functions too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # `from pkg import sub` imports the submodule, not a cycle through pkg
            subs = [f"{module}.{a.name}" for a in node.names if f"{module}.{a.name}" in modules]
            targets = subs or [module]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def test_packages_import_one_way():
    wrong = [f"{a} imports {b}" for a, targets in _graph().items() for b in targets
             if a.split(".")[0] != b.split(".")[0]
             and RANK[b.split(".")[0]] >= RANK[a.split(".")[0]]]
    assert wrong == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(v: str) -> None:        # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return cycles


def test_no_module_imports_round_a_cycle():
    assert _cycles(_graph()) == []


def test_a_function_level_import_that_closes_a_cycle_is_seen(tmp_path):
    """Guard on the walk: an import inside a function (the usual way to dodge a cycle at
    import time) counts as an edge, so a cycle it closes is reported."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "low.py").write_text("def f():\n    from . import high  # dodge\n    return high\n",
                                encoding="utf-8")
    (pkg / "high.py").write_text("from pkg.low import f\n", encoding="utf-8")
    modules = {"pkg": pkg / "__init__.py", "pkg.low": pkg / "low.py", "pkg.high": pkg / "high.py"}
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    assert graph["pkg.low"] == {"pkg.high"}
    assert _cycles(graph) == [["pkg.high", "pkg.low"]]


def test_the_graph_reader_sees_imports():
    """Guard against a reader that finds nothing and so passes everything."""
    graph = _graph()
    assert "corpus.errors" in graph["cli.common"]
    assert "themes.builders" in graph["reports.run"]
    assert "corpus.roles" in graph["people.accounts"]


def test_domain_packages_hold_no_command_line():
    offenders = []
    for package in DOMAIN:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names
                              if n.split(".")[0] in ("typer", "rich", "click")]
    assert offenders == []


HEAVY = ("sklearn", "spacy", "streamlit", "pandas")


def test_starting_the_cli_loads_no_heavy_library():
    """`qda --help` and the help of every command answer without scikit-learn, spaCy,
    Streamlit or pandas (each costs a second or more)."""
    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from cli.main import app\n"
        "runner = CliRunner()\n"
        "for args in (['--help'], ['export', '--help'], ['code', 'accept', '--help'],\n"
        "             ['eval', '--help'], ['ingest', '--help']):\n"
        "    result = runner.invoke(app, args)\n"
        "    assert result.exit_code == 0, (args, result.output)\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_a_command_that_runs_does_load_them(tmp_path):
    """The check above can fail: running `qda segments export` does import pandas (and
    `qda status` need not)."""
    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from cli.main import app\n"
        f"CliRunner().invoke(app, ['init', {str(tmp_path)!r}])\n"
        f"result = CliRunner().invoke(app, ['status', '-p', {str(tmp_path)!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        "print('pandas' in sys.modules)\n"
        f"result = CliRunner().invoke(app, ['segments', 'export', '-p', {str(tmp_path)!r},\n"
        f"                                  '-o', {str(tmp_path / 's.tsv')!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        "print('pandas' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]


def test_status_answers_without_the_orm(tmp_path):
    """`qda status` counts through Core: the ORM and its 21 mappers (a quarter of a second
    of start-up) stay unloaded, and the figures match the ORM's."""
    subprocess.run([sys.executable, "-m", "qda", "demo", str(tmp_path / "d")], cwd=ROOT,
                   check=True, capture_output=True, timeout=300)
    script = (
        "import io, json, sys, contextlib\n"
        f"sys.argv = ['qda', 'status', '--json', '-p', {str(tmp_path / 'd')!r}]\n"
        "from cli.main import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit as exit:\n"
        "        assert not exit.code, exit.code\n"
        "loaded = [m for m in ('sqlalchemy.orm', 'corpus.models') if m in sys.modules]\n"
        "print(json.dumps({'loaded': loaded, 'status': json.loads(out.getvalue())}))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["loaded"] == []
    from sqlalchemy import func, select

    from corpus.models import Coding, Segment, Source
    from corpus.project import open_project
    from corpus.vocabulary import DECISIONS, Status, person

    project = open_project(tmp_path / "d")
    with project.session() as session:
        def count(*where):
            return session.scalar(select(func.count()).select_from(Coding).where(*where))
        expected = {"sources": session.scalar(select(func.count()).select_from(Source)),
                    "segments": session.scalar(select(func.count()).select_from(Segment)),
                    "codings": count(Coding.status.in_(DECISIONS)),
                    "suggestions": count(Coding.status == Status.SUGGESTED),
                    "coders": session.scalar(select(func.count(func.distinct(Coding.coder)))
                                             .where(Coding.status.in_(DECISIONS),
                                                    person(Coding.coder)))}
        first = session.scalars(select(Source).order_by(Source.id)).first()
    project.close()
    totals = found["status"]["totals"]
    assert {k: totals[k] for k in expected} == expected and expected["segments"] > 0
    assert found["status"]["sources"][0]["imported"] == first.imported_at.isoformat()


def test_running_one_command_builds_only_it_and_each_still_answers():
    """The entry point builds only the command named on the line (Typer would otherwise
    build all of them first); every command and group still answers under its own name."""
    script = (
        "import io, sys, contextlib\n"
        "from cli.main import app, main, _named\n"
        "names = [_named(i) for i in (*app.registered_commands, *app.registered_groups)]\n"
        "for name in names:\n"
        "    sys.argv = ['qda', name, '--help']\n"
        "    out = io.StringIO()\n"
        "    with contextlib.redirect_stdout(out):\n"
        "        try:\n"
        "            main()\n"
        "        except SystemExit as exit:\n"
        "            assert not exit.code, (name, exit.code)\n"
        "    assert f'Usage: qda {name} ' in out.getvalue(), (name, out.getvalue())\n"
        "    assert len(app.registered_commands) + len(app.registered_groups) == len(names)\n"
        "print(len(names))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 20


def test_cli_defaults_match_the_library():
    """Defaults the CLI states without importing the library."""
    from cli.consensus import BOOTSTRAP
    from cli.export import NEAR_DUPLICATE
    from coding import agreement
    from themes import choices

    assert BOOTSTRAP == agreement.BOOTSTRAP
    assert NEAR_DUPLICATE == choices.NEAR_DUPLICATE


def test_every_package_has_its_place_in_the_map():
    """docs/packages.md names every package and module a newcomer will meet."""
    text = (ROOT / "docs" / "packages.md").read_text(encoding="utf-8")
    missing = [name for name in _modules() if name.count(".") <= 1
               and "migrations" not in name and not name.startswith("corpus.demo")
               and f"`{name.rpartition('.')[2] if '.' in name else name}" not in text]
    assert missing == []
