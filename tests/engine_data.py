"""A small codebook and generated labelled notes for the engine and model tests."""

import random

from coding.codebook import Codebook, parse_codebook
from coding.suggest.engine import Example

BOOK = Codebook.from_doc(parse_codebook("""
codes:
  - name: Resursfördelning
    definition: Resurser, ekonomi och personal.
    children:
      - name: Kostnader
        definition: Kostnader och ekonomi mellan huvudmännen.
        keywords: [kostnad, ekonomi]
      - name: Bemanning
        definition: Personal i förhållande till behov.
        keywords: [bemanning, sjuksköterskor]
  - name: Samverkan
    definition: Samarbete mellan region och kommun.
    children:
      - name: SIP
        keywords: [sip, samordnad individuell plan]
      - name: Utskrivning
        keywords: [utskrivningsklar, utskrivning]
"""))
ID = {c.label: c.id for c in BOOK.codes.values()}

TEMPLATES = {
    "Resursfördelning > Kostnader": ["Kostnad per {x} i hemsjukvården", "Ekonomi för {x}",
                                     "Vad kostar {x} per år", "Kostnaden för {x} ökar"],
    "Resursfördelning > Bemanning": ["Antal sjuksköterskor per {x}", "Bemanning på {x}",
                                     "Personal per {x} i kommunen", "Vakanser bland {x}"],
    "Samverkan > SIP": ["Antal SIP för {x}", "SIP-möten med {x}",
                        "Samordnad individuell plan för {x}", "Uppföljning av SIP {x}"],
    "Samverkan > Utskrivning": ["Utskrivningsklara dagar för {x}", "Utskrivning av {x}",
                                "Dagar till hemgång för {x}", "Utskrivningsprocessen för {x}"],
}
FILL = ["äldre", "barn", "brukare", "patienter", "multisjuka", "boende", "unga", "anhöriga"]


def labelled(n, seed):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        label = rng.choice(list(TEMPLATES))
        out.append(Example(rng.choice(TEMPLATES[label]).format(x=rng.choice(FILL)),
                           {ID[label]}))
    return out
