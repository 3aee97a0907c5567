"""Coding: the codebook, suggestions, decisions, rounds of double coding, agreement,
consensus, and who may do what (identity, accounts, access)."""
