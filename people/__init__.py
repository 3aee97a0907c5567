"""People: who uses a project and in which role (accounts, passwords, sessions) and whose
coding layer a name stands for (identity: coders, suggestion layers, the consensus)."""
