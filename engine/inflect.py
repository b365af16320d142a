"""English inflection for lexicon entries (``inflect: verb`` / ``inflect: noun``).

Regular forms follow the spelling rules; the irregular ones come from the
small tables below.  An entry written as ``lemma: [form, ...]`` in a pack
bypasses all of this.
"""
from __future__ import annotations

# lemma: third person, past, past participle, -ing (only where irregular)
_IRREGULAR_VERBS = """
say says said said saying
tell tells told told telling
write writes wrote written writing
speak speaks spoke spoken speaking
tweet tweets tweeted tweeted tweeting
think thinks thought thought thinking
hold holds held held holding
give gives gave given giving
find finds found found finding
make makes made made making
put puts put put putting
read reads read read reading
know knows knew known knowing
see sees saw seen seeing
go goes went gone going
do does did done doing
have has had had having
be is was been being
come comes came come coming
take takes took taken taking
show shows showed shown showing
get gets got gotten getting
keep keeps kept kept keeping
mean means meant meant meaning
swear swears swore sworn swearing
forecast forecasts forecast forecast forecasting
foresee foresees foresaw foreseen foreseeing
rise rises rose risen rising
fall falls fell fallen falling
grow grows grew grown growing
shrink shrinks shrank shrunk shrinking
sink sinks sank sunk sinking
spend spends spent spent spending
cut cuts cut cut cutting
lose loses lost lost losing
win wins won won winning
sell sells sold sold selling
buy buys bought bought buying
pay pays paid paid paying
quit quits quit quit quitting
bid bids bid bid bidding
set sets set set setting
"""
_IRREGULAR_NOUNS = """
man men
woman women
child children
person people
foot feet
tooth teeth
mouse mice
goose geese
ox oxen
crisis crises
analysis analyses
thesis theses
criterion criteria
phenomenon phenomena
datum data
medium media
series series
species species
sheep sheep
deer deer
fish fish
aircraft aircraft
staff staff
police police
livestock livestock
cattle cattle
headquarters headquarters
"""
VERBS = {row.split()[0]: row.split()[1:] for row in _IRREGULAR_VERBS.strip().splitlines()}
NOUNS = {row.split()[0]: row.split()[1:] for row in _IRREGULAR_NOUNS.strip().splitlines()}
PLURAL_TO_SINGULAR = {forms[0]: lemma for lemma, forms in NOUNS.items()}
_VOWELS = set("aeiou")


def _double_final(word: str) -> bool:
    """Short consonant-vowel-consonant words double the final letter: stop -> stopped."""
    return (len(word) >= 3 and len(word) <= 4 and word[-1] not in _VOWELS | set("wxy")
            and word[-2] in _VOWELS and word[-3] not in _VOWELS)


def _plural_s(word: str) -> str:
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        return word[:-1] + "ies"
    return word + "s"


def verb_forms(lemma: str) -> list[str]:
    if lemma in VERBS:
        return list(dict.fromkeys(VERBS[lemma]))
    third = _plural_s(lemma)
    if lemma.endswith("e") and not lemma.endswith("ee"):
        past, ing = lemma + "d", lemma[:-1] + "ing"
    elif lemma.endswith("y") and len(lemma) > 1 and lemma[-2] not in _VOWELS:
        past, ing = lemma[:-1] + "ied", lemma + "ing"
    elif _double_final(lemma):
        past, ing = lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"
    else:
        past, ing = lemma + "ed", lemma + "ing"
    return [third, past, ing]


def noun_forms(lemma: str) -> list[str]:
    if lemma in NOUNS:
        return [f for f in NOUNS[lemma] if f != lemma]
    if lemma.endswith("f") and not lemma.endswith("ff"):
        return [lemma + "s", lemma[:-1] + "ves"]
    if lemma.endswith("fe"):
        return [lemma[:-2] + "ves"]
    return [_plural_s(lemma)]


def inflections(lemma: str, kind: str) -> list[str]:
    """Other forms of ``lemma`` (not including it) as a verb or a noun."""
    forms = verb_forms(lemma) if kind == "verb" else noun_forms(lemma)
    return [f for f in forms if f != lemma]


def singular(noun: str) -> str:
    """The singular lemma of a plural noun ('troops' -> 'troop'); best effort."""
    low = noun.lower()
    if low in PLURAL_TO_SINGULAR:
        return PLURAL_TO_SINGULAR[low]
    if low in NOUNS:
        return low
    if low.endswith("ies") and len(low) > 4:
        return low[:-3] + "y"
    if low.endswith("ves") and len(low) > 4:
        return low[:-3] + "f"
    if low.endswith(("ches", "shes", "sses", "xes", "zes")):
        return low[:-2]
    if low.endswith("s") and not low.endswith(("ss", "us", "is")) and len(low) > 3:
        return low[:-1]
    return low
