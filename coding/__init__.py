"""Coding: the codebook, suggestions, decisions, rounds of double coding, agreement,
consensus, and what an actor may see and do right now (access; accounts and identity
are in people/)."""
