"""The choices a report table offers, light on purpose (no pandas): what its columns can be
and how alike two notes must be to merge. The registry (reports.catalogue), the app's
Export page and the builders (themes.builders) read them from here."""

from __future__ import annotations

NEAR_DUPLICATE = 0.85   # cosine of character n-grams above which two notes say the same
# what a table's columns (a heatmap's too) can be: the study's dimensions, or the question
BY = {"area": "område", "group": "deltagargrupp", "format": "format", "question": "fråga"}
HEATMAP_BY = BY
