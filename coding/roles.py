"""Roles and permissions: declared once in `corpus.roles` (where `corpus.actors.Actor`, the
one way to say who is acting, can use them); named here too for the coding layer."""

from corpus.roles import GRANTS, ROLE_LABELS, Can, Role

__all__ = ["GRANTS", "ROLE_LABELS", "Can", "Role"]
