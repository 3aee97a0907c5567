"""`qda app`: start the Streamlit app on a project, on loopback unless told otherwise."""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from pathlib import Path
from typing import Annotated

import typer

from corpus.console import console, err, opened, user_errors
from corpus.errors import QdaError

PROJECT_ENV = "QDA_PROJECT"
MAIN = Path(__file__).with_name("main.py")


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def is_loopback(host: str) -> bool:
    try:
        return host in LOOPBACK or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def streamlit_command(root: Path, host: str, port: int, cert: Path | None = None,
                      key: Path | None = None) -> list[str]:
    """The streamlit invocation: headless, no usage statistics, no file watcher, no
    network beyond the address it serves on; HTTPS with Streamlit's own TLS options."""
    tls = ["--server.sslCertFile", str(cert), "--server.sslKeyFile", str(key)] \
        if cert and key else []
    if host in ("0.0.0.0", "::"):
        # Listening on every address, Streamlit would look up this machine's external IP
        # on the internet to print it; naming the address it is reached at prevents that.
        tls += ["--browser.serverAddress", socket.gethostname()]
    return [sys.executable, "-m", "streamlit", "run", str(MAIN), *tls,
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
    tls_cert: Annotated[Path | None, typer.Option(
        help="Serve HTTPS with this certificate (PEM; with --tls-key).")] = None,
    tls_key: Annotated[Path | None, typer.Option(
        help="The certificate's private key (PEM).")] = None,
) -> None:
    """Open the review app (Swedish) in the browser at http://HOST:PORT (https with
    --tls-cert and --tls-key). Beyond loopback the project must have users."""
    root = (project or Path(os.environ.get(PROJECT_ENV) or ".")).resolve()
    with user_errors():
        check_serving(root, host, tls_cert, tls_key)
    os.environ[PROJECT_ENV] = str(root)
    scheme = "https" if tls_cert else "http"
    console.print(f"workshop-qda: {root} på {scheme}://{host}:{port}", highlight=False)
    sys.stdout.flush()
    os.chdir(root)     # Streamlit reads ROOT/.streamlit/secrets.toml (single sign-on)
    os.execv(sys.executable, streamlit_command(root, host, port, tls_cert and
                                               tls_cert.resolve(), tls_key and
                                               tls_key.resolve()))


def check_serving(root: Path, host: str, cert: Path | None, key: Path | None) -> None:
    """Refuse what would expose the material: a network address without accounts, half a
    TLS pair, unreadable certificate files; warn about a network address without TLS."""
    from coding.accounts import has_users

    if (cert is None) != (key is None):
        raise QdaError("give both --tls-cert and --tls-key", None, "E620")
    for path in (cert, key):
        if path is not None and not path.is_file():
            raise QdaError("certificate or key file not found", path, "E621")
    project = opened(root)   # a clear error now rather than a broken page later
    try:
        with project.session() as session:
            users = has_users(session)
    finally:
        project.close()
    if not is_loopback(host) and not users:
        raise QdaError(f"refusing to serve on {host}: the project has no users, so anyone "
                       "who reaches the port could read and change it; add them first "
                       "(qda users add LOGIN --role projektledare)", root, "E622")
    if not is_loopback(host) and cert is None:
        err.print(f"[yellow]warning:[/yellow] serving on {host} without TLS: passwords, "
                  "session cookies and the material cross the network unencrypted. Use "
                  "--tls-cert/--tls-key or a reverse proxy with HTTPS.", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("app")(app_command)
