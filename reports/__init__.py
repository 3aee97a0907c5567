"""Every file the tool writes for a report or another tool: the declarations as plain data
(`catalogue`, light: listing them loads neither pandas nor lxml) and the runner (`run`:
permission, format, path, then the builder from themes, refi or delphi)."""
