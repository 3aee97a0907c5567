"""`qda app`: start the Streamlit app on a project, on loopback unless told otherwise."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from corpus.console import console, opened, user_errors

PROJECT_ENV = "QDA_PROJECT"
MAIN = Path(__file__).with_name("main.py")


def streamlit_command(root: Path, host: str, port: int) -> list[str]:
    """The streamlit invocation: headless, no usage statistics, no file watcher, no
    network beyond the address it serves on."""
    return [sys.executable, "-m", "streamlit", "run", str(MAIN),
            "--server.address", host, "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none", "--global.developmentMode", "false",
            "--client.toolbarMode", "minimal", "--theme.base", "light",
            "--server.maxUploadSize", "200"]


def app_command(
    project: Annotated[Path | None, typer.Argument(
        help="Project folder (default: QDA_PROJECT, else the current folder).",
        show_default=False)] = None,
    host: Annotated[str, typer.Option(
        help="Address to serve on. The default keeps the app on this machine; give "
        "0.0.0.0 only on a trusted network.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8501,
) -> None:
    """Open the review app (Swedish) in the browser at http://HOST:PORT."""
    root = (project or Path(os.environ.get(PROJECT_ENV) or ".")).resolve()
    with user_errors():
        opened(root).close()   # a clear error now rather than a broken page later
    os.environ[PROJECT_ENV] = str(root)
    console.print(f"workshop-qda: {root} på http://{host}:{port}", highlight=False)
    sys.stdout.flush()
    os.execv(sys.executable, streamlit_command(root, host, port))


def register(app: typer.Typer) -> None:
    app.command("app")(app_command)
