"""A labelled set for pseudonymisation, written for the tests: fictional Swedish workshop
sentences built from our own templates, each with the names and identity numbers that must
disappear and the words that look like names but must stay (places, everyday words).

Each case is (sentence, must_go, must_stay). Deterministic: no randomness."""

from __future__ import annotations

from itertools import cycle, islice

FIRST = ["Maria", "Lena", "Birgitta", "Eva", "Karin", "Anders", "Johan", "Mikael", "Åsa",
         "Göran", "Ingrid", "Kristina", "Lars", "Ulrika", "Fredrik", "Elin", "Sofia",
         "Jonas", "Malin", "Henrik", "Ahmed", "Fatima", "Per", "Bo"]
SURNAME = ["Lindqvist", "Karlsson", "Berg", "Svensson", "Johansson", "Andersson", "Nilsson",
           "Eriksson", "Larsson", "Olsson", "Persson", "Gustafsson", "Pettersson", "Jonsson",
           "Lindberg", "Sandberg", "Holm", "Ek", "Hedlund", "Bergström", "Hussein", "Lund",
           "Sjöberg", "Engström"]
PLACE = ["Borås", "Mark", "Vara", "Ale", "Lerum", "Skövde", "Uddevalla", "Alingsås", "Tjörn",
         "Lysekil", "Mölndal", "Falköping"]

# {f} first name, {s} surname, {p} a place
NAMED = [
    "Jag heter {f} {s} och arbetar som enhetschef i {p}.",
    "{f} {s} heter jag och jag är distriktssköterska.",
    "Mitt namn är {f} {s}, jag är biståndshandläggare i {p}.",
    "Ring {f} {s} om ni har frågor om avtalet.",
    "Vi pratade med {f} på vårdcentralen i {p}.",
    "Enligt {f} {s} fungerar SIP-mötena bra i {p}.",
    "Kontakta {f} {s} på kommunen i {p}.",
    "{f} {s} har gjort en bra sammanställning av väntetiderna.",
    "Det var {f} som tog fram siffrorna för {p}.",
    "Jag håller med {f} om att uppföljningen behövs.",
    "{f}s förslag om mobila team i {p} var bra.",
    "Som {s} sa tidigare saknas data om hemsjukvården.",
    "{f} sa att kostnaderna ökar i {p}.",
    "Hälsningar från {f} {s} i {p}.",
    "Fråga {f}, hon har koll på läkemedelsgenomgångarna.",
    "Chefen {f} {s} vill ha nyckeltal per månad.",
    "Vi fick hjälp av {f} {s} med statistiken.",
    "Sjuksköterskan {f} ringde om en utskrivning i {p}.",
]
# names no list knows (a rare first name, Finnish and Sami surnames), as a second study's
# trial met them; written after the rules that find them, so a check that they stay found
UNLISTED_FIRST = ["Kjelle", "Novalie"]
UNLISTED_SURNAME = ["Mäkitalo", "Niemi", "Pekkari", "Lantto", "Keskitalo", "Alatalo"]
UNLISTED = [
    "Kontakta {f} {s} om vägarna i {p}.",
    "Det var {f} {s} som ordnade mötet i {p}.",
    "{f} sa att bussen inte går till {p}.",
    "Vi pratade med {s} på kommunen i {p}.",
    "Som {s} sa saknas data om hemtjänsten.",
    "Jag ringde {f} om översvämningen.",
]
# nothing to remove; the place and the everyday words must stay
KEEP = [
    "Per månad görs tre hembesök i {p}.",
    "Inga avvikelser rapporterades i {p} förra året.",
    "Vi samverkar med Lunds universitet och kommunen i {p}.",
    "Region Västra Götaland ansvarar för primärvården i {p}.",
    "Närhälsan och kommunen i {p} har ett gemensamt avtal.",
    "Bo kvar hemma längre är målet för de flesta i {p}.",
    "Max tre besök per vecka räcker inte i {p}.",
    "Mobila team finns i {p} men inte överallt.",
    "Kontaktperson på varje enhet i {p}, minst två.",
    "Patientström och Kvalitetsberg är våra egna ord i {p}.",
    "Enligt Socialstyrelsen och Region Halland behövs fler mått i {p}.",
    "Kontakta Närhälsan eller Vårdcentralen Centrum i {p}.",
]
PNR = ["19520304-1235", "811218-9876", "811218-9875", "701063-2391", "19450612-4418",
       "650230-1234", "20010101-0000", "480915+1234"]
NUMBERED = [
    "Brukaren med personnummer {n} fick en SIP i {p}.",
    "Samordningsnummer {n} saknades i journalen.",
    "Personnumret {n} skrevs fel i ärendet.",
]


def cases() -> list[tuple[str, list[str], list[str]]]:
    out = []
    people = zip(cycle(FIRST), islice(cycle(SURNAME), 3, None))
    places = cycle(PLACE)
    for i, (f, s) in enumerate(islice(people, 9 * len(NAMED))):
        template = NAMED[i % len(NAMED)]
        place = next(places)
        sentence = template.format(f=f, s=s, p=place)
        gone = [w for w in (f, s) if "{" + ("f" if w == f else "s") + "}" in template]
        out.append((sentence, gone, [place] if "{p}" in template else []))
    unlisted = zip(cycle(UNLISTED_FIRST), cycle(UNLISTED_SURNAME))
    for i, (f, s) in enumerate(islice(unlisted, 2 * len(UNLISTED))):
        template = UNLISTED[i % len(UNLISTED)]
        place = next(places)
        gone = [w for w, key in ((f, "{f}"), (s, "{s}")) if key in template]
        out.append((template.format(f=f, s=s, p=place), gone,
                    [place] if "{p}" in template else []))
    for i, place in enumerate(islice(places, 4 * len(KEEP))):
        template = KEEP[i % len(KEEP)]
        sentence = template.format(p=place)
        stay = [place] + [w for w in ("Per", "Inga", "Lunds", "Region", "Närhälsan", "Bo",
                                      "Max", "Mobila", "Kontaktperson", "Patientström",
                                      "Socialstyrelsen", "Region Halland", "Närhälsan",
                                      "Vårdcentralen Centrum")
                        if w in sentence]
        out.append((sentence, [], stay))
    for i, number in enumerate(islice(cycle(PNR), 3 * len(PNR))):
        place = next(places)
        out.append((NUMBERED[i % len(NUMBERED)].format(n=number, p=place), [number],
                    [place] if "{p}" in NUMBERED[i % len(NUMBERED)] else []))
    return out


def score(pseudonymise) -> dict[str, float]:
    """Recall on names and on numbers (each gold item gone from the output), precision
    (of the words that must stay, the share that stayed; a name removed counts as right)."""
    names = numbers = names_gone = numbers_gone = kept = must_keep = 0
    for sentence, gone, stay in cases():
        out = pseudonymise(sentence)
        for item in gone:
            is_number = item[0].isdigit()
            caught = item not in out
            if is_number:
                numbers, numbers_gone = numbers + 1, numbers_gone + caught
            else:
                names, names_gone = names + 1, names_gone + caught
        for item in stay:
            must_keep += 1
            kept += item in out
    removed_wrongly = must_keep - kept
    return {"sentences": len(cases()), "names": names, "name_recall": names_gone / names,
            "numbers": numbers, "number_recall": numbers_gone / numbers,
            "must_stay": must_keep, "kept": kept,
            "name_precision": names_gone / (names_gone + removed_wrongly)}
