"""`qda app`: start the Streamlit app on a project, on loopback unless told otherwise."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from corpus.locations import PROJECT_ENV

from .common import console, err, user_errors


def app_command(
    project: Annotated[Path | None, typer.Argument(
        help="Project folder (default: QDA_PROJECT, else the current folder).",
        show_default=False)] = None,
    host: Annotated[str, typer.Option(
        help="Address to serve on. The default keeps the app on this machine; give "
        "0.0.0.0 only on a trusted network.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8501,
    tls_cert: Annotated[Path | None, typer.Option(
        help="Serve HTTPS with this certificate (PEM; with --tls-key).")] = None,
    tls_key: Annotated[Path | None, typer.Option(
        help="The certificate's private key (PEM).")] = None,
) -> None:
    """Open the review app (Swedish) in the browser at http://HOST:PORT (https with
    --tls-cert and --tls-key). Beyond loopback the project must have users."""
    from app.serve import check_port, check_serving, streamlit_command

    root = (project or Path(os.environ.get(PROJECT_ENV) or ".")).resolve()
    # Relative to where the command was typed: resolved before the chdir below.
    tls_cert, tls_key = (tls_cert and tls_cert.resolve()), (tls_key and tls_key.resolve())
    with user_errors():
        warnings = check_serving(root, host, tls_cert, tls_key)
        check_port(host, port)
    for warning in warnings:
        err.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    os.environ[PROJECT_ENV] = str(root)
    scheme = "https" if tls_cert else "http"
    console.print(f"workshop-qda: {root} på {scheme}://{host}:{port}", highlight=False)
    sys.stdout.flush()
    # the certificate's path is resolved here, before the folder changes below
    command = streamlit_command(root, host, port, tls_cert and tls_cert.resolve(),
                                tls_key and tls_key.resolve())
    # the app imports the same library as this command (a checkout beside the installed
    # one: its pages would otherwise find the other copy once the folder changes)
    here = str(Path(__file__).resolve().parents[1])
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [here, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))])
    os.chdir(root)     # Streamlit reads ROOT/.streamlit/secrets.toml (single sign-on)
    os.execv(sys.executable, command)


def register(app: typer.Typer) -> None:
    app.command("app")(app_command)
