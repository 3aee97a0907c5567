"""Codebook, suggestions, codings, agreement, consensus (see issue 3 onwards)."""
