"""The method appendix ("metodbilaga"): how the coding was done, for the report. Coders,
rounds of double coding, agreement before consensus per main theme, disagreements
resolved, and how the codebook changed over time, all read from the project."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coding import agreement, consensus, rounds
from corpus.errors import QdaError
from corpus.models import AuditEvent, Code, Segment, Source

from . import writers

CHANGES = {"code.add": "Tillagda", "code.update": "Ändrade", "code.rename": "Omdöpta",
           "code.move": "Flyttade", "code.merge": "Sammanslagna", "code.delete": "Borttagna",
           "codebook.import": "Importerade"}


def _reading(fig: agreement.Figures) -> str | None:
    return None if fig.alpha is None else agreement.reading(fig.alpha)


@dataclass
class Method:
    coders: list[str]
    rounds: pd.DataFrame
    double_coded: int
    round: str | None
    main: pd.DataFrame | None        # agreement per main theme and sub-theme (before
                                     # consensus), side by side
    results: list[agreement.Agreement]   # one per level
    disagreements: int
    resolved: int                    # decided in the consensus layer
    memoed: int                      # … of which with a written reason
    changes: pd.DataFrame            # codebook changes per day
    material: str = ""               # the material and the codebook, in the report's terms

    def summary(self, table: str = "se tabell") -> str:
        """One paragraph in the report's language; `table` says where the codebook's
        changes are listed (the metodbilaga's table, or the report's pointer to it)."""
        parts = [f"Materialet kodades av {len(self.coders)} kodare." if self.coders else
                 "Projektet har inga enskilda kodares kodningar."]
        if self.results:
            parts.append(f"Samstämmigheten beräknades på {self.results[0].units_note()} "
                         "(inlägg och transkriptmeningar).")
            names = {"huvudtema": "huvudteman", "subtema": "subteman"}
            for result in self.results:
                span = result.alpha_range()
                defined = sum(c.alpha is not None for c in result.codes)
                counts = {r: sum(_reading(c) == r for c in result.codes)
                          for r in ("god", "preliminär", "otillräcklig")}
                per_code = "kunde inte beräknas för någon kod" if span is None else (
                    f"låg mellan {agreement.shown(span[0])} och {agreement.shown(span[1])} "
                    f"({defined} av {len(result.codes)} koder beräkningsbara: "
                    f"{counts['god']} god, {counts['preliminär']} preliminär, "
                    f"{counts['otillräcklig']} otillräcklig)")
                level = names.get(result.level, result.level)
                parts.append(f"Före konsensus: Krippendorffs alfa per kod för {level} "
                             f"{per_code}.")
            fig = self.results[0].overall
            ci = fig.ci.get("alpha")
            interval = f" (95 % KI {agreement.shown(ci[0])}–{agreement.shown(ci[1])})" \
                if ci else ""
            parts.append("Det sammanvägda värdet över alla beslut enhet × kod (andel "
                         "överensstämmande par av beslut; kappa och alfa på de staplade "
                         "besluten) var för huvudteman alfa "
                         f"{agreement.shown(fig.alpha)}{interval}; det väger ihop hur "
                         "koderna skiljer sig åt och är ingen tillförlitlighetsbedömning. "
                         "Intervallen är 95 % bootstrapintervall över enheter; värdena är "
                         "avkortade, inte avrundade, till tre decimaler.")
        else:
            parts.append("Ingen del av materialet dubbelkodades.")
        parts.append(self._resolutions())
        # the codebook's import is where it began, not a change made during the analysis
        edits = self.changes.drop(columns=["Datum", CHANGES["codebook.import"]])
        per_day = edits.sum(axis=1) if len(edits) else edits
        if len(per_day) and per_day.sum():
            days = int((per_day > 0).sum())
            parts.append(f"Kodboken ändrades under {days} {'dag' if days == 1 else 'dagar'} "
                         f"av analysen ({int(per_day.sum())} "
                         f"{'ändring' if per_day.sum() == 1 else 'ändringar'}; {table}).")
        return " ".join(parts)


    def _resolutions(self) -> str:
        """What became of the disagreements, counted as they are: a consensus decision
        with a memo, one without (an imported or unexplained decision), none yet."""
        text = f"{self.disagreements} oenigheter (enhet × kod) identifierades"
        if not self.disagreements:
            return text + "."
        open_ = self.disagreements - self.resolved
        if self.resolved == 0:
            return text + "; ingen av dem har ännu avgjorts i konsensuslagret."
        bare = self.resolved - self.memoed
        done = (f"{self.resolved} avgjordes i konsensuslagret, "
                + (f"{self.memoed} av dem med skriven motivering" if self.memoed
                   else "ingen av dem med skriven motivering")
                + (f" och {bare} utan" if self.memoed and bare else ""))
        return (f"{text}; {done}"
                + (f", {open_} är ännu inte avgjorda." if open_ else "."))


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
    main = None
    double = 0
    try:
        results = agreement.compute_levels(session, level=agreement.BOTH, round=round)
    except QdaError:
        results = []
    if results:
        main = agreement.levels_frame(results)
        double = results[0].overall.n_units
    found = consensus.disagreements(session, round=round) if len(coders) >= 2 else []
    return Method(coders, frame, double, round, main, results, len(found),
                  sum(d.resolved for d in found),
                  sum(d.resolved and bool((d.memo or "").strip()) for d in found),
                  codebook_changes(session), material(session))


KIND_SV = {"postits": "post-it-lappar", "padlet": "Padlet-inlägg", "survey": "enkätsvar"}


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} och {items[-1]}"


def material(session: Session) -> str:
    """The method chapter's paragraph on the material and the codebook, every figure
    counted from the project: notes per question and source, transcripts and their
    turns, the codebook's themes and where they came from."""
    notes = session.execute(select(Source.kind, Segment.question, func.count())
                            .join(Source, Source.id == Segment.source_id)
                            .where(Segment.kind == "note")
                            .group_by(Source.kind, Segment.question)).all()
    total = sum(n for _, _, n in notes)
    parts = []
    if total:
        by_kind: Counter = Counter()
        by_question: Counter = Counter()
        for kind, question, n in notes:
            by_kind[kind] += n
            by_question[question] += n
        kinds = [f"{KIND_SV.get(k, k)} {n}" for k, n in sorted(by_kind.items(),
                                                                 key=lambda kv: -kv[1])]
        questions = [f"fråga {int(q)}: {n}" for q, n in sorted(
            (q, n) for q, n in by_question.items() if q is not None)]
        if by_question.get(None):
            questions.append(f"utan fråga: {by_question[None]}")
        parts.append(f"{total} inlägg "
                     f"({_listing(kinds)}; {', '.join(questions)})")
    transcripts = session.scalar(select(func.count()).select_from(Source)
                                 .where(Source.kind == "transcript")) or 0
    if transcripts:
        turns = session.scalar(select(func.count()).select_from(Segment)
                               .where(Segment.kind == "turn")) or 0
        parts.append(f"{transcripts} transkript "
                     f"med {turns} {'yttrande' if turns == 1 else 'yttranden'}")
    text = (f"Materialet bestod av {_listing(parts)}." if parts
            else "Inget material är importerat.")
    codes = session.execute(select(Code.id, Code.parent_id, Code.origin)).all()
    if codes:
        main = sum(parent is None for _, parent, _ in codes)
        fardplan = sum(origin == "fardplan" for _, _, origin in codes)
        text += (f" Kodboken hade {main} {'huvudtema' if main == 1 else 'huvudteman'} och "
                 f"{len(codes) - main} underliggande koder; ")
        if fardplan:
            text += (f"{fardplan} av de {len(codes)} koderna kom från färdplanens begrepp och "
                     f"{len(codes) - fardplan} växte fram ur materialet.")
        else:       # a study without the roadmap: what was there from the start, and not
            imported = _imported_codes(session, {c for c, _, _ in codes})
            text += (f"{imported} av de {len(codes)} koderna fanns i kodboken från början och "
                     f"{len(codes) - imported} lades till under analysen.")
    return text


def _imported_codes(session: Session, ids: set[int]) -> int:
    """The codes that came in with a codebook (added with the memo "import NAME")."""
    added = session.execute(select(AuditEvent.entity_id, AuditEvent.memo).where(
        AuditEvent.action == "code.add", AuditEvent.entity == "code"))
    return len({code for code, memo in added
                if code in ids and (memo or "").startswith("import ")})


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
        out["Samstämmighet per huvudtema och subtema före konsensus"] = method.main
    out["Kodbokens förändringar"] = method.changes
    return out


def write_md(method: Method, path: Path) -> Path:
    text = [f"# Metodbilaga\n\n{method.material}\n\n{method.summary()}\n"]
    for title, frame in sections(method).items():
        text.append(f"## {title}\n\n{writers.markdown(frame) if len(frame) else '–'}\n")
    return writers.write_text(path, "\n".join(text))


def write_docx(method: Method, path: Path) -> Path:
    from . import word

    return word.method_docx(f"{method.material}\n\n{method.summary()}", sections(method), path)
