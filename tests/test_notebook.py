"""The worked analysis in notebooks/ runs end to end on a fresh demo project."""

import os

import nbformat
import pytest
from nbclient import NotebookClient

from .devdata import REPO

pytestmark = pytest.mark.slow     # builds the demo and runs the notebook: minutes


def test_the_demo_notebook_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("QDA_PROJECT", str(tmp_path / "demo"))
    notebook = nbformat.read(REPO / "notebooks" / "demo_analysis.ipynb", as_version=4)
    client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(REPO / "notebooks")}})
    client.execute(env={**os.environ})
    outputs = [o for cell in notebook.cells if cell.cell_type == "code"
               for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
                   for o in outputs)
    assert "{1: " in text and "Vård på rätt vårdnivå" in text   # bilaga 2 and counts shown
    assert (tmp_path / "demo" / "qda.toml").exists()
