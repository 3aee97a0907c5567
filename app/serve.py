"""Serving the app: the Streamlit command line and what must hold before the material is
put on a network (accounts beyond loopback, a whole TLS pair)."""

from __future__ import annotations

import ipaddress
import socket
import sys
from pathlib import Path

from corpus.errors import QdaError

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


def check_port(host: str, port: int) -> None:
    """Refuse a port something already listens on, before anything says the app started:
    Streamlit would print the address and only then that the port is not available."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as Streamlit binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise QdaError(f"port {port} on {host} is already in use (another `qda app` or "
                           f"program?); choose another with --port ({exc.strerror})",
                           None, "E240") from exc


def check_serving(root: Path, host: str, cert: Path | None, key: Path | None) -> list[str]:
    """Refuse what would expose the material: a network address without accounts, half a
    TLS pair, unreadable certificate files. Returns warnings (a network address without
    TLS)."""
    from corpus.project import open_project
    from people.accounts import has_users

    if (cert is None) != (key is None):
        raise QdaError("give both --tls-cert and --tls-key", None, "E620")
    for path in (cert, key):
        if path is not None and not path.is_file():
            raise QdaError("certificate or key file not found", path, "E621")
    project = open_project(root)   # a clear error now rather than a broken page later
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
        return [f"serving on {host} without TLS: passwords, session cookies and the "
                "material cross the network unencrypted. Use --tls-cert/--tls-key or a "
                "reverse proxy with HTTPS."]
    return []
