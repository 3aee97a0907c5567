"""Suggestions: a lexical matcher and a statistical model, blended and explained."""
