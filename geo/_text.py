"""Name normalization shared by the gazetteer and the geoparser.

Reports spell one place many ways: `Ţūz Khūrmātū`, `Tuz-Khurmatu`, `Al-Sulaymaniyah`,
`Sa'adiya`, `السليمانية`, `سلێمانی`. Two keys make those meet:

- `normalize(s)`: lower case, Latin diacritics and apostrophes/ayn marks gone, Arabic and
  Kurdish letter variants folded to one form, punctuation and hyphens turned into single
  spaces, and the Arabic article dropped (`al-`, `el-`, assimilated `as-`/`ash-`..., `ال`).
- `compact(s)`: `normalize` without spaces and with doubled letters collapsed, so that
  `Qara Tapa` = `Qaratapa` and `Sa'adiya` = `Saadiya` = `Sadiya`.

`TYPE_WORDS` maps the words reports put before or after a name ("Diyala province",
"Mount Sinjar", "محافظة ديالى") to the place types they imply.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Apostrophes, ayn and hamza marks in Latin transliterations carry no matching value.
_DROP_LATIN = dict.fromkeys(map(ord, "'’‘`´ʿʾʼʻ′ˈ"), None)

# Latin letters that NFKD does not decompose into base + mark.
_LATIN_FOLD = str.maketrans({"ı": "i", "ø": "o", "ł": "l", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ð": "d", "þ": "th"})

# Arabic-script variants folded to one letter each. Arabic and Sorani spell the same name
# with different letters (ک/ك, ی/ي, ە/ه, گ/ك in Arabic renderings of Kurdish names), and
# writers mix alef forms, taa marbuta/haa and alef maqsura/yaa freely.
_ARABIC_FOLD = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ة": "ه", "ە": "ه", "ھ": "ه", "ۀ": "ه", "ہ": "ه", "ۃ": "ه",
    "ى": "ي", "ی": "ي", "ێ": "ي", "ې": "ي", "ۍ": "ي", "ے": "ي", "ئ": "ي",
    "ک": "ك", "ڪ": "ك", "گ": "ك", "ڭ": "ك",
    "ؤ": "و", "ۆ": "و", "ۊ": "و", "ۇ": "و", "ۋ": "و",
    "ڵ": "ل", "ڕ": "ر", "ڤ": "ف", "پ": "ب", "چ": "ج", "ژ": "ز",
    "ء": None, "ـ": None,  # hamza on the line, tatweel
    "٠": "0", "١": "1", "٢": "2", "٣": "3", "٤": "4", "٥": "5", "٦": "6", "٧": "7", "٨": "8", "٩": "9",
    "۰": "0", "۱": "1", "۲": "2", "۳": "3", "۴": "4", "۵": "5", "۶": "6", "۷": "7", "۸": "8", "۹": "9",
})

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")

# Arabic article forms in Latin script (and a leading English "the": "the Hamrin mountains"). `al`/`el` go before any word; the assimilated forms
# only before a word that starts with the same consonant ("As Sulaymaniyah", "Ad Dawr",
# "Ash Sharqat"), so the English word "as" or "at" is never taken for an article.
_ARTICLES_ALWAYS = frozenset({"al", "el", "ul"})
_ARTICLES_ASSIMILATED = {
    "ad": "d", "adh": "dh", "an": "n", "ar": "r", "as": "s", "ash": "sh",
    "at": "t", "ath": "th", "az": "z", "ad-d": "d",
}


# Sorani writes the vowel e as ە inside words, where Arabic writes nothing (کەرکووک, كركوك);
# at a word's end it stands where Arabic has ه or ة, and is folded to ه there.
_SORANI_INNER_E = re.compile("\u06d5(?=[\u0600-\u06ff])")


def fold(text: str) -> str:
    """Lower-case `text` and fold diacritics and script variants, keeping punctuation."""
    text = _SORANI_INNER_E.sub("", text)
    text = unicodedata.normalize("NFKD", text.translate(_DROP_LATIN))
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat == "Mn" or cat == "Cf":  # combining marks (incl. Arabic harakat), ZWNJ, RLM...
            continue
        out.append(ch)
    folded = "".join(out).casefold().translate(_LATIN_FOLD).translate(_ARABIC_FOLD)
    return unicodedata.normalize("NFC", folded)


def _strip_articles(tokens: list[str]) -> list[str]:
    kept: list[str] = []
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if nxt and (tok in _ARTICLES_ALWAYS or (i == 0 and tok == "the")):
            continue
        if nxt and tok in _ARTICLES_ASSIMILATED and nxt.startswith(_ARTICLES_ASSIMILATED[tok]):
            continue
        if len(tok) > 3 and tok.startswith("ال") and _ARABIC_LETTER.match(tok):
            tok = tok[2:]
        kept.append(tok)
    return kept


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """Matching form of a name: folded, punctuation to spaces, Arabic article removed."""
    tokens = [t for t in _NON_WORD.split(fold(text).replace("_", " ")) if t]
    return " ".join(_strip_articles(tokens))


_DOUBLED = re.compile(r"(.)\1+")


@lru_cache(maxsize=65536)
def compact(text: str) -> str:
    """`normalize` without spaces and with doubled letters collapsed (Qara Tapa = Qaratapa)."""
    return _DOUBLED.sub(r"\1", normalize(text).replace(" ", ""))


# Type words as they appear around names, mapped to the place types they imply.
# Multi-word entries come first where they share words with shorter ones.
_TYPE_WORD_TABLE: dict[str, frozenset[str]] = {}
_TYPE_WORD_OWN: dict[str, str] = {}


def _add(types: str, *words: str) -> None:
    # The first type is the one the word names ("town"); the others are what writers also
    # use it for ("town" for a city or a large village).
    for word in words:
        _TYPE_WORD_TABLE[normalize(word)] = frozenset(types.split())
        _TYPE_WORD_OWN[normalize(word)] = types.split()[0]


_add("governorate", "province", "governorate", "governorates", "muhafazah", "muhafazat", "muhafaza",
     "muhafadha", "parezga", "parêzga", "parêzgeha", "parêzgaya", "محافظة", "پارێزگای", "پارێزگا")
_add("district", "district", "qada", "qadaa", "qadha", "qadhaa", "qaza", "kaza", "قضاء", "قەزای", "قەزا",
     "navçeya", "qezaya")
_add("subdistrict", "subdistrict", "sub district", "sub-district", "nahiya", "nahiyah", "nahia",
     "nahiyat", "ناحية", "ناحیەی", "ناحیە", "nahiyeya")
_add("city town", "city", "مدينة", "شاری")
_add("town city village", "town", "bajêr", "bajarê", "bajarokê", "بلدة", "شارۆچکەی", "شارۆچکە")
_add("village town", "village", "قرية", "گوندی", "gund", "gundê", "gundekî")
_add("mountain", "mountains", "mountain", "mount", "mt", "jabal", "jebel", "jabel", "range", "ridge",
     "hills", "chiya", "çiya", "çiyayê", "جبل", "جبال", "چیای", "چیا")
_add("lake", "lake", "reservoir", "buhayrat", "بحيرة", "دەریاچەی")
_add("dam", "dam", "سد", "بەنداوی")
_add("river", "river", "rivers", "nahr", "نهر", "ڕووباری")
_add("valley", "wadi", "valley", "وادي")
_add("front", "front", "frontline", "front line", "axis", "محور", "بەرەی")
_add("sector", "sector", "قاطع", "کەرتی")
_add("command_area", "operations command", "operations area", "operation command", "command",
     "قيادة عمليات")
_add("region", "region", "إقليم", "هەرێمی")
_add("military_base", "base", "airbase", "air base", "camp", "قاعدة")

TYPE_WORDS: dict[str, frozenset[str]] = dict(_TYPE_WORD_TABLE)
#: The one type each type word names ("village" -> village), for ranking among TYPE_WORDS' set.
TYPE_WORD_OWN_TYPE: dict[str, str] = dict(_TYPE_WORD_OWN)

# Longest first, so "operations command" is tried before "command".
_TYPE_WORDS_BY_LENGTH = sorted(TYPE_WORDS, key=lambda w: (-len(w.split()), -len(w), w))


def split_type_word(normalized: str) -> tuple[str, frozenset[str] | None]:
    """Split a leading or trailing type word off a normalized name.

    Returns the remaining name and the types the word implies, or (name, None) when the name
    carries no type word or is nothing but one ("Mount" alone stays a name).
    """
    found = _find_type_word(normalized)
    if found is None:
        return normalized, None
    word, at_end = found
    core = normalized[: -len(word) - 1] if at_end else normalized[len(word) + 1:]
    return core.strip(), TYPE_WORDS[word]


def _find_type_word(normalized: str) -> tuple[str, bool] | None:
    """The type word at the end or start of `normalized` (and whether at the end), in the order
    of _TYPE_WORDS_BY_LENGTH: more words first, then longer, then alphabetical; at the end
    before at the start for the same word. Looks only at the first and last three words, so it
    costs a few dict look-ups instead of a scan of every type word (the index build calls it for
    every name)."""
    tokens = normalized.split(" ")
    for n in (3, 2, 1):
        if len(tokens) <= n:
            continue
        tail = " ".join(tokens[-n:])
        head = " ".join(tokens[:n])
        hits = [(w, end) for w, end in ((tail, True), (head, False)) if w in TYPE_WORDS]
        if hits:
            return min(hits, key=lambda h: (-len(h[0]), h[0], not h[1]))
    return None

def type_word_own_type(normalized: str) -> str | None:
    """The type named by the type word that `split_type_word` finds in `normalized`."""
    found = _find_type_word(normalized)
    return TYPE_WORD_OWN_TYPE[found[0]] if found else None

def type_word_splits(text: str) -> list[tuple[str | None, str, frozenset[str], str]]:
    """The readings of a type word around a name as written, for the resolver.

    Each reading is (core as written, normalized core, the types the word implies, the one
    type it names): one for a type word at the end ("Kan‘ān town" -> "Kan‘ān", town) and one
    for a type word at the start ("Mount Sinjar"), so "Nāḩiyat Yathrib village" is read both
    as the village "Nāḩiyat Yathrib" and as the subdistrict "Yathrib village". The core as
    written is None when the type word is only found after normalizing ("Jabal-Hamrin").
    A name that is nothing but a type word has no reading.
    """
    words = text.split()
    out: list[tuple[str | None, str, frozenset[str], str]] = []
    for at_end in (True, False):
        for n in (3, 2, 1):  # the longest type word first ("operations command", not "command")
            if len(words) <= n:
                continue
            span, rest = (words[-n:], words[:-n]) if at_end else (words[:n], words[n:])
            word = normalize(" ".join(span))
            if word in TYPE_WORDS:
                raw = " ".join(rest)
                if normalize(raw):
                    out.append((raw, normalize(raw), TYPE_WORDS[word], TYPE_WORD_OWN_TYPE[word]))
                break
    if not out:
        core, types = split_type_word(normalize(text))
        if types is not None and core:
            out.append((None, core, types, type_word_own_type(normalize(text)) or next(iter(types))))
    return out


# Words that end with a full stop without ending a sentence ("Gen. Saleh", "Oct. 4").
ABBREVIATIONS = frozenset(
    "mr mrs ms dr gen lt col maj capt cpt sgt brig adm st no vs jan feb mar apr jun jul aug sep "
    "sept oct nov dec approx est fig".split())
_INITIALS = re.compile(r"[A-Z]|(?:[A-Za-z]\.)+[A-Za-z]")


def is_abbreviation(token: str) -> bool:
    """Does a full stop after `token` leave the sentence going on: an abbreviation ("Gen"),
    an initial ("J") or dotted initials ("U.S")? A number ("killing 2.") ends it."""
    token = token.lstrip("\"“‘(")
    return token.lower() in ABBREVIATIONS or bool(_INITIALS.fullmatch(token))


@lru_cache(maxsize=1)
def _spelling_rules() -> tuple[frozenset, tuple[tuple[str, str], ...], str, int]:
    import yaml

    from geo import settings

    with open(settings.DATA_DIR / "transliteration.yaml", encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return (frozenset(data["qualifiers"]), tuple((a, b) for a, b in data["letters"]),
            data["vowels"], int(data["min_consonants"]))


@lru_cache(maxsize=65536)
def spelling_form(name: str) -> str:
    """A name with its qualifiers dropped and its letters brought to one per sound
    (data/transliteration.yaml), vowels kept: "Chirakh" and "Jiragh" are both "jirak"; ""
    for a name in another script."""
    qualifiers, letters, _vowels, _shortest = _spelling_rules()
    text = "".join(w for w in normalize(name).split() if w not in qualifiers)
    if not text or not text.isascii() or not text.isalpha():
        return ""
    for a, b in letters:
        text = text.replace(a, b)
    return _DOUBLED.sub(r"\1", text)  # a written double is one sound (Sinnuni = Sinuni)


@lru_cache(maxsize=65536)
def spelling_key(name: str) -> str:
    """A coarse key that one village name's Latin transliterations share ("Chirakh",
    "Jiragh" -> "jrk"; "Lewce", "Lewje" -> "lwj"): `spelling_form` without its vowels after
    the first letter; "" for a name in another script or with too few letters to tell."""
    _qualifiers, _letters, vowels, shortest = _spelling_rules()
    text = spelling_form(name)
    if not text:
        return ""
    key = text[0] + "".join(ch for ch in text[1:] if ch not in vowels)
    return key if len(key) >= shortest else ""


# --- character folding with an offset map -----------------------------------------------------

_APOSTROPHES = frozenset("'’‘`´ʿʾʼʻ′ˈ")


class _FoldTable(dict):
    """`str.translate` table built on demand: one output character per input character.

    Letters and digits fold to their lower-case base form (ū -> u, أ -> ا); marks that
    normalization drops inside words (harakat, tatweel, a final hamza) become \\x01 so they
    can be squeezed out; apostrophes and ayn marks, and everything else, become a space
    ("Region's" -> "region s", so "Kurdistan Region" still matches; names written with an
    apostrophe are indexed the same way).
    """

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        folded = fold(ch)
        if ch in _APOSTROPHES:
            out = " "
        elif not folded:
            out = "\x01"
        else:
            first = folded[0]
            out = first if first.isalnum() else " "
        self[code] = out
        return out


_FOLD = _FoldTable()
for _c in range(128):  # ASCII up front: most reports are mostly ASCII
    _FOLD.__missing__(_c)


_BMP_TABLE = None  # numpy array: code point (< 65536) -> folded code point, 0 = not yet known


def _fold_codes(text: str):
    """Code points of `text` folded by `_FOLD`, as a numpy array (a table look-up in C for
    the Basic Multilingual Plane, filled in lazily for the characters met)."""
    import numpy as np

    global _BMP_TABLE
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    if codes.size and int(codes.max()) >= 65536:  # astral characters: the slow, exact way
        return np.frombuffer(text.translate(_FOLD).encode("utf-32-le"), dtype=np.uint32)
    if _BMP_TABLE is None:
        _BMP_TABLE = np.zeros(65536, dtype=np.uint32)
    folded = _BMP_TABLE[codes]
    missing = folded == 0
    if missing.any():
        for cp in np.unique(codes[missing]).tolist():
            _BMP_TABLE[cp] = ord(_FOLD[cp]) if cp else 32
        folded = _BMP_TABLE[codes]
    return folded


def fold_text(text: str) -> tuple[str, "object"]:
    """`text` folded and squeezed, and the map back: `squeezed[i]` is `text[offsets[i]]`.

    Dropped marks (\\x01) vanish and runs of spaces become one. Done with numpy on the
    code points, so the cost per character stays in C.
    """
    import numpy as np

    codes = _fold_codes(text)
    kept = np.flatnonzero(codes != 1)
    codes = codes[kept]
    space = codes == 32
    single = ~(space & np.concatenate(([False], space[:-1])))
    offsets = kept[single]
    return codes[single].tobytes().decode("utf-32-le"), offsets


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """A name's key in the automaton: the same folding as the text, spaces squeezed (the same
    table as fold_text, without numpy: for a short name numpy's set-up costs more than the
    folding, and 130,000 names are folded to build the automaton)."""
    return " ".join(name.translate(_FOLD).replace("\x01", "").split())
