"""Theme tables, bilaga 2, Tabell 1 and their writers."""
