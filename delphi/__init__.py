"""Delphi rounds: from the analysis's candidate indicators to an agreed set."""
