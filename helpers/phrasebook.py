"""English→French sentence pairs for notebook 08 (sequence to sequence), made by rules from a small lexicon.

About 70 nouns, 20 adjectives and 26 verbs, and a grammar that gets the French right: le/la/l'/les,
cet/ce/cette, mon école, son/sa agreeing with the noun, le vieil arbre and un bel oiseau, de before a plural
adjective, au/aux/du/des, ne…pas with de/d' for an indefinite object, j'/n' before a vowel, être verbs
whose participle agrees, irregular futures. On the English side: a/an, does/did not, some/any, -s.

    the old man who saw my black dog will not go to the market tomorrow
    le vieil homme qui a vu mon chien noir n'ira pas au marché demain

Conventions, the choices any translator has to make:
- "you" is "vous" (your: votre/vos) and "they" is "ils"; his and her are both son/sa/ses.
- The English simple past is the passé composé and "will" the futur simple, except for the three
  verbs that name a state, have, know and like: their past is a state that lasted, the imparfait
  (j'avais, ils connaissaient, nous aimions). A state takes no time adverb ("knew … yesterday",
  "know … every day"). After être the participle agrees with the subject: she → allée; i and he →
  allé; we, you and they → allés; a feminine plural noun → allées.
- French adjectives stand before the noun (petit, vieux) or after it (noir, heureux). English puts both
  first, "the big red ball" → "le grand ballon rouge"; random sentences stack two only as [size, age or
  opinion] + colour, the order English wants. "like" takes no a/some (French says "j'aime les chats"),
  and no person: aimer with a person means love ("like" would need aimer bien).
- One goes *to* most places (aller à la gare) but *into* a garden (aller dans le jardin).
- In random sentences places are singular, and man, woman, boy and girl take no my/his/… ("ma femme"
  is "my wife"), and mother and father are never plural after my, his, … ("my mothers"). An "in" phrase
  never follows a place or a fixture ("a park in our house"). "read" is also its own past, so "we read
  the book" would be ambiguous: random sentences use that past only where "reads", "did not" or a time
  adverb tells the tense.
- Random English lengths are drawn evenly from 3 to 25 words (two clauses joined by and/et for long ones).

Tokens are lower case without punctuation. An elided French word is a token that ends in an apostrophe
("l'", "arbre"); `detokenize_french` glues it to the next word.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice, permutations

from helpers.course import validate


@dataclass(frozen=True)
class Noun:
    """A noun in both languages; `vowel`: French elides before it (l'arbre, l'homme, but le hibou)."""

    english: str
    english_plural: str
    french: str
    french_plural: str
    gender: str  # "m" or "f"
    vowel: bool
    kind: str  # person, animal, food, text, work (song, poem), object (portable), fixture or place

    def fits(self, targets: str) -> bool:
        """Whether this noun is among `targets`: noun classes or English nouns, space-separated."""
        return self.kind in targets.split() or self.english in targets.split()


# A table, one row per word, its columns aligned by hand:
# fmt: off
NOUNS = tuple(
    Noun(*row)
    for row in (
        # English      plural        French          plural          gender vowel  class
        ("man",        "men",        "homme",        "hommes",        "m", True,  "person"),
        ("woman",      "women",      "femme",        "femmes",        "f", False, "person"),
        ("child",      "children",   "enfant",       "enfants",       "m", True,  "person"),
        ("boy",        "boys",       "garçon",       "garçons",       "m", False, "person"),
        ("girl",       "girls",      "fille",        "filles",        "f", False, "person"),
        ("friend",     "friends",    "ami",          "amis",          "m", True,  "person"),
        ("teacher",    "teachers",   "professeur",   "professeurs",   "m", False, "person"),
        ("doctor",     "doctors",    "médecin",      "médecins",      "m", False, "person"),
        ("sister",     "sisters",    "sœur",         "sœurs",         "f", False, "person"),
        ("brother",    "brothers",   "frère",        "frères",        "m", False, "person"),
        ("mother",     "mothers",    "mère",         "mères",         "f", False, "person"),
        ("father",     "fathers",    "père",         "pères",         "m", False, "person"),
        ("neighbour",  "neighbours", "voisin",       "voisins",       "m", False, "person"),
        ("uncle",      "uncles",     "oncle",        "oncles",        "m", True,  "person"),
        ("aunt",       "aunts",      "tante",        "tantes",        "f", False, "person"),
        ("student",    "students",   "étudiant",     "étudiants",     "m", True,  "person"),
        ("cat",        "cats",       "chat",         "chats",         "m", False, "animal"),
        ("dog",        "dogs",       "chien",        "chiens",        "m", False, "animal"),
        ("horse",      "horses",     "cheval",       "chevaux",       "m", False, "animal"),
        ("bird",       "birds",      "oiseau",       "oiseaux",       "m", True,  "animal"),
        ("mouse",      "mice",       "souris",       "souris",        "f", False, "animal"),
        ("cow",        "cows",       "vache",        "vaches",        "f", False, "animal"),
        ("elephant",   "elephants",  "éléphant",     "éléphants",     "m", True,  "animal"),
        ("owl",        "owls",       "hibou",        "hiboux",        "m", False, "animal"),  # h aspiré
        ("apple",      "apples",     "pomme",        "pommes",        "f", False, "food"),
        ("cake",       "cakes",      "gâteau",       "gâteaux",       "m", False, "food"),
        ("orange",     "oranges",    "orange",       "oranges",       "f", True,  "food"),
        ("egg",        "eggs",       "œuf",          "œufs",          "m", True,  "food"),
        ("banana",     "bananas",    "banane",       "bananes",       "f", False, "food"),
        ("sandwich",   "sandwiches", "sandwich",     "sandwichs",     "m", False, "food"),
        ("tomato",     "tomatoes",   "tomate",       "tomates",       "f", False, "food"),
        ("book",       "books",      "livre",        "livres",        "m", False, "text"),
        ("letter",     "letters",    "lettre",       "lettres",       "f", False, "text"),
        ("newspaper",  "newspapers", "journal",      "journaux",      "m", False, "text"),
        ("magazine",   "magazines",  "magazine",     "magazines",     "m", False, "text"),
        ("song",       "songs",      "chanson",      "chansons",      "f", False, "work"),
        ("poem",       "poems",      "poème",        "poèmes",        "m", False, "work"),
        ("key",        "keys",       "clé",          "clés",          "f", False, "object"),
        ("hat",        "hats",       "chapeau",      "chapeaux",      "m", False, "object"),
        ("ball",       "balls",      "ballon",       "ballons",       "m", False, "object"),
        ("cup",        "cups",       "tasse",        "tasses",        "f", False, "object"),
        ("bottle",     "bottles",    "bouteille",    "bouteilles",    "f", False, "object"),
        ("box",        "boxes",      "boîte",        "boîtes",        "f", False, "object"),
        ("coat",       "coats",      "manteau",      "manteaux",      "m", False, "object"),
        ("umbrella",   "umbrellas",  "parapluie",    "parapluies",    "m", False, "object"),
        ("chair",      "chairs",     "chaise",       "chaises",       "f", False, "object"),
        ("flower",     "flowers",    "fleur",        "fleurs",        "f", False, "object"),
        ("bike",       "bikes",      "vélo",         "vélos",         "m", False, "object"),
        ("car",        "cars",       "voiture",      "voitures",      "f", False, "fixture"),
        ("house",      "houses",     "maison",       "maisons",       "f", False, "fixture"),
        ("tree",       "trees",      "arbre",        "arbres",        "m", True,  "fixture"),
        ("table",      "tables",     "table",        "tables",        "f", False, "fixture"),
        ("window",     "windows",    "fenêtre",      "fenêtres",      "f", False, "fixture"),
        ("door",       "doors",      "porte",        "portes",        "f", False, "fixture"),
        ("market",     "markets",    "marché",       "marchés",       "m", False, "place"),
        ("school",     "schools",    "école",        "écoles",        "f", True,  "place"),
        ("park",       "parks",      "parc",         "parcs",         "m", False, "place"),
        ("beach",      "beaches",    "plage",        "plages",        "f", False, "place"),
        ("station",    "stations",   "gare",         "gares",         "f", False, "place"),
        ("library",    "libraries",  "bibliothèque", "bibliothèques", "f", False, "place"),
        ("hospital",   "hospitals",  "hôpital",      "hôpitaux",      "m", True,  "place"),
        ("church",     "churches",   "église",       "églises",       "f", True,  "place"),
        ("cinema",     "cinemas",    "cinéma",       "cinémas",       "m", False, "place"),
        ("museum",     "museums",    "musée",        "musées",        "m", False, "place"),
        ("restaurant", "restaurants", "restaurant",  "restaurants",   "m", False, "place"),
        ("garden",     "gardens",    "jardin",       "jardins",       "m", False, "place"),
        ("office",     "offices",    "bureau",       "bureaux",       "m", False, "place"),
        ("airport",    "airports",   "aéroport",     "aéroports",     "m", True,  "place"),
    )
)
# fmt: on


@dataclass(frozen=True)
class Adjective:
    """An adjective: its English word, its French forms, where French puts it and which nouns it fits."""

    english: str
    french: tuple[str, ...]  # masculine, feminine, masculine plural, feminine plural
    before_vowel: str  # masculine singular before a vowel, where French has one: vieil, nouvel, bel
    before: bool  # French puts it before the noun (petit chat) or after it (chat noir)
    fits: str  # noun classes or English nouns it can describe

    def form(self, noun: Noun, plural: bool) -> str:
        """The French form that agrees with `noun` (for a before-adjective: standing right before it)."""
        if self.before_vowel and noun.vowel and noun.gender == "m" and not plural:
            return self.before_vowel
        return self.french[2 * plural + (noun.gender == "f")]


# A table, one row per word, its columns aligned by hand:
# fmt: off
ADJECTIVES = tuple(
    Adjective(english, tuple(french.split()), before_vowel, before, fits)
    for english, french, before_vowel, before, fits in (
        # English    French: m, f, m plural, f plural       m + vowel  before?  fits
        ("small",     "petit petite petits petites",         "",       True,
         "child boy girl animal food text object fixture place"),
        ("big",       "grand grande grands grandes",         "",       True,  "animal text object fixture place"),
        ("young",     "jeune jeune jeunes jeunes",           "",       True,  "person animal"),
        ("old",       "vieux vieille vieux vieilles",        "vieil",  True,
         "man woman friend teacher doctor neighbour uncle aunt mother father animal text object fixture place"),
        ("new",       "nouveau nouvelle nouveaux nouvelles", "nouvel", True,
         "friend teacher doctor neighbour student text work object fixture place"),
        ("beautiful", "beau belle beaux belles",             "bel",    True,
         "woman girl animal work object fixture place"),
        ("good",      "bon bonne bons bonnes",               "",       True,
         "friend teacher doctor neighbour student child animal food text work"),
        ("pretty",    "joli jolie jolis jolies",             "",       True,
         "woman girl animal flower hat house garden park beach church"),
        ("black",     "noir noire noirs noires",             "",       False, "animal object car house door book"),
        ("white",     "blanc blanche blancs blanches",       "",       False, "animal object car house door book"),
        ("red",       "rouge rouge rouges rouges",           "",       False, "object car house door book apple"),
        ("green",     "vert verte verts vertes",             "",       False, "object car house door book apple"),
        ("blue",      "bleu bleue bleus bleues",             "",       False, "object car house door book bird"),
        ("yellow",    "jaune jaune jaunes jaunes",           "",       False, "object car house door book bird"),
        ("happy",     "heureux heureuse heureux heureuses",  "",       False, "person animal"),
        ("tired",     "fatigué fatiguée fatigués fatiguées", "",       False, "person animal"),
        ("fast",      "rapide rapide rapides rapides",       "",       False, "horse dog cat mouse car bike"),
        ("heavy",     "lourd lourde lourds lourdes",         "",       False,
         "box chair bottle coat bike book table car"),
        ("expensive", "cher chère chers chères",             "",       False, "object car house book cake restaurant"),
        ("famous",    "célèbre célèbre célèbres célèbres",   "",       False,
         "man woman teacher doctor work book place"),
    )
)
# fmt: on
COLOURS = ("black", "white", "red", "green", "blue", "yellow")  # may follow another adjective in English


@dataclass(frozen=True)
class Verb:
    """A verb: English base, 3rd singular and past; French present (6 persons), participle, future stem."""

    english: str  # "see"; two words for "look for", "talk to", "go to", "arrive at"
    english_3sg: str  # "sees"
    english_past: str  # "saw"
    present: tuple[str, ...]  # je, tu, il/elle, nous, vous, ils
    participle: str
    future: str  # the stem that takes the endings -ai, -as, -a, -ons, -ez, -ont: verr → verra
    objects: str  # noun classes or English nouns it takes as object; "" when it takes none
    flags: str  # "animals": an animal can be its subject; "être": its auxiliary; "à": à before the object


# A table, one row per word, its columns aligned by hand:
# fmt: off
VERBS = tuple(
    Verb(english, third, past, tuple(french.split()), *rest)
    for english, third, past, french, *rest in (
        # English     3rd singular  past          French present: je, tu, il, nous, vous, ils
        # participle  future stem   objects: noun classes or English nouns                   flags
        ("see",       "sees",       "saw",        "vois vois voit voyons voyez voient",
         "vu",        "verr",       "person animal text object fixture place",             "animals"),
        ("eat",       "eats",       "ate",        "mange manges mange mangeons mangez mangent",
         "mangé",     "manger",     "food",                                                "animals"),
        ("like",      "likes",      "liked",      "aime aimes aime aimons aimez aiment",
         "aimé",      "aimer",      "animal food text work object fixture place",          "animals"),
        ("buy",       "buys",       "bought",     "achète achètes achète achetons achetez achètent",
         "acheté",    "achèter",    "animal food text object car house table",             ""),
        ("take",      "takes",      "took",       "prends prends prend prenons prenez prennent",
         "pris",      "prendr",     "food text object",                                    ""),
        ("have",      "has",        "had",        "ai as a avons avez ont",
         "eu",        "aur",        "animal food text object car house",                   "animals"),
        ("find",      "finds",      "found",      "trouve trouves trouve trouvons trouvez trouvent",
         "trouvé",    "trouver",    "person animal food text object",                      "animals"),
        ("read",      "reads",      "read",       "lis lis lit lisons lisez lisent",
         "lu",        "lir",        "text poem",                                           ""),
        ("write",     "writes",     "wrote",      "écris écris écrit écrivons écrivez écrivent",
         "écrit",     "écrir",      "work letter book",                                    ""),
        ("sell",      "sells",      "sold",       "vends vends vend vendons vendez vendent",
         "vendu",     "vendr",      "animal food text object car house table",             ""),
        ("watch",     "watches",    "watched",    "regarde regardes regarde regardons regardez regardent",
         "regardé",   "regarder",   "person animal car",                                   "animals"),
        ("carry",     "carries",    "carried",    "porte portes porte portons portez portent",
         "porté",     "porter",     "food text object",                                    ""),
        ("know",      "knows",      "knew",       "connais connais connaît connaissons connaissez connaissent",
         "connu",     "connaîtr",   "person work place",                                   "animals"),
        ("help",      "helps",      "helped",     "aide aides aide aidons aidez aident",
         "aidé",      "aider",      "person",                                              ""),
        ("look for",  "looks for",  "looked for", "cherche cherches cherche cherchons cherchez cherchent",
         "cherché",   "chercher",   "person animal food text object car place",            "animals"),
        ("talk to",   "talks to",   "talked to",  "parle parles parle parlons parlez parlent",
         "parlé",     "parler",     "person",                                              "à"),
        ("go to",     "goes to",    "went to",    "vais vas va allons allez vont",
         "allé",      "ir",         "place",                                               "animals être à"),
        ("come to",   "comes to",   "came to",    "viens viens vient venons venez viennent",
         "venu",      "viendr",     "place",                                               "animals être à"),
        ("arrive at", "arrives at", "arrived at", "arrive arrives arrive arrivons arrivez arrivent",
         "arrivé",    "arriver",    "place",                                               "animals être à"),
        ("sleep",     "sleeps",     "slept",      "dors dors dort dormons dormez dorment",
         "dormi",     "dormir",     "",                                                    "animals"),
        ("run",       "runs",       "ran",        "cours cours court courons courez courent",
         "couru",     "courr",      "",                                                    "animals"),
        ("swim",      "swims",      "swam",       "nage nages nage nageons nagez nagent",
         "nagé",      "nager",      "",                                                    "animals"),
        ("sing",      "sings",      "sang",       "chante chantes chante chantons chantez chantent",
         "chanté",    "chanter",    "",                                                    ""),
        ("dance",     "dances",     "danced",     "danse danses danse dansons dansez dansent",
         "dansé",     "danser",     "",                                                    ""),
        ("work",      "works",      "worked",     "travaille travailles travaille travaillons travaillez travaillent",
         "travaillé", "travailler", "",                                                    ""),
        ("laugh",     "laughs",     "laughed",    "ris ris rit rions riez rient",
         "ri",        "rir",        "",                                                    ""),
    )
)
# fmt: on

PRONOUNS = {
    "i": ("je", 0, "m"),
    "you": ("vous", 4, "m"),
    "he": ("il", 2, "m"),
    "she": ("elle", 2, "f"),
    "we": ("nous", 3, "m"),
    "they": ("ils", 5, "m"),
}  # English: French, person (je = 0 … ils = 5), gender
AVOIR = ("ai", "as", "a", "avons", "avez", "ont")
STATIVE = {"have": "av", "know": "connaiss", "like": "aim"}  # verbs that name a state: their imparfait stems
IMPARFAIT_ENDINGS = ("ais", "ais", "ait", "ions", "iez", "aient")
INTO = ("garden",)  # places one goes into (dans) rather than to (à) with aller and venir
UNIQUE_KIN = ("mother", "father")  # one each: never plural after a possessive ("my mothers")
POSSESSIVES = ("my", "his", "her", "our", "their", "your")
ETRE = ("suis", "es", "est", "sommes", "êtes", "sont")
FUTURE_ENDINGS = ("ai", "as", "a", "ons", "ez", "ont")
DETERMINERS = {  # English: French masculine, feminine, plural. "a" + plural is some/any, "this" + plural these
    "the": ("le", "la", "les"),
    "a": ("un", "une", "des"),
    "my": ("mon", "ma", "mes"),
    "his": ("son", "sa", "ses"),
    "her": ("son", "sa", "ses"),
    "our": ("notre", "notre", "nos"),
    "their": ("leur", "leur", "leurs"),
    "your": ("votre", "votre", "vos"),
    "this": ("ce", "cette", "ces"),
}
PREPOSITIONS = {
    "in": ("dans", "garden park museum restaurant library house car"),  # English: French, nouns
    "near": ("près de", "place fixture"),
    "with": ("avec", "person dog"),
}
TIMES = {
    "today": ("present", "aujourd'hui"),
    "every day": ("present", "tous les jours"),
    "yesterday": ("past", "hier"),
    "last night": ("past", "hier soir"),
    "tomorrow": ("future", "demain"),
    "next week": ("future", "la semaine prochaine"),
}
TENSES = ("present", "past", "future")
ELISIONS = {"le": "l'", "la": "l'", "je": "j'", "ne": "n'", "de": "d'"}
CONTRACTIONS = {("à", "le"): "au", ("à", "les"): "aux", ("de", "le"): "du", ("de", "les"): "des"}
NOUN_VOWEL = {form: noun.vowel for noun in NOUNS for form in (noun.french, noun.french_plural)}


def starts_with_vowel(word: str) -> bool:
    """Whether French elides before `word`: a vowel, or a noun's mute h (l'homme, but le hibou)."""
    return NOUN_VOWEL.get(word, word[:1] in "aeiouyàâéèêîïôœù")


@dataclass
class NounPhrase:
    """A determiner, a noun (singular or plural) and up to two adjectives, one on each side in French."""

    det: str
    noun: Noun
    plural: bool = False
    before: Adjective | None = None
    after: Adjective | None = None


@dataclass
class Predicate:
    """A verb in a tense, maybe negated, with its object (a place for go to, a person for talk to)."""

    verb: Verb
    tense: str = "present"
    negative: bool = False
    object: NounPhrase | None = None


@dataclass
class Clause:
    """A subject (a pronoun or a noun phrase), maybe a relative clause on it, a predicate and two extras."""

    subject: str | NounPhrase
    predicate: Predicate
    who: Predicate | None = None  # "the man who sees the dog …"
    phrase: tuple[str, NounPhrase] | None = None  # ("near", the market)
    time: str = ""  # a time adverb that matches the tense: "yesterday"


@dataclass(frozen=True)
class Pair:
    """One sentence as English and French tokens."""

    english: tuple[str, ...]
    french: tuple[str, ...]

    @property
    def english_text(self) -> str:
        """The English sentence as one string."""
        return " ".join(self.english)

    @property
    def french_text(self) -> str:
        """The French sentence as one string, elided words glued on: "je n'ai pas d'orange"."""
        return detokenize_french(self.french)


def english_np(p: NounPhrase, negated: bool = False) -> list[str]:
    """The English words of a noun phrase: determiner, adjectives, noun ("an old dog", "any cats")."""
    words = [a.english for a in (p.before, p.after) if a] + [p.noun.english_plural if p.plural else p.noun.english]
    if p.det == "a":
        det = ("any" if negated else "some") if p.plural else ("an" if words[0][0] in "aeiou" else "a")
    else:
        det = "these" if p.det == "this" and p.plural else p.det
    return [det, *words]


def french_np(p: NounPhrase, negated: bool = False) -> list[str]:
    """The French words of a noun phrase; `negated`: the object of ne…pas, where un/une/des become de."""
    words = [p.before.form(p.noun, p.plural)] if p.before else []
    words.append(p.noun.french_plural if p.plural else p.noun.french)
    if p.after:
        words.append(p.after.form(p.noun, p.plural))
    masculine, feminine, plural = DETERMINERS[p.det]
    vowel = starts_with_vowel(words[0])  # the word that follows the determiner decides cet, mon école
    if p.det == "a" and (negated or (p.plural and p.before)):
        det = "de"  # je ne vois pas de chat; de grands chiens
    elif p.plural:
        det = plural
    elif p.noun.gender == "m":
        det = "cet" if p.det == "this" and vowel else masculine
    else:
        det = masculine if vowel and feminine in ("ma", "sa") else feminine  # mon école, son église
    return [det, *words]


def english_predicate(p: Predicate, third_singular: bool) -> list[str]:
    """The English verb phrase: "sees the cat", "does not look for any keys", "will go to school"."""
    verb = p.verb
    if p.tense == "future":
        words = ["will", "not", verb.english] if p.negative else ["will", verb.english]
    elif p.negative:
        words = ["did" if p.tense == "past" else "does" if third_singular else "do", "not", verb.english]
    else:
        words = [verb.english_past if p.tense == "past" else verb.english_3sg if third_singular else verb.english]
    words = " ".join(words).split()
    return words + (english_np(p.object, p.negative) if p.object else [])


def french_predicate(p: Predicate, person: int, gender: str) -> list[str]:
    """The French verb phrase, for a subject of this person (je = 0 … ils = 5) and gender."""
    verb = p.verb
    if p.tense == "present":
        words = [verb.present[person]]
    elif p.tense == "future":
        words = [verb.future + FUTURE_ENDINGS[person]]
    elif verb.english in STATIVE:  # a past state: the imparfait, j'avais, ils connaissaient
        words = [STATIVE[verb.english] + IMPARFAIT_ENDINGS[person]]
    elif "être" in verb.flags:  # the participle agrees with the subject: elles sont allées
        words = [ETRE[person], verb.participle + ("e" if gender == "f" else "") + ("s" if person >= 3 else "")]
    else:
        words = [AVOIR[person], verb.participle]
    if p.negative:
        words = ["ne", words[0], "pas", *words[1:]]  # around the conjugated verb: il n'a pas vu
    if p.object and "à" in verb.flags:
        into = p.object.noun.english in INTO and verb.english in ("go to", "come to")
        words += ["dans" if into else "à", *french_np(p.object)]  # de replaces un/une/des only in a direct object
    elif p.object:
        words += french_np(p.object, p.negative)
    return words


def person_of(subject: str | NounPhrase) -> tuple[int, str]:
    """The French person (je = 0 … ils = 5) and gender of a subject."""
    if isinstance(subject, str):
        return PRONOUNS[subject][1], PRONOUNS[subject][2]
    return 5 if subject.plural else 2, subject.noun.gender


def english_clause(c: Clause) -> list[str]:
    """The English words of a clause."""
    third = person_of(c.subject)[0] == 2  # he, she, a singular noun
    words = [c.subject] if isinstance(c.subject, str) else english_np(c.subject)
    if c.who:
        if not isinstance(c.subject, NounPhrase):
            raise ValueError(f"a relative clause needs a noun-phrase subject, got the pronoun {c.subject!r}")
        words += ["who" if c.subject.noun.kind == "person" else "that", *english_predicate(c.who, third)]
    words += english_predicate(c.predicate, third)
    if c.phrase:
        words += [c.phrase[0], *english_np(c.phrase[1])]
    return words + c.time.split()


def french_clause(c: Clause) -> list[str]:
    """The French words of a clause, before elision and contraction."""
    person, gender = person_of(c.subject)
    words = [PRONOUNS[c.subject][0]] if isinstance(c.subject, str) else french_np(c.subject)
    if c.who:
        words += ["qui", *french_predicate(c.who, person, gender)]
    words += french_predicate(c.predicate, person, gender)
    if c.phrase:
        words += [*PREPOSITIONS[c.phrase[0]][0].split(), *french_np(c.phrase[1])]
    return words + (TIMES[c.time][1].split() if c.time else [])


def finish_french(words: Sequence[str]) -> list[str]:
    """Elide le/la/je/ne/de before a vowel (l', j', n', d'), then contract à le → au, de les → des…"""
    done: list[str] = []
    for i, word in enumerate(words):
        if word in ELISIONS and i + 1 < len(words) and starts_with_vowel(words[i + 1]):
            word = ELISIONS[word]
        if word in ("le", "les") and done and (done[-1], word) in CONTRACTIONS:
            done[-1] = CONTRACTIONS[done[-1], word]
        else:
            done.append(word)
    return done


def render(*clauses: Clause) -> Pair:
    """The English and French of one or more clauses joined by and/et."""
    english: list[str] = []
    french: list[str] = []
    for i, c in enumerate(clauses):
        if i:
            english.append("and")
            french.append("et")
        english += english_clause(c)
        french += french_clause(c)
    return Pair(tuple(english), tuple(finish_french(french)))


NOUN_BY_NAME = {noun.english: noun for noun in NOUNS}
ADJECTIVE_BY_NAME = {adjective.english: adjective for adjective in ADJECTIVES}
VERB_BY_NAME = {**{verb.english.split()[0]: verb for verb in VERBS}, **{verb.english: verb for verb in VERBS}}


def _lookup(table: dict, name: object, what: str):
    if name not in table:
        raise ValueError(f"{what} must be one of {sorted(table)}, got {name!r}")
    return table[name]


def noun_phrase(
    det: str, noun: str, plural: bool = False, before: str | None = None, after: str | None = None
) -> NounPhrase:
    """A noun phrase by its English words: noun_phrase("the", "ball", before="big", after="red")."""
    _lookup(DETERMINERS, det, "det")
    if plural and noun in UNIQUE_KIN and det in POSSESSIVES:
        raise ValueError(f"one has one {noun}: {det!r} takes {noun!r} in the singular, got plural=True")
    adjectives = [_lookup(ADJECTIVE_BY_NAME, name, "an adjective") if name else None for name in (before, after)]
    for adjective, french_before in zip(adjectives, (True, False)):
        if adjective and adjective.before != french_before:
            raise ValueError(
                f"{adjective.english!r} goes {'before' if adjective.before else 'after'} the noun "
                f"in French: pass it as {'before' if adjective.before else 'after'}="
            )
    return NounPhrase(det, _lookup(NOUN_BY_NAME, noun, "noun"), plural, *adjectives)


def predicate(verb: str, obj: NounPhrase | None = None, tense: str = "present", negative: bool = False) -> Predicate:
    """A verb phrase by its English verb ("see", "go" or "go to"), with the object it needs, if any."""
    found = _lookup(VERB_BY_NAME, verb, "verb")
    _lookup(dict.fromkeys(TENSES), tense, "tense")
    if (obj is None) == bool(found.objects):
        raise ValueError(f"{verb!r} takes {'an object' if found.objects else 'no object'}, got {obj!r}")
    if obj is not None and not obj.noun.fits(found.objects):
        raise ValueError(f"{verb!r} takes as object: {found.objects}; got the {obj.noun.kind} {obj.noun.english!r}")
    return Predicate(found, tense, negative, obj)


def clause(
    subject: str | NounPhrase,
    verb: str,
    obj: NounPhrase | None = None,
    *,
    tense: str = "present",
    negative: bool = False,
    who: Predicate | None = None,
    phrase: tuple[str, NounPhrase] | None = None,
    time: str = "",
) -> Clause:
    """One clause: clause("she", "go", noun_phrase("the", "school"), tense="past", negative=True)."""
    if isinstance(subject, str):
        _lookup(PRONOUNS, subject, "a pronoun subject")
    if who and not isinstance(subject, NounPhrase):
        raise ValueError(f"a relative clause (who=) needs a noun-phrase subject, got {subject!r}")
    if phrase:
        _lookup(PREPOSITIONS, phrase[0], "the preposition of phrase=")
    if time and _lookup(TIMES, time, "time")[0] != tense:
        raise ValueError(f"{time!r} goes with the {TIMES[time][0]} tense, got tense={tense!r}")
    if time and _lookup(VERB_BY_NAME, verb, "verb").english in STATIVE:
        raise ValueError(f"{verb!r} names a state, which takes no time adverb, got time={time!r}")
    if phrase and phrase[0] == "in" and obj is not None and obj.noun.kind in ("place", "fixture"):
        raise ValueError(f"an 'in' phrase cannot follow the {obj.noun.kind} {obj.noun.english!r}")
    return Clause(subject, predicate(verb, obj, tense, negative), who, phrase, time)


def sentence(subject: str | NounPhrase, verb: str, obj: NounPhrase | None = None, **options) -> Pair:
    """The pair for one clause, with the options of `clause`: sentence("i", "like", noun_phrase("the", "cat"))."""
    return render(clause(subject, verb, obj, **options))


# Random sentences ------------------------------------------------------------------------------------------

MIN_WORDS, MAX_WORDS = 3, 25  # English target lengths are drawn evenly from this range
PARTS = ("negative", "time", "adjectives", "subject", "relative", "phrase")  # optional parts of a clause
PRONOUN_NAMES, DETERMINER_NAMES, PREPOSITION_NAMES = tuple(PRONOUNS), tuple(DETERMINERS), tuple(PREPOSITIONS)
DEFINITE = tuple(d for d in DETERMINERS if d != "a")
NO_POSSESSIVE = ("man", "woman", "boy", "girl")  # "my woman" would be "ma femme", my wife
ORDERS = [order for order in permutations(PARTS) if order.index("subject") < order.index("relative")]
TIMES_OF = {tense: [t for t, (of, _) in TIMES.items() if of == tense] for tense in TENSES}
OBJECTS_OF = {verb.english: [n for n in NOUNS if n.fits(verb.objects)] for verb in VERBS if verb.objects}
INTRANSITIVE = [verb for verb in VERBS if not verb.objects]
ANIMAL_VERBS = [verb for verb in VERBS if "animals" in verb.flags]
SUBJECTS = {False: [n for n in NOUNS if n.fits("person")], True: [n for n in NOUNS if n.fits("person animal")]}
PHRASE_NOUNS = {prep: [n for n in NOUNS if n.fits(nouns)] for prep, (_, nouns) in PREPOSITIONS.items()}
ADJECTIVES_FOR = {
    n.english: (
        [a for a in ADJECTIVES if a.before and n.fits(a.fits)],
        [a for a in ADJECTIVES if not a.before and n.fits(a.fits)],
        [a for a in ADJECTIVES if a.english in COLOURS and n.fits(a.fits)],
    )
    for n in NOUNS
}
ALL_COMBINATIONS = sorted((a.english, n.english) for a in ADJECTIVES for n in NOUNS if n.fits(a.fits))


def pick(rng: random.Random, options: Sequence):
    """One of `options` at random, like rng.choice but a few times faster."""
    return options[int(rng.random() * len(options))]


def random_np(
    rng: random.Random,
    nouns: list[Noun],
    dets: Sequence[str] = DETERMINER_NAMES,
    indefinite_plural: bool = True,
    plural_ok: bool = True,
) -> NounPhrase:
    """A random noun phrase without adjectives; places are singular."""
    noun, det = pick(rng, nouns), pick(rng, dets)
    if noun.english in NO_POSSESSIVE and det not in ("the", "a", "this"):
        det = "the"
    plural = plural_ok and noun.kind != "place" and (det != "a" or indefinite_plural) and rng.random() < 0.4
    if noun.english in UNIQUE_KIN and det in POSSESSIVES:
        plural = False  # "my mothers"
    return NounPhrase(det, noun, plural)


def describe(rng: random.Random, p: NounPhrase, room: int) -> NounPhrase:
    """`p` with as many adjectives as fit its noun and `room` (up to two: a before-adjective and a colour)."""
    befores, afters, colours = ADJECTIVES_FOR[p.noun.english]
    if room >= 2 and befores and colours:
        return NounPhrase(p.det, p.noun, p.plural, pick(rng, befores), pick(rng, colours))
    if room >= 1 and (befores or afters):
        adjective = pick(rng, befores + afters)
        return NounPhrase(p.det, p.noun, p.plural, *((adjective, None) if adjective.before else (None, adjective)))
    return p


def size(p: NounPhrase) -> int:
    """The number of English words of a noun phrase."""
    return 2 + (p.before is not None) + (p.after is not None)


def random_predicate(rng: random.Random, verb: Verb) -> Predicate:
    """A random present, past or future predicate of `verb`, with a random object if it takes one."""
    if not verb.objects:
        return Predicate(verb, pick(rng, TENSES))
    dets = DEFINITE if verb.english == "like" else DETERMINER_NAMES  # French says "j'aime les chats"
    return Predicate(
        verb,
        pick(rng, TENSES),
        object=random_np(rng, OBJECTS_OF[verb.english], dets, indefinite_plural="à" not in verb.flags),
    )


def random_clause(rng: random.Random, budget: int) -> Clause:
    """A random clause of at most `budget` English words (if it can be that short): a core, then parts that fit."""
    main = random_predicate(rng, pick(rng, VERBS if budget >= 4 else INTRANSITIVE))
    c = Clause(pick(rng, PRONOUN_NAMES), main)
    room = budget - 1 - len(english_predicate(main, False))  # words left for the optional parts
    for part in pick(rng, ORDERS):
        if part == "negative" and room >= (cost := 1 if main.tense == "future" else 2):  # will not; do not
            main.negative, room = True, room - cost
        elif (
            part == "time"
            and main.verb.english not in STATIVE  # "knew … yesterday"
            and len((time := pick(rng, TIMES_OF[main.tense])).split()) <= room
        ):
            c.time, room = time, room - len(time.split())
        elif part == "adjectives" and main.object:
            main.object = describe(rng, main.object, pick(rng, range(max(room, 0) + 1)))
            room -= size(main.object) - 2
        elif part == "subject" and room >= 1:
            c.subject = random_np(rng, SUBJECTS["animals" in main.verb.flags], indefinite_plural=False)
            c.subject = describe(rng, c.subject, pick(rng, range(room)))
            room -= size(c.subject) - 1
        elif part == "relative" and isinstance(c.subject, NounPhrase) and room >= 3:
            who = random_predicate(rng, pick(rng, VERBS if c.subject.noun.kind == "person" else ANIMAL_VERBS))
            who.negative = rng.random() < 0.3
            if (cost := 1 + len(english_predicate(who, False))) <= room:  # "who" and the verb phrase
                if who.object:
                    who.object = describe(rng, who.object, pick(rng, range(room - cost + 1)))
                    cost += size(who.object) - 2
                c.who, room = who, room - cost
        elif part == "phrase" and room >= 3:
            preposition = pick(rng, PREPOSITION_NAMES)
            if preposition == "in" and main.object and main.object.noun.kind in ("place", "fixture"):
                continue  # "a park in our red house"
            p = random_np(rng, PHRASE_NOUNS[preposition], indefinite_plural=False, plural_ok=preposition != "in")
            c.phrase = (preposition, describe(rng, p, pick(rng, range(room - 2))))
            room -= 1 + size(c.phrase[1])
    third_singular = person_of(c.subject)[0] == 2
    if main.verb.english == "read" and main.tense == "past" and not (main.negative or c.time or third_singular):
        main.tense = "present"  # "we read the book" is read as present: "did not" or "yesterday" tell the past
    if (
        c.who
        and c.who.verb.english == "read"
        and c.who.tense == "past"
        and not c.who.negative
        and isinstance(c.subject, NounPhrase)  # always, with a relative clause
        and c.subject.plural
    ):
        c.who.tense = "present"
    return c


def random_pair(rng: random.Random) -> Pair:
    """A random pair whose English length is drawn evenly from MIN_WORDS..MAX_WORDS (and roughly met)."""
    target = pick(rng, range(MIN_WORDS, MAX_WORDS + 1))
    if target >= 18 or (target >= 10 and rng.random() < 0.5):  # two clauses of 4 to 16 words each
        first = pick(rng, range(max(4, target - 17), min(16, target - 5) + 1))
        return render(random_clause(rng, first), random_clause(rng, target - 1 - first))
    return render(random_clause(rng, target))


def unique_pairs(rng: random.Random) -> Iterator[Pair]:
    """Random pairs, never the same English sentence twice."""
    seen: set[tuple[str, ...]] = set()
    while True:
        pair = random_pair(rng)
        if pair.english not in seen:
            seen.add(pair.english)
            yield pair


def generate_pairs(n: int, seed: int) -> list[Pair]:
    """`n` distinct random pairs, the same for the same seed."""
    if validate.number("n", n, integer=True) < 0:
        raise ValueError(f"n must be 0 or more, got {n}")
    return list(islice(unique_pairs(random.Random(seed)), n))


def combinations_in(english: Sequence[str]) -> set[tuple[str, str]]:
    """The (adjective, noun) combinations of an English sentence, nouns in the singular: {("big", "dog")}."""
    found = set()
    for i, word in enumerate(english):
        if word in SINGULAR:
            for j in range(max(0, i - 2), i):
                if english[j] in ADJECTIVE_BY_NAME:
                    found.add((english[j], SINGULAR[word]))
    return found


SINGULAR = {form: noun.english for noun in NOUNS for form in (noun.english, noun.english_plural)}
HELD_OUT_SHARE = 0.1  # of the possible (adjective, noun) combinations, never in training
UNSEEN_SHARE = 0.25  # of the validation and test pairs, with a held-out combination


@dataclass(frozen=True)
class Splits:
    """Training, validation and test pairs, and the (adjective, noun) combinations kept out of training."""

    train: list[Pair]
    val: list[Pair]
    test: list[Pair]
    held_out: frozenset[tuple[str, str]]


def make_splits(n_train: int = 20000, n_val: int = 1000, n_test: int = 2000, seed: int = 0) -> Splits:
    """Distinct pairs in three splits; a quarter of val and test use an (adjective, noun) pair train never has."""
    for name, value in (("n_train", n_train), ("n_val", n_val), ("n_test", n_test)):
        validate.number(name, value, integer=True)
    if min(n_train, n_val, n_test) < 1:
        raise ValueError(f"need 1 or more pairs per split, got {n_train}, {n_val} and {n_test}")
    rng = random.Random(seed)
    held_out = frozenset(rng.sample(ALL_COMBINATIONS, round(HELD_OUT_SHARE * len(ALL_COMBINATIONS))))
    unseen_val, unseen_test = round(UNSEEN_SHARE * n_val), round(UNSEEN_SHARE * n_test)
    n_unseen = unseen_val + unseen_test
    n_seen = n_train + n_val + n_test - n_unseen
    seen: list[Pair] = []
    unseen: list[Pair] = []
    for pair in unique_pairs(rng):  # one stream of distinct pairs, sorted into two pools
        pool, wanted = (unseen, n_unseen) if combinations_in(pair.english) & held_out else (seen, n_seen)
        if len(pool) < wanted:
            pool.append(pair)
        if len(seen) == n_seen and len(unseen) == n_unseen:
            break
    val_end = n_train + n_val - unseen_val
    val, test = seen[n_train:val_end] + unseen[:unseen_val], seen[val_end:] + unseen[unseen_val:]
    rng.shuffle(val)
    rng.shuffle(test)
    return Splits(seen[:n_train], val, test, held_out)


def unseen_combination(pair: Pair, splits: Splits) -> bool:
    """Whether a pair uses an (adjective, noun) combination that the training split never has."""
    return bool(combinations_in(pair.english) & splits.held_out)


# Tokens ----------------------------------------------------------------------------------------------------

ENGLISH_CONTRACTIONS = {"don't": "do not", "doesn't": "does not", "didn't": "did not", "won't": "will not"}
ENGLISH_WORDS = frozenset(
    " ".join(
        [
            *(n.english if n.kind == "place" else f"{n.english} {n.english_plural}" for n in NOUNS),  # places: singular
            *(a.english for a in ADJECTIVES),
            *(f"{v.english} {v.english_3sg} {v.english_past}" for v in VERBS),
            *PRONOUNS,
            *DETERMINERS,
            *PREPOSITIONS,
            *TIMES,
            "an some any these do does did not will who that and",
        ]
    ).split()
)


def tokenize_english(text: str) -> list[str]:
    """Lower-case words without . , ! ? or quotes; don't, doesn't, didn't and won't spelled out."""
    words = []
    for raw in text.lower().replace("’", "'").split():
        word = raw.strip(".,!?\"'“”‘")
        words += ENGLISH_CONTRACTIONS.get(word, word).split()
    return words


def detokenize_french(tokens: Sequence[str]) -> str:
    """French tokens as text: a token ending in an apostrophe is glued to the next ("l'" + "arbre")."""
    text = ""
    for token in tokens:
        text += token if not text or text.endswith("'") else " " + token
    return text


def english_words() -> frozenset[str]:
    """Every English token that random sentences can contain (places are singular in them)."""
    return ENGLISH_WORDS


def unknown_words(tokens: Sequence[str]) -> list[str]:
    """The tokens the generator never produces, in order of appearance, each once."""
    return list(dict.fromkeys(t for t in tokens if t not in ENGLISH_WORDS))


def length_histogram(pairs: Iterable[Pair], side: str = "english") -> dict[int, int]:
    """How many pairs have each length in tokens, on the English (source) or French (target) side."""
    _lookup({"english": 0, "french": 0}, side, "side")
    return dict(sorted(Counter(len(getattr(pair, side)) for pair in pairs).items()))
