"""Reading workshop material into a project: files, segments, pseudonyms, the store."""
