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
from .statistics import (
    COUNT,
    IPRAS,
    KEPT,
    RAND_UCLA,
    SHARE,
    ConsensusRule,
    ItemStatistics,
    Outcome,
    stability,
)

OUTCOME_LABELS = {Outcome.INCLUDED: "Inkluderad", Outcome.EXCLUDED: "Exkluderad",
                  Outcome.EQUIVOCAL: "Enighet om mitten (4–6)",
                  Outcome.NONE: "Ingen konsensus",
                  Outcome.APPROPRIATE: "Lämplig", Outcome.UNCERTAIN: "Osäker",
                  Outcome.INAPPROPRIATE: "Olämplig", Outcome.TOO_FEW: "För få svar"}
RULE_NAMES = {RAND_UCLA: "RAND/UCLA", SHARE: "andelsregel"}
SHARE_COLUMNS = ("Andel 7–9", "Andel 1–3", "Förändring sedan förra rundan")


def outcome_column(rule: ConsensusRule) -> str:
    """The decisive column, named after the rule that decides."""
    return f"Utfall ({RULE_NAMES[rule.kind]})"


def disagreement_text(s: ItemStatistics) -> str:
    """"ja"/"nej" by the rule's definition; where percentile definition 6 (or, for nine
    ratings, the count rule) says otherwise, that too."""
    if s.n == 0:
        return ""
    yes = "ja" if s.disagreement else "nej"
    others = []
    if s.disagreement_by == IPRAS and s.disagreement_alt is not None \
            and s.disagreement_alt != s.disagreement:
        others.append(f"typ 6: {'ja' if s.disagreement_alt else 'nej'}")
    if s.disagreement_count is not None and s.disagreement_count != s.disagreement:
        others.append(f"räkneregeln: {'ja' if s.disagreement_count else 'nej'}")
    return yes + (f" ({'; '.join(others)})" if others else "")


def round_frame(session: Session, round_id: int) -> pd.DataFrame:
    """One row per item of the round: answers, median, quartiles, shares, disagreement
    (both percentile definitions where they differ), the RAND/UCLA classification and the
    study's outcome (and the feasibility median when the study asks it); from round 2
    how much the item's answers moved since the round before (Scheibe's net change:
    under 15 % is stable)."""
    found = session.get(DelphiRound, round_id)
    assert found is not None, f"no Delphi round {round_id}"
    rule = items_mod.rule_of(items_mod.study(session, found.study_id))
    decisive = outcome_column(rule)
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
               "Oenighet": disagreement_text(s)}
        if rule.kind != RAND_UCLA:
            row["RAND/UCLA"] = OUTCOME_LABELS[s.rand_ucla]
        row[decisive] = OUTCOME_LABELS[s.outcome]
        if r.feasibility is not None:
            row["Genomförbarhet, median"] = r.feasibility.median
        if earlier:
            moved = stability(before.get(r.item_id, {}), now.get(r.item_id, {})) \
                if r.item_id in before else None
            row["Förändring sedan förra rundan"] = None if moved is None \
                or not moved.panelists_both and moved.change == 1.0 else round(moved.change, 2)
            row["Stabil"] = "" if row["Förändring sedan förra rundan"] is None else \
                ("ja" if moved is not None and moved.stable else "nej")
        rows.append(row)
    return pd.DataFrame(rows)


def results_frames(session: Session, study_id: int) -> dict[str, pd.DataFrame]:
    """A table per round, oldest first."""
    return {f"Runda {r.number}" + ("" if r.status == rounds_mod.CLOSED else " (pågår)"):
            round_frame(session, r.id) for r in rounds_mod.rounds(session, study_id)}


def histories(session: Session, study_id: int) -> dict[int, list[tuple[int, ItemStatistics]]]:
    """Item id -> (round number, statistics) of every closed round that asked it."""
    out: dict[int, list[tuple[int, ItemStatistics]]] = {}
    for closed in rounds_mod.rounds(session, study_id):
        if closed.status == rounds_mod.CLOSED:
            for r in rounds_mod.results(session, closed.id):
                out.setdefault(r.item_id, []).append((closed.number, r.stats))
    return out


def _history_text(history: list[tuple[int, ItemStatistics]]) -> str:
    return "; ".join(f"runda {n}: {OUTCOME_LABELS[s.outcome].lower()}"
                     + ("" if s.median is None else f" (median {s.median:g}, {s.n} svar)")
                     for n, s in history)


def final_frame(session: Session, study_id: int) -> pd.DataFrame:
    """The included indicators by theme, one row per item: the outcome of the latest
    round that asked it (the same the method paragraph counts), its figures there, its
    history over the rounds, and the areas whose notes proposed it."""
    listed = {i.id: i for i in items_mod.list_items(session, study_id, include_removed=True)}
    areas = load_study(session).areas
    wording: dict[int, tuple[str, str, str]] = {}
    for closed in rounds_mod.rounds(session, study_id):
        if closed.status == rounds_mod.CLOSED:
            wording |= {r.item_id: (r.theme, r.subtheme, r.wording)
                        for r in rounds_mod.results(session, closed.id)}
    rows = []
    for item_id, history in histories(session, study_id).items():
        number, stats = history[-1]
        if stats.outcome not in KEPT:
            continue
        item = listed[item_id]
        theme, subtheme, text = wording[item_id]
        rows.append({"Huvudtema": theme, "Subtema": subtheme, "Indikator": text,
                     "Runda": number, "Median": stats.median,
                     "Andel 7–9": stats.share_high, "Svar": stats.n,
                     "Historik": _history_text(history),
                     "Områden": ", ".join(areas.label(a) for a in item.areas),
                     "Lappar": item.notes, "_order": item.position})
    frame = pd.DataFrame(rows, columns=["Huvudtema", "Subtema", "Indikator", "Runda", "Median",
                                        "Andel 7–9", "Svar", "Historik", "Områden", "Lappar",
                                        "_order"])
    frame = frame.sort_values(["Huvudtema", "_order"], kind="stable")
    return frame.drop(columns="_order").reset_index(drop=True)


def rule_text(rule: ConsensusRule) -> str:
    """The rule in the method paragraph's words, with its quorum and definitions."""
    quorum = (f"minst {rule.min_ratings} betyg" if rule.min_ratings is not None else
              f"betyg från minst {rule.quorum_share:.0%} av rundans panel".replace("%", " %"))
    percentiles = ("30:e och 70:e percentilen enligt Hyndman & Fan (1996) typ 7 (linjär "
                   "interpolation, som Excels PERCENTIL.INK); där typ 6 (PERCENTIL.EXK) ger "
                   "en annan bedömning redovisas båda")
    if rule.disagreement == COUNT:
        disagree = ("oenighet enligt den klassiska räkneregeln för paneler om nio (minst tre "
                    "betyg i 1–3 och minst tre i 7–9); med annat antal betyg enligt "
                    f"IPR/IPRAS ({percentiles})")
    else:
        disagree = ("oenighet när spannet mellan percentilerna (IPR) är större än det "
                    f"asymmetrijusterade gränsvärdet (IPRAS; {percentiles})")
    too_few = (f"En indikator med färre svar än kvorum ({quorum}) fick utfallet ”för få "
               "svar” och kunde inte inkluderas.")
    if rule.kind == RAND_UCLA:
        return ("Indikatorerna klassificerades enligt RAND/UCLA-metoden (Fitch m.fl. 2001): "
                "median 7–9 utan oenighet lämplig (inkluderad), median 1–3 utan oenighet "
                f"olämplig, i övrigt osäker; {disagree}. {too_few}")
    share = f"{rule.share:.0%}".replace("%", " %")
    return ("Konsensus enligt en andelsregel (inte RAND/UCLA:s klassificering): minst "
            f"{share} av svaren i samma tredjedel av skalan med medianen där: median "
            f"{rule.include_median:g} eller högre inkluderade indikatorn, median "
            f"{rule.exclude_median:g} eller lägre exkluderade den, och aldrig vid "
            f"{disagree}. {too_few}")


@dataclass(frozen=True)
class Method:
    paragraph: str
    panel: pd.DataFrame          # group x area
    response: pd.DataFrame       # per round and group: invited, answered, completed


def method(session: Session, study_id: int) -> Method:
    """The method paragraph for the report, with the panel and response-rate tables."""
    the_study = session.get(DelphiStudy, study_id)
    assert the_study is not None, f"no Delphi study {study_id}"
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
    outcomes = {item: stats.outcome
                for item, (_, stats) in rounds_mod.latest_outcomes(session, study_id).items()}
    n_items = len(items_mod.list_items(session, study_id))
    rule = items_mod.rule_of(the_study)
    included = sum(o in KEPT for o in outcomes.values())
    excluded = sum(o in (Outcome.EXCLUDED, Outcome.INAPPROPRIATE) for o in outcomes.values())
    too_few = sum(o == Outcome.TOO_FEW for o in outcomes.values())
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
        "tidigare svar och gruppens kommentarer (med namn och andra personuppgifter "
        f"ersatta). {rule_text(rule)} Varje indikator redovisas med utfallet i den senaste "
        "rundan den bedömdes i. Svarsfrekvens (svarat på alla indikatorer, panelen som den "
        f"var när rundan stängdes): {'; '.join(rates_text) or '–'}. Resultat: {included} "
        f"indikatorer inkluderades och {excluded} exkluderades; "
        f"{n_items - included - excluded} nådde inget av dem"
        + (f" (varav {too_few} med för få svar)" if too_few else "") + ".")
    return Method(paragraph, counts, pd.DataFrame(response, columns=[
        "Runda", "Grupp", "Inbjudna", "Svarade", "Svarade på allt"]))
