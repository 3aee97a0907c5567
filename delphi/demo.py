"""A small Delphi study for the demo project: items from two main themes of question 3's
bilaga 2 rows, a panel of eight from the five areas and four groups, two closed rounds
of fictional answers (seeded), so the Delphi page and exports have something to show."""

from __future__ import annotations

import random

from corpus.demo import DEMO
from corpus.project import Project

from . import items, panel, rounds

NAME = "Nya indikatorer (demo)"
PANEL = [("politicians", "GR"), ("politicians", "Skaraborg"),
         ("first_line_managers", "Fyrbodal"), ("second_line_managers", "VGR"),
         ("officials", "Borås"), ("officials", "GR"), ("care_staff", "Skaraborg"),
         ("care_staff", "Fyrbodal")]
COMMENTS = ["Finns redan i Kolada, lätt att följa.", "Svårt att mäta på kommunnivå.",
            "Viktig för att se om vården flyttar närmare patienten.",
            "Behöver en tydligare definition.", "Ger mest om den delas per område."]
ACTOR = DEMO           # the demo builds itself: recorded as "demo"


def add_demo_study(project: Project, seed: int = 7) -> None:
    rng = random.Random(seed)
    with project.transaction() as session:
        study = items.create_study(
            session, NAME, ACTOR, "Hur relevant är indikatorn för att följa omställningen "
            "till god och nära vård i länet? (fiktiva svar)")
        listed = items.items_from_bilaga2(session, study.id, ACTOR, questions=[3])
        keep = list(dict.fromkeys(i.theme for i in listed))[:2]
        for item in listed:
            if item.theme not in keep:
                items.remove_item(session, item.id, ACTOR)
        codes = [panel.add_panelist(session, study.id, group, ACTOR, area).code
                 for group, area in PANEL]
        study_id = study.id
        rounds.open_round(session, study_id, ACTOR)
    appeal: dict[int, float] = {}
    for number in (1, 2):
        with project.transaction() as session:
            current = rounds.open_round_of(session, study_id)
            previous = {} if number == 1 else {
                r.item_id: r.stats.median
                for r in rounds.results(session, rounds.rounds(session, study_id)[-2].id)}
            for k, code in enumerate(codes):
                if number == 2 and k == len(codes) - 1:
                    continue                  # one panelist does not come back
                member = panel.panelist_for_code(session, code)
                _, asked = rounds.for_panelist(session, member)
                for view in asked:
                    item_id = view.item_id
                    base = appeal.setdefault(item_id, rng.uniform(3.0, 8.5))
                    if number == 2 and (before := previous.get(item_id)) is not None:
                        base = (base + before) / 2     # toward the group
                    if rng.random() < 0.05:
                        rounds.answer(session, current.id, member, view.item_version_id, None,
                                      cannot_judge=True)
                        continue
                    rating = min(9, max(1, round(rng.gauss(base, 1.6 if number == 1 else 1.0))))
                    comment = rng.choice(COMMENTS) if rng.random() < 0.12 else ""
                    rounds.answer(session, current.id, member, view.item_version_id, rating,
                                  comment=comment)
            rounds.close_round(session, current.id, ACTOR)
            if number == 1:
                rounds.open_round(session, study_id, ACTOR)
