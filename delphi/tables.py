"""The Delphi study's tables for the report, as DataFrames with the report's Swedish
headings: results per round, the final set of included indicators by theme, and the
method paragraph. Panelists appear nowhere, not even by pseudonym: only counts per
group and area, and aggregates per item."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from corpus.models import DelphiRound, DelphiStudy
from corpus.study import load as load_study

from . import items as items_mod
from . import panel as panel_mod
from . import rounds as rounds_mod
from .statistics import Outcome, stability

OUTCOME_LABELS = {Outcome.INCLUDED: "Inkluderad", Outcome.EXCLUDED: "Exkluderad",
                  Outcome.EQUIVOCAL: "Enighet om mitten (4–6)",
                  Outcome.NONE: "Ingen konsensus"}
SHARE_COLUMNS = ("Andel 7–9", "Andel 1–3", "Förändring sedan förra rundan")


def round_frame(session: Session, round_id: int) -> pd.DataFrame:
    """One row per item of the round: answers, median, quartiles, shares, disagreement,
    outcome (and the feasibility median when the study asks it); from round 2 how much the
    item's answers moved since the round before (Scheibe's net change: under 15 % is
    stable)."""
    found = session.get(DelphiRound, round_id)
    earlier = [r for r in rounds_mod.rounds(session, found.study_id)
               if r.number == found.number - 1]
    before = rounds_mod.answers_by_item(session, earlier[0].id) if earlier else {}
    now = rounds_mod.answers_by_item(session, round_id) if earlier else {}
    rows = []
    for r in rounds_mod.results(session, round_id):
        s = r.stats
        row = {"Huvudtema": r.theme, "Subtema": r.subtheme, "Indikator": r.wording,
               "Svar": s.n, "Kan inte bedöma": s.cannot_judge, "Median": s.median,
               "Kvartilavstånd": s.iqr, "Andel 7–9": s.share_high, "Andel 1–3": s.share_low,
               "Oenighetsindex": None if s.disagreement_index is None
               else round(s.disagreement_index, 2),
               "Utfall": OUTCOME_LABELS[s.outcome]}
        if r.feasibility is not None:
            row["Genomförbarhet, median"] = r.feasibility.median
        if earlier:
            moved = stability(before.get(r.item_id, {}), now.get(r.item_id, {})) \
                if r.item_id in before else None
            row["Förändring sedan förra rundan"] = None if moved is None \
                or not moved.panelists_both and moved.change == 1.0 else round(moved.change, 2)
            row["Stabil"] = "" if row["Förändring sedan förra rundan"] is None else \
                ("ja" if moved.stable else "nej")
        rows.append(row)
    return pd.DataFrame(rows)


def results_frames(session: Session, study_id: int) -> dict[str, pd.DataFrame]:
    """A table per round, oldest first."""
    return {f"Runda {r.number}" + ("" if r.status == rounds_mod.CLOSED else " (pågår)"):
            round_frame(session, r.id) for r in rounds_mod.rounds(session, study_id)}


def final_frame(session: Session, study_id: int) -> pd.DataFrame:
    """The included indicators by theme: the round that decided each, its figures, and
    the areas whose notes proposed it."""
    listed = {i.id: i for i in items_mod.list_items(session, study_id, include_removed=True)}
    areas = load_study(session).areas
    rows = []
    for closed in [r for r in rounds_mod.rounds(session, study_id)
                   if r.status == rounds_mod.CLOSED]:
        for r in rounds_mod.results(session, closed.id):
            if r.stats.outcome != Outcome.INCLUDED:
                continue
            item = listed[r.item_id]
            rows.append({"Huvudtema": r.theme, "Subtema": r.subtheme, "Indikator": r.wording,
                         "Runda": closed.number, "Median": r.stats.median,
                         "Andel 7–9": r.stats.share_high, "Svar": r.stats.n,
                         "Områden": ", ".join(areas.label(a) for a in item.areas),
                         "Lappar": item.notes, "_order": item.position})
    frame = pd.DataFrame(rows, columns=["Huvudtema", "Subtema", "Indikator", "Runda", "Median",
                                        "Andel 7–9", "Svar", "Områden", "Lappar", "_order"])
    frame = frame.sort_values(["Huvudtema", "_order"], kind="stable")
    return frame.drop(columns="_order").reset_index(drop=True)


@dataclass(frozen=True)
class Method:
    paragraph: str
    panel: pd.DataFrame          # group x area
    response: pd.DataFrame       # per round and group: invited, answered, completed


def method(session: Session, study_id: int) -> Method:
    """The method paragraph for the report, with the panel and response-rate tables."""
    the_study = session.get(DelphiStudy, study_id)
    members = panel_mod.panel(session, study_id)
    study = load_study(session)
    groups = {**study.groups.labels(), **{m.panel_group: m.panel_group for m in members
                                          if m.panel_group not in study.groups.key_list()}}
    areas = [*study.areas.key_list(), None]
    counts = pd.DataFrame(
        [[sum(m.panel_group == g and m.area == a for m in members) for a in areas]
         for g in groups], index=[groups[g] for g in groups],
        columns=[study.areas.label(a) if a else "Inget område" for a in areas])
    counts = counts.loc[:, counts.sum() > 0] if len(members) else counts.iloc[:, :0]
    counts["Totalt"] = counts.sum(axis=1)
    counts = counts[counts["Totalt"] > 0].reset_index(names="Grupp")
    done = rounds_mod.rounds(session, study_id)
    response, rates_text = [], []
    for r in done:
        rates = rounds_mod.response_rates(session, r.id)
        invited = sum(x.invited for x in rates)
        completed = sum(x.completed for x in rates)
        response += [{"Runda": r.number, "Grupp": groups.get(x.group, x.group),
                      "Inbjudna": x.invited, "Svarade": x.answered, "Svarade på allt":
                      x.completed} for x in rates]
        share = f"{completed / invited:.0%}".replace("%", " %") if invited else "–"
        rates_text.append(f"runda {r.number}: {completed} av {invited} ({share})")
    outcomes = {}
    for r in done:
        if r.status == rounds_mod.CLOSED:
            for res in rounds_mod.results(session, r.id):
                outcomes[res.item_id] = res.stats.outcome
    n_items = len(items_mod.list_items(session, study_id))
    rule = items_mod.rule_of(the_study)
    share = f"{rule.share:.0%}".replace("%", " %")
    included = sum(o == Outcome.INCLUDED for o in outcomes.values())
    excluded = sum(o == Outcome.EXCLUDED for o in outcomes.values())
    by_group = ", ".join(f"{groups[g].lower()} {n}" for g in groups
                         if (n := sum(m.panel_group == g for m in members)))
    n_areas = len({m.area for m in members if m.area})
    paragraph = (
        f"De föreslagna indikatorerna prioriterades med en Delphipanel i {len(done)} "
        f"{'runda' if len(done) == 1 else 'rundor'}. Panelen bestod av {len(members)} "
        f"{'person' if len(members) == 1 else 'personer'} ({by_group or 'ingen ännu'}) "
        f"från {n_areas} {'område' if n_areas == 1 else 'områden'}. {n_items} indikatorer, "
        "hämtade ur de tematiserade lapparna (bilaga 2), bedömdes var för sig på en skala "
        "1–9 för relevans"
        + (" och genomförbarhet" if the_study.ask_feasibility else "")
        + "; den som inte kunde bedöma en indikator kunde ange det. Från och med runda 2 "
        "såg varje deltagare gruppens median och fördelning från föregående runda, sitt eget "
        "tidigare svar och gruppens kommentarer utan namn. Konsensus fanns när minst "
        f"{share} av svaren låg i samma tredjedel av skalan och medianen också gjorde det: "
        f"median {rule.include_median:g} eller högre inkluderade indikatorn, median "
        f"{rule.exclude_median:g} eller lägre exkluderade den. Svarsfrekvens (svarat på alla "
        f"indikatorer): {'; '.join(rates_text) or '–'}. Resultat: {included} indikatorer "
        f"inkluderades och {excluded} exkluderades; {n_items - included - excluded} nådde "
        "ingen konsensus om att inkludera eller exkludera.")
    return Method(paragraph, counts, pd.DataFrame(response, columns=[
        "Runda", "Grupp", "Inbjudna", "Svarade", "Svarade på allt"]))
