"""Errors a researcher can act on: one line, naming the file and the reason."""

from __future__ import annotations

from pathlib import Path


class QdaError(Exception):
    """A user-facing error. `str()` is the one line the CLI prints."""

    def __init__(self, reason: str, path: Path | str | None = None, code: str = "E000",
                 detail_sv: str | None = None):
        self.reason = reason
        self.path = Path(path) if path is not None else None
        self.code = code
        # the specifics in Swedish (which cell, which label, what is known), for the app:
        # the registry's sentence alone does not say what to correct
        self.detail_sv = detail_sv
        super().__init__(self.line())

    def __reduce__(self):
        # as made, not from the line: a helper process sends its errors back pickled
        return type(self), (self.reason, self.path, self.code, self.detail_sv)

    def line(self) -> str:
        # "." has no name: the folder it stands for has (else "/" itself)
        name = None if self.path is None else (
            self.path.name or self.path.resolve().name or str(self.path))
        where = f"{name}: " if name is not None else ""
        return f"{where}{self.reason} [{self.code}]"


class InputError(QdaError):
    """A file cannot be read as the material it claims to be."""


class DuplicateSourceError(QdaError):
    """The same bytes were imported before."""


# Every error code the tool raises: what it means (English, for the CLI reference and the
# code) and the sentence the app shows (Swedish). The CLI prints the raised error's own
# line, which names the file and the specifics. tests/test_errors.py checks that every
# raised code is here and every code here is raised.
ERRORS: dict[str, tuple[str, str]] = {
    # the project and its store
    "E010": ("the database schema is older or newer than this version",
             "databasens schema har fel version; säkerhetskopiera och kör qda migrate"),
    "E011": ("qda.toml is not valid TOML", "qda.toml är inte giltig TOML"),
    "E012": ("the database cannot be opened", "databasen går inte att öppna"),
    "E013": ("the folder is not a project", "mappen är inget workshop-qda-projekt"),
    # backup and restore
    "E060": ("a PostgreSQL client program is missing",
             "PostgreSQL-klienten (pg_dump/pg_restore) är inte installerad"),
    "E061": ("the backup folder exists already", "mappen för säkerhetskopian finns redan"),
    "E062": ("pg_dump failed", "pg_dump misslyckades"),
    "E063": ("not a backup folder", "mappen är ingen säkerhetskopia från workshop-qda"),
    "E064": ("the restore target is not empty", "målmappen är inte tom"),
    "E065": ("a PostgreSQL backup needs --database-url",
             "en PostgreSQL-kopia behöver adressen till en tom databas"),
    "E066": ("pg_restore failed", "pg_restore misslyckades"),
    "E067": ("restored row counts differ from the backup",
             "återläsningen gav inte samma antal rader som säkerhetskopian"),
    "E068": ("the folder has no project.sqlite and qda.toml names no server",
             "projektet har ingen project.sqlite och qda.toml anger ingen databasserver"),
    "E069": ("a SQLite project cannot be initialised on a server; use migrate-store",
             "projektet ligger i SQLite; flytta det till servern med qda migrate-store"),
    "E070": ("the target database is not empty", "måldatabasen är inte tom"),
    "E071": ("the copied store differs from the source",
             "kopian skiljer sig från originalet; inget flyttades"),
    "E072": ("the target folder is not empty", "målmappen är inte tom"),
    "E073": ("the project's schema is not this version's; run qda migrate first",
             "projektets schema har fel version; kör qda migrate först"),
    # a database server restarting under the app
    "E074": ("the database does not answer just now; try again",
             "Databasen svarar inte just nu – försök igen"),
    "E075": ("the database did not say whether a change was saved",
             "Databasen svarade inte när ändringen sparades – ladda om sidan och se efter "
             "om den finns med"),
    # ingest: files
    "E100": ("no such file, or a file type ingest does not read",
             "filen finns inte eller har ett format som inte stöds (.xlsx, .csv, .docx, "
             ".txt, .vtt, .srt)"),
    "E101": ("the file is empty", "filen är tom"),
    "E102": ("the text's encoding cannot be read",
             "texten har en teckenkodning som inte går att läsa; spara filen som UTF-8"),
    "E103": ("the file is not text", "filen är inte en textfil"),
    "E104": ("not a readable .xlsx workbook",
             "arbetsboken är skadad eller inte en riktig .xlsx-fil"),
    "E105": ("the workbook is password-protected",
             "arbetsboken är lösenordsskyddad; spara den utan lösenord"),
    "E106": ("an old .xls workbook", "gamla .xls-filer kan inte läsas; spara som .xlsx"),
    "E107": ("malformed CSV", "CSV-filen är felformaterad"),
    # ingest: sheets
    "E110": ("unknown sheet layout", "okänd layout"),
    "E111": ("no notes in any sheet", "inga lappar hittades i något blad"),
    "E112": ("a sheet has no notes below its headers",
             "ett blad har inga lappar under rubrikerna"),
    "E113": ("the question a sheet answers cannot be told",
             "frågan gick inte att avgöra; döp bladet till 'Fråga N' eller ange frågan"),
    "E114": ("a sheet's layout is not recognised",
             "bladets layout gick inte att känna igen (inga områdesrubriker eller "
             "textkolumn)"),
    "E115": ("a survey sheet has no free-text column", "bladet saknar en fritextkolumn"),
    "E116": ("a Fråga column holds a text that is no question the project knows",
             "Fråga-kolumnen har en text som inte är någon av projektets frågor; skriv "
             "'Fråga N: …' eller frågans nummer, eller ange frågornas texter under "
             "[questions] i qda.toml"),
    "E117": ("a header seems to misspell a column name the readers know",
             "en kolumnrubrik ser ut att vara felstavad (t.ex. 'Komun' för 'Kommun'); "
             "rätta rubriken"),
    # ingest: transcripts
    "E120": ("not a readable .docx document",
             "Word-filen är skadad eller lösenordsskyddad; spara som .docx utan lösenord"),
    "E121": ("a malformed subtitle file", "undertextfilen är felformaterad"),
    "E122": ("a subtitle file without captions", "undertextfilen saknar repliker"),
    "E123": ("no transcript text", "ingen transkripttext hittades"),
    "E124": ("a speaker list is not two columns, speaker and group, or its columns are "
             "swapped", "talarlistan har fel form (två kolumner: talare och grupp)"),
    # ingest: sources and options
    "E130": ("the same file was imported before", "exakt samma fil är redan importerad"),
    "E131": ("--replace cannot tell which source a file replaces",
             "flera källor har samma filnamn; det går inte att avgöra vilken som ska ersättas"),
    "E132": ("no such workshop", "workshopen finns inte; registrera den först"),
    "E133": ("nothing to replace: no such source, or none with the file's name or bytes",
             "det finns ingen tidigare källa att ersätta (ingen har filens namn eller "
             "innehåll); välj källan den ersätter under ”Ersätter källan”, eller importera "
             "utan ”Ersätt tidigare import”"),
    "E134": ("--replaces takes one file", "välj en enda fil när du anger vilken källa den "
                                          "ersätter"),
    "E140": ("a workshop needs a label and an area",
             "en workshop behöver en benämning och ett område"),
    "E143": ("a workshop's date is YYYY-MM-DD", "datumet skrivs ÅÅÅÅ-MM-DD"),
    "E144": ("a participant count is not a whole number of at least 0",
             "antal deltagare måste vara ett heltal, minst 0"),
    "E145": ("a workshops file is not a CSV or YAML list of workshops",
             "workshopfilen är ingen CSV- eller YAML-lista med workshoppar"),
    "E146": ("no workshops in the file", "filen innehåller inga workshoppar"),
    "E150": ("no importable files in the paths given", "inga filer att importera"),
    "E160": ("the demo folder holds a project", "mappen innehåller redan ett projekt"),
    "E161": ("the demo folder is not empty", "mappen är inte tom"),
    "E170": ("no such possible name in the source",
             "ordet finns inte bland källans möjliga namn"),
    "E171": ("the word does not occur in the source", "ordet finns inte i källan"),
    "E172": ("no such source", "källan finns inte"),
    # the study's dimensions: areas, participant groups, formats
    "E180": ("no such study profile", "studieprofilen finns inte"),
    "E181": ("the study profile is not valid", "studieprofilen är inte giltig"),
    "E182": ("unknown dimension (area, group or format)",
             "okänd dimension (område, deltagargrupp eller format)"),
    "E183": ("the project has no such area, group or format",
             "projektet har inget sådant område, deltagargrupp eller format"),
    "E184": ("an area, group or format needs a label",
             "ett område, en deltagargrupp eller ett format behöver ett namn"),
    "E185": ("the name is taken by another area, group or format",
             "namnet används redan av ett annat område, en annan grupp eller ett annat format"),
    "E186": ("a value is named twice or merged into itself",
             "ett värde nämns två gånger eller slås ihop med sig självt"),
    "E187": ("the value is in use; merge it instead of deleting it",
             "värdet används; slå ihop det med ett annat i stället för att ta bort det"),
    "E188": ("an unknown label where the project's list is fixed",
             "okänt namn, och projektets lista är låst"),
    "E189": ("a table's columns are by area, group or format",
             "tabellens kolumner är per område, deltagargrupp eller format"),
    # coding from the command line
    "E232": ("a decisions file cannot be read", "beslutsfilen går inte att läsa"),
    "E233": ("a line of a decisions file is not SEGMENT<TAB>CODE[<TAB>MEMO]",
             "en rad i beslutsfilen har fel form"),
    "E234": ("give SEGMENT and CODE or --from, one of them",
             "ange antingen segment och kod eller en fil"),
    # serving the app
    "E240": ("the port is already in use", "porten används redan av ett annat program"),
    # not relevant, and memos on sources and workshops
    "E250": ("a unit with the coder's codes cannot be marked not relevant",
             "enheten har dina koder: ta bort dem innan du markerar den som inte relevant"),
    "E251": ("the unit is marked not relevant already",
             "enheten är redan markerad som inte relevant"),
    "E252": ("the unit is not marked not relevant", "enheten är inte markerad som inte relevant"),
    "E253": ("a memo needs text", "anteckningen är tom"),
    "E254": ("a memo is on one source or one workshop",
             "en anteckning gäller en källa eller en workshop"),
    "E255": ("no such source or workshop for the memo",
             "källan eller workshopen för anteckningen finns inte"),
    "E256": ("no such memo", "anteckningen finns inte"),
    # the meaning signal (the embed extra)
    "E260": ("the embedding signal was asked for but the embed extra is not installed",
             "betydelsesignalen kräver tillägget embed: pip install 'workshop-qda[embed]'"),
    # the codebook
    "E300": ("a codebook file is not valid YAML", "kodboken är inte giltig YAML"),
    "E301": ("a codebook's content is not valid", "kodboken har ett ogiltigt innehåll"),
    "E302": ("no such codebook", "kodboken finns inte"),
    "E303": ("a codebook table lacks a tag column or codes",
             "kodbokstabellen saknar kolumnen tag, name eller path, eller koder"),
    # evaluation
    "E312": ("a labelled file lacks columns or rows",
             "filen saknar kolumner eller rader med text och huvudtema"),
    "E313": ("--level is huvudtema, subtema or both", "nivån är huvudtema, subtema eller båda"),
    # codes and codings
    "E320": ("no such code", "koden finns inte i kodboken"),
    "E321": ("a code's name or fields are not valid",
             "kodens namn eller fält är ogiltiga (ett namn får inte innehålla '>')"),
    "E322": ("a code cannot be moved or merged into itself",
             "en kod kan inte flyttas eller slås ihop med sig själv eller sina underkoder"),
    "E323": ("a code with codings is not deleted without --force",
             "koden har kodningar; slå ihop den med en annan kod eller ta bort kodningarna "
             "också"),
    "E330": ("a coder name is empty or reserved",
             "kodarnamnet är tomt eller reserverat (förslag…, konsensus)"),
    "E331": ("a decision is accepted or rejected", "ett beslut är accepterat eller avvisat"),
    "E332": ("no such segment", "enheten finns inte"),
    "E333": ("unknown review order", "okänd ordning"),
    "E334": ("unknown review status", "okänd status"),
    "E335": ("sentences outside the turn", "meningarna ligger utanför repliken"),
    "E336": ("a turn is decided by its sentences, the units",
             "en replik kodas genom sina meningar, som är enheterna"),
    "E337": ("no material yet", "projektet har inget material än: importera en fil först"),
    "E338": ("the codebook is empty", "kodboken är tom: importera eller skapa koder först"),
    # tables in and out
    "E340": ("a table is .tsv, .csv or .xlsx", "tabellen ska vara .tsv, .csv eller .xlsx"),
    "E341": ("a table cannot be read", "tabellen går inte att läsa"),
    "E342": ("a codings table lacks a column it needs",
             "kodningstabellen saknar en kolumn (segment eller text, kod eller "
             "huvudtema/subtema, kodare)"),
    "E343": ("no row of a codings table names a unit of the project",
             "ingen rad i kodningstabellen pekar ut en enhet i projektet; inget importerades"),
    "E344": ("a codings table names a code that looks like a misspelled one",
             "kodningstabellen har en kod som ser ut att vara en felstavning av en befintlig "
             "kod; rätta filen"),
    # agreement and consensus
    "E350": ("unknown agreement level", "okänd nivå"),
    "E351": ("agreement needs two coders with codings",
             "samstämmighet kräver minst två kodare med kodningar"),
    "E352": ("a consensus decision needs a memo", "ett konsensusbeslut behöver en motivering"),
    "E353": ("a consensus decision names its codes or that no code applies, not both or "
             "neither", "ett konsensusbeslut anger sina koder eller att ingen kod gäller"),
    # rounds of double coding
    "E360": ("a round needs at least two coders", "en omgång behöver minst två kodare"),
    "E361": ("a round's share, number of units or kinds are not valid",
             "andelen, antalet enheter eller källtyperna är ogiltiga"),
    "E362": ("nothing to assign in a round", "det finns inga enheter att fördela"),
    "E363": ("a round of that name exists", "en omgång med det namnet finns redan"),
    "E364": ("no such round", "omgången finns inte"),
    "E365": ("the round is closed already", "omgången är redan avslutad"),
    "E366": ("not an open, undecided unit of the coder in any round",
             "enheten är inte en öppen, oavgjord enhet för kodaren i någon omgång"),
    "E367": ("a quote's printed text must keep the unit's own words in order: cuts as "
             "[...], additions in brackets",
             "citatet måste behålla enhetens egna ord i samma ordning: strykningar som "
             "[...], tillägg inom hakparentes"),
    "E368": ("notes to merge or keep apart: at least two notes of the same question",
             "välj minst två lappar från samma fråga"),
    "E369": ("notes kept apart would print as one row through other merges",
             "lappar som hålls isär skulle hamna på samma rad genom andra sammanslagningar"),
    # exports
    "E400": ("no accepted codings by that coder", "kodaren har inga accepterade kodningar"),
    "E401": ("no coding layer to export yet", "det finns inga kodningar att exportera än"),
    "E402": ("unknown export", "okänd export"),
    "E403": ("the export is not offered in that format",
             "exporten finns inte i det formatet"),
    "E404": ("[questions] in qda.toml is not a table of texts",
             "[questions] i qda.toml ska ange en text per frågenummer"),
    "E405": ("a heatmap is by area, group, format or question",
             "värmekartan visas per område, deltagargrupp, format eller fråga"),
    "E406": ("the output file's suffix names another format than the one asked for",
             "filnamnets ändelse är ett annat format än det som valts"),
    "E410": ("the file cannot be written", "filen kunde inte skrivas"),
    # REFI-QDA import
    "E420": ("not a .qdpx (zip) file", "filen är ingen .qdpx (zip)"),
    "E421": ("a .qdpx without project.qde", "arkivet saknar project.qde"),
    "E422": ("project.qde is not a REFI-QDA project",
             "project.qde är inget REFI-QDA-projekt"),
    "E423": ("the import target folder is not empty", "målmappen är inte tom"),
    "E424": ("a source's text is missing from the archive",
             "en källas text saknas i arkivet"),
    "E425": ("a codebook (.qdc) given where a project belongs",
             "filen är en kodbok (.qdc), inget projekt; importera den på sidan Kodbok"),
    "E426": ("a project (.qdpx) given as a .qdc codebook",
             "filen är ett projekt, ingen kodbok"),
    "E430": ("a source's text in the archive cannot be read (with --strict)",
             "en källas text i arkivet kan inte läsas"),
    "E431": ("a span to code is not inside the turn", "urvalet ligger inte i turen"),
    # accounts and access
    "E600": ("the role does not allow this", "din roll tillåter inte detta"),
    "E601": ("unknown role", "okänd roll"),
    "E602": ("a login name that is not allowed", "inloggningsnamnet är inte tillåtet"),
    "E603": ("a password too short", "lösenordet är för kort (minst 10 tecken)"),
    "E604": ("no such user", "användaren finns inte"),
    "E605": ("the user exists already", "användaren finns redan"),
    "E606": ("hidden in a blind round", "dold: omgången är blind tills den avslutas"),
    "E607": ("one may act only as oneself", "du kan bara koda som dig själv"),
    "E608": ("not an enabled user of the project",
             "inte en aktiv användare i projektet"),
    "E609": ("the project would lose its last projektledare",
             "projektet måste ha minst en aktiv projektledare"),
    "E610": ("wrong login or password", "fel inloggningsnamn eller lösenord"),
    "E611": ("too many failed logins for this login from this client; wait",
             "för många misslyckade inloggningar härifrån; vänta en stund"),
    "E612": ("wrong login or invitation code", "fel inloggningsnamn eller inbjudningskod"),
    "E613": ("the signed-in account is not a user of the project",
             "kontot är inte användare i projektet"),
    "E614": ("the one acting must be an Actor, not a plain name",
             "den som agerar måste vara en Actor, inte ett namn"),
    # serving the app
    "E620": ("give both --tls-cert and --tls-key", "ange både certifikat och nyckel"),
    "E621": ("certificate or key file not found", "certifikat- eller nyckelfilen finns inte"),
    "E622": ("a project without users is served only on loopback",
             "ett projekt utan användare visas bara på den här datorn"),
    # accounts against a hostile team member: login throttle, passwords
    "E630": ("too many failed logins from this client", "för många misslyckade inloggningar "
             "härifrån; vänta en minut"),
    "E631": ("too many failed logins on the server: only clients that logged in before may "
             "try", "för många misslyckade inloggningar på servern; vänta en minut"),
    "E632": ("the password is too easy to guess", "lösenordet är för lätt att gissa"),
    "E633": ("the current password is wrong", "det nuvarande lösenordet är fel"),
    # Delphi rounds
    "E700": ("no such Delphi study", "Delphistudien finns inte"),
    "E701": ("a Delphi study of that name exists", "en Delphistudie med det namnet finns redan"),
    "E702": ("no such Delphi item", "indikatorn finns inte"),
    "E703": ("an item needs a wording", "indikatorn behöver en formulering"),
    "E704": ("unknown panel group", "okänd panelgrupp"),
    "E705": ("the invitation code is not valid or was revoked",
             "inbjudningskoden gäller inte (fel kod eller återkallad)"),
    "E706": ("a round is open already", "en omgång är redan öppen"),
    "E707": ("no such round, or not open", "omgången finns inte eller är inte öppen"),
    "E708": ("the round is closed: its answers cannot change",
             "omgången är stängd: svaren kan inte ändras"),
    "E709": ("the item is not in this round", "indikatorn ingår inte i omgången"),
    "E710": ("a rating is a whole number 1-9, or 'kan inte bedöma'",
             "ett betyg är ett heltal 1–9, eller ”kan inte bedöma”"),
    "E711": ("no items to ask about", "det finns inga indikatorer att fråga om"),
    "E712": ("a consensus rule out of range",
             "konsensusregeln är ogiltig (andel över 0,5; 1 ≤ gräns för uteslutning < "
             "gräns för inkludering ≤ 9)"),
    "E713": ("no such panelist", "paneldeltagaren finns inte"),
}


def swedish(exc: QdaError) -> str:
    """The app's sentence for an error: the registry's Swedish text, the specifics where
    the error has them in Swedish, and the code."""
    meaning = ERRORS.get(exc.code)
    text = meaning[1] if meaning else exc.reason
    detail = getattr(exc, "detail_sv", None)
    return f"{text}: {detail} ({exc.code})" if detail else f"{text} ({exc.code})"
