"""The `qda` command line: one module per command group over the library's API.

The domain packages (corpus, coding, themes, refi) import no Typer or Rich; these modules
import the library inside each command so that start-up stays fast.
"""
