"""REFI-QDA exchange: a project as .qdpx and a codebook as .qdc, to and from NVivo,
ATLAS.ti, MAXQDA and QualCoder. The mapping is documented in docs/refi-qda.md."""
