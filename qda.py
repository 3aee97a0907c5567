"""`python qda.py` or the `qda` script: the command line (see cli/)."""

from cli.main import app, main

__all__ = ["app", "main"]

if __name__ == "__main__":
    main()
