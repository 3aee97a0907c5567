"""The method appendix ("metodbilaga"): how the coding was done, for the report. Coders,
rounds of double coding, agreement before consensus per main theme, disagreements
resolved, and how the codebook changed over time, all read from the project."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from coding import agreement, consensus, rounds
from corpus import numbers
from corpus.errors import QdaError
from corpus.models import AuditEvent

from . import writers

CHANGES = {"code.add": "Tillagda", "code.update": "Ändrade", "code.rename": "Omdöpta",
           "code.move": "Flyttade", "code.merge": "Sammanslagna", "code.delete": "Borttagna",
           "codebook.import": "Importerade"}


@dataclass
class Method:
    coders: list[str]
    rounds: pd.DataFrame
    double_coded: int
    round: str | None
    main: pd.DataFrame | None        # agreement per main theme (before consensus)
    overall_sub: agreement.Figures | None
    overall_main: agreement.Figures | None
    disagreements: int
    resolved: int
    changes: pd.DataFrame            # codebook changes per day

    def summary(self) -> str:
        """One paragraph in the report's language."""
        parts = [f"Materialet kodades av {len(self.coders)} kodare."]
        if self.overall_main is not None:
            where = f" i {self.round}" if self.round else ""
            units = numbers.count(self.double_coded, "enhet", "enheter")
            parts.append(f"{units} (inlägg och transkriptmeningar) "
                         f"kodades oberoende av minst två kodare{where}.")
            fig = self.overall_main
            ci = fig.ci.get("alpha")
            interval = f" (95 % KI {numbers.decimal(ci[0])}–{numbers.decimal(ci[1])})" \
                if ci else ""
            alpha = "kunde inte beräknas" if fig.alpha is None \
                else f"{numbers.decimal(fig.alpha)}{interval}"
            parts.append(f"Före konsensus var Krippendorffs alfa för huvudteman {alpha}, "
                         f"vilket bedöms som {agreement.reading(fig.alpha)}"
                         + (f"; Cohens kappa {numbers.decimal(fig.kappa)}"
                            if fig.kappa is not None
                            else "") + ".")
            parts.append("Samtliga koder avser alla beslut enhet × kod sammantagna "
                         "(andel överensstämmande beslut; kappa och alfa på de staplade "
                         "besluten); intervallen är 95 % bootstrapintervall över enheter.")
        else:
            parts.append("Ingen del av materialet dubbelkodades.")
        parts.append(f"{self.disagreements} oenigheter (enhet × kod) identifierades, varav "
                     f"{self.resolved} löstes vid konsensusmöte med motivering.")
        if len(self.changes):
            days = len(self.changes)
            parts.append(f"Kodboken ändrades under {days} {'dag' if days == 1 else 'dagar'} "
                         f"({int(self.changes.drop(columns='Datum').to_numpy().sum())} "
                         "ändringar; se tabell).")
        return " ".join(parts)


def build(session: Session, round: str | None = None) -> Method:
    listed = rounds.rounds(session)
    # with rounds, the coders are those the rounds assigned (not someone who tried the
    # tool out); without, everyone whose codings count
    coders = sorted({c for r in listed for c in r.coders}) if listed \
        else agreement.human_coders(session)
    round = round or rounds.newest(session)
    frame = pd.DataFrame([{
        "Omgång": r.name, "Blind": "ja" if r.blind else "nej", "Andel": r.share,
        "Enheter": r.units, "Kodare": ", ".join(r.coders),
        "Klara": ", ".join(f"{c} {n}" for c, n in sorted(r.done.items())),
        "Avslutad": r.closed_at.strftime("%Y-%m-%d") if r.closed_at else "pågår"}
        for r in listed], columns=["Omgång", "Blind", "Andel", "Enheter", "Kodare", "Klara",
                                   "Avslutad"])
    main = overall_sub = overall_main = None
    double = 0
    try:
        main_result = agreement.compute(session, level="huvudtema", round=round)
        sub_result = agreement.compute(session, level="subtema", round=round)
    except QdaError:
        main_result = sub_result = None
    if main_result is not None:
        main = main_result.frame()
        main = main.rename(columns={"Kod": "Huvudtema"}).drop(columns="Nivå")
        overall_main, overall_sub = main_result.overall, sub_result.overall
        double = main_result.overall.n_units
    found = consensus.disagreements(session, round=round) if len(coders) >= 2 else []
    return Method(coders, frame, double, round, main, overall_sub, overall_main, len(found),
                  sum(d.resolved for d in found), codebook_changes(session))


def codebook_changes(session: Session) -> pd.DataFrame:
    """Codebook events per day and kind."""
    per_day: dict[str, Counter] = {}
    for at, action, memo in session.execute(select(AuditEvent.at, AuditEvent.action,
                                                   AuditEvent.memo)
                                      .where(AuditEvent.action.in_(list(CHANGES)))
                                      .order_by(AuditEvent.id)):
        # a codebook import adds its codes one by one, each with the memo "import NAME"
        kind = CHANGES["codebook.import"] if action == "code.add" and (memo or "") \
            .startswith("import ") else CHANGES[action]
        per_day.setdefault(at.strftime("%Y-%m-%d"), Counter())[kind] += 1
    columns = ["Datum", *dict.fromkeys(CHANGES.values())]
    return pd.DataFrame([{"Datum": day, **{c: counts.get(c, 0) for c in columns[1:]}}
                         for day, counts in per_day.items()], columns=columns)


def sections(method: Method) -> dict[str, pd.DataFrame]:
    out = {"Kodningsomgångar": method.rounds}
    if method.main is not None:
        out["Samstämmighet per huvudtema före konsensus"] = method.main
    out["Kodbokens förändringar"] = method.changes
    return out


def write_md(method: Method, path: Path) -> Path:
    text = [f"# Metodbilaga\n\n{method.summary()}\n"]
    for title, frame in sections(method).items():
        text.append(f"## {title}\n\n{writers.markdown(frame) if len(frame) else '–'}\n")
    return writers.write_text(path, "\n".join(text))


def write_docx(method: Method, path: Path) -> Path:
    from . import word

    return word.method_docx(method.summary(), sections(method), path)
