"""The gazetteer: curated places of Iraq's disputed territories, and name resolution.

Places come from the reviewed CSV files in `data/places/` (see its README for the columns),
merged with the user's own files (same format, `--places` or `GEO_PLACES`) and with a local
GeoNames cache made by `geo gazetteer import-geonames`. A user row replaces a built-in row of
the same id; a GeoNames row is dropped when a curated row already cites its GeoNames id.

`Gazetteer.resolve(name)` ranks candidates: exact canonical name, then alias or script form,
then the normalized form (case, diacritics, hyphens, article, script variants), then fuzzy
matches whose score drops with the edit distance. A name that matches nothing returns `[]`.
A type word ("Kifri district", "Kan‘ān town") narrows the types, and the name without it
never scores above a normalized match.

`Gazetteer.validate()` holds the row rules (inside Iraq, known governorate and district, id
slug, source, namesakes decided); `geo gazetteer check` and the data test both use it.
"""
from __future__ import annotations

import csv
import math
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from geo import settings
from geo._errors import GazetteerError, QueryError
from geo._text import compact, normalize, spelling_key, split_type_word, type_word_splits

#: Every type a place row may have.
PLACE_TYPES = (
    "country", "governorate", "district", "subdistrict", "city", "town", "village",
    "mountain", "lake", "dam", "river", "valley", "region", "sector", "front", "command_area",
    "military_base", "site",
)

#: Settlements: what `where` reports the governorate and district of.
SETTLEMENT_TYPES = frozenset({"city", "town", "village"})

# When several places match equally well, a reader of a report more often means the
# populated place than the admin unit or the feature of the same name ("Kirkuk", "Sinjar").
_TYPE_PREFERENCE = {t: i for i, t in enumerate((
    "city", "town", "governorate", "district", "subdistrict", "village", "region", "front",
    "sector", "command_area", "mountain", "lake", "dam", "river", "valley", "military_base",
    "site", "country",
))}

#: Canonical governorate names (the `governorate` and `governorate_krg` columns).
GOVERNORATES = frozenset({
    "Anbar", "Babil", "Baghdad", "Basra", "Dhi Qar", "Diyala", "Duhok", "Erbil", "Halabja",
    "Karbala", "Kirkuk", "Maysan", "Muthanna", "Najaf", "Nineveh", "Qadisiyah", "Salahaddin",
    "Sulaimani", "Wasit",
})

# Resolver scores below settings.SCORE_NORMALIZED, for names with a type word ("Kan‘ān town").
# The name without its type word is matched as written (exact or alias index) or only after
# folding; the first is the better evidence between two namesakes ("Ḩamdānīyah" vs
# "Al Ḩamdānīyah"), so the folded match scores a little lower. A populated-place word
# (city, town, village) is a soft preference: the other populated types and sites (UCDP
# calls a Mosul neighbourhood a town) stay candidates, ranked below the type the word names.
# (their values: geo.settings, RESOLVE_*)

COLUMNS = (
    "id", "name", "type", "lat", "lon", "governorate", "district", "governorate_krg",
    "district_krg", "population", "name_ar", "name_ckb", "name_kmr", "aliases", "source", "note",
    "status",
)
#: `status` of a place that is no longer lived in (GeoNames PPLQ, PPLW): events still happen there.
STATUSES = ("", "abandoned", "destroyed")
#: Where a row came from: the reviewed files (data/places/*.csv and the user's), or a bulk
#: tier (Who's On First, a GeoNames import) whose names count in a report only in a place's
#: position (see geo.parse).
TIERS = ("curated", "wof", "geonames")
REQUIRED_COLUMNS = ("id", "name", "type", "lat", "lon")
_MULTI = ("name_ar", "name_ckb", "name_kmr", "aliases")


@dataclass(frozen=True)
class Place:
    """One gazetteer row. `raw` keeps the row as read, with its file and line."""

    id: str
    name: str
    type: str
    lat: float
    lon: float
    governorate: str = ""
    district: str = ""
    governorate_krg: str = ""
    district_krg: str = ""
    population: int | None = None
    name_ar: tuple[str, ...] = ()
    name_ckb: tuple[str, ...] = ()
    name_kmr: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    source: str = ""
    note: str = ""
    status: str = ""
    tier: str = "curated"
    #: Names a bulk-tier row merged into this curated row brought (in `aliases` and the script
    #: columns too): the geoparser treats them as bulk names.
    bulk_names: frozenset = field(default=frozenset(), compare=False, repr=False)
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    def all_names(self) -> tuple[str, ...]:
        """The canonical name first, then every alias and script form."""
        seen: dict[str, None] = {self.name: None}
        for name in (*self.aliases, *self.name_ar, *self.name_ckb, *self.name_kmr):
            seen.setdefault(name, None)
        return tuple(seen)

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(s.strip() for s in self.source.split(";") if s.strip())

    @property
    def disputed_attribution(self) -> bool:
        """True when the Kurdistan Region's administration attributes the place differently."""
        return bool(self.governorate_krg or self.district_krg)

    def admin_label(self) -> str:
        """`Diyala / Kifri (KRG: Sulaimani / Garmiyan)`: both attributions where they differ."""
        federal = " / ".join(p for p in (self.governorate, self.district) if p)
        if not self.disputed_attribution:
            return federal
        krg = " / ".join(p for p in (self.governorate_krg or self.governorate,
                                     self.district_krg or self.district) if p)
        return f"{federal} (KRG: {krg})"

    def to_dict(self) -> dict:
        """Flat JSON-ready form (lists for multi-valued fields)."""
        return {
            "id": self.id, "name": self.name, "type": self.type,
            "lat": self.lat, "lon": self.lon,
            "governorate": self.governorate, "district": self.district,
            "governorate_krg": self.governorate_krg, "district_krg": self.district_krg,
            "population": self.population,
            "name_ar": list(self.name_ar), "name_ckb": list(self.name_ckb),
            "name_kmr": list(self.name_kmr), "aliases": list(self.aliases),
            "source": self.source, "note": self.note, "status": self.status, "tier": self.tier,
        }


@dataclass(frozen=True)
class Candidate:
    """A place that a query may mean, with how well and how it matched."""

    place: Place
    score: float
    match: str  # "exact", "alias", "normalized" or "fuzzy"
    matched: str  # the gazetteer name that the query hit

    def to_dict(self) -> dict:
        d = self.place.to_dict()
        d.update(score=round(self.score, 4), match=self.match, matched=self.matched)
        return d


@dataclass(frozen=True)
class NearbyPlace:
    """A place near a point: distance in km and the bearing from the place to the point."""

    place: Place
    distance_km: float
    bearing_deg: float

    @property
    def compass(self) -> str:
        points = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
        return points[int((self.bearing_deg + 22.5) // 45) % 8]

    def to_dict(self) -> dict:
        d = self.place.to_dict()
        d.update(distance_km=round(self.distance_km, 3), bearing_deg=round(self.bearing_deg, 1),
                 compass=self.compass)
        return d


# --- reading places files ------------------------------------------------------------------

class _RowError(ValueError):
    """A bad cell: the field and what is wrong with it."""

    def __init__(self, field_name: str, message: str):
        sep = " " if message.startswith("is ") else ": "
        super().__init__(f"field '{field_name}'{sep}{message}")
        self.field = field_name


def _split_multi(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split("|") if v.strip())


def read_places_file(path: str | Path, problems: list[str] | None = None, *,
                     tier: str = "curated") -> list[Place]:
    """Read one places CSV (gzipped when its name ends in .gz). Every bad row is reported
    (file, line, field).

    Without `problems`, any bad row raises GazetteerError listing them all. With a list,
    bad rows are appended to it (as `file:line: field 'x': message`) and skipped, and the
    good rows are returned. A missing, unreadable or headerless file always raises.
    `tier` is set on every place read (see TIERS).
    """
    path = Path(path)
    try:
        if path.suffix == ".gz":
            import gzip

            try:
                text = gzip.decompress(path.read_bytes()).decode("utf-8-sig")
            except (EOFError, gzip.BadGzipFile) as exc:
                raise GazetteerError(f"{path}: not a gzip file ({exc})") from None
        else:
            text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise GazetteerError(f"{path}: places file not found") from None
    except UnicodeDecodeError as exc:
        raise GazetteerError(f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at "
                             f"offset {exc.start})") from None
    except OSError as exc:
        raise GazetteerError(f"{path}: cannot read places file: {exc.strerror}") from None

    # Comment and blank lines are left out; `file_line` maps csv's line count back to the
    # file's lines.
    kept = [(n, ln) for n, ln in enumerate(text.splitlines(), 1)
            if ln.strip() and not ln.lstrip().startswith("#")]
    file_line = [n for n, _ in kept]
    reader = csv.DictReader([ln for _, ln in kept], strict=True)
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise GazetteerError(f"{path}: header: {exc}") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise GazetteerError(f"{path}: header lacks column(s) {', '.join(missing)}")
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise GazetteerError(f"{path}: header has unknown column(s) {', '.join(unknown)}; "
                             f"expected some of {', '.join(COLUMNS)}")

    places: list[Place] = []
    found: list[str] = []
    seen: dict[str, int] = {}
    record_end = 1  # csv's line count after the last complete record (the header)
    try:
        for row in reader:
            line = file_line[record_end]  # the record's first line (a quoted cell may span lines)
            record_end = reader.line_num
            if None in row:
                found.append(f"{path}:{line}: {len(header) + len(row[None])} cells, but the header "
                             f"has {len(header)} columns")
                continue
            if any(v is None for v in row.values()):
                cells = sum(v is not None for v in row.values())
                found.append(f"{path}:{line}: {cells} of {len(header)} cells: the row is short "
                             f"(a missing comma?)")
                continue
            try:
                place = _place_from_row(row, path, line, tier)
            except ValueError as exc:
                found.append(f"{path}:{line}: {exc}")
                continue
            if place.id in seen:
                found.append(f"{path}:{line}: field 'id': {place.id!r} already used on line {seen[place.id]}")
                continue
            seen[place.id] = line
            places.append(place)
    except csv.Error as exc:
        start = file_line[min(record_end, len(file_line) - 1)]
        if "unexpected end of data" in str(exc):
            found.append(f"{path}:{start}: unterminated quoted cell: a '\"' opened on this line "
                         f"(or below it) is never closed, so the rest of the file was read as one cell")
        else:
            found.append(f"{path}:{start}: {exc}")
    if found and problems is None:
        raise GazetteerError("bad places file:\n  " + "\n  ".join(found))
    if problems is not None:
        problems.extend(found)
    return places


def _place_from_row(row: dict, path: Path, line: int, tier: str = "curated") -> Place:
    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    pid = cell("id")
    if not pid:
        raise _RowError("id", "is empty")
    if not cell("name"):
        raise _RowError("name", "is empty")
    ptype = cell("type")
    if ptype not in PLACE_TYPES:
        raise _RowError("type", f"{ptype!r} is not one of {', '.join(PLACE_TYPES)}")
    coords = {}
    for axis, limit in (("lat", 90.0), ("lon", 180.0)):
        try:
            value = float(cell(axis))
        except ValueError:
            raise _RowError(axis, f"{cell(axis)!r} is not a number") from None
        if not -limit <= value <= limit or math.isnan(value):
            raise _RowError(axis, f"{value} is out of range -{limit:g}..{limit:g}")
        coords[axis] = value
    population = None
    if cell("population"):
        try:
            population = int(float(cell("population")))
        except (ValueError, OverflowError):
            raise _RowError("population", f"{cell('population')!r} is not a number") from None
        if population < 0:
            raise _RowError("population", f"{population} is negative")
    if cell("status") not in STATUSES:
        raise _RowError("status", f"{cell('status')!r} is not one of {', '.join(repr(x) for x in STATUSES)}")
    # A bulk row keeps only where it was read: its cells are the Place's fields already, and
    # 20,000 dicts of 17 cells would cost memory and the load time.
    raw = {k: v for k, v in row.items() if k is not None} if tier == "curated" else {}
    raw.update(_file=str(path), _line=line)
    return Place(
        id=pid, name=cell("name"), type=ptype, lat=coords["lat"], lon=coords["lon"],
        governorate=cell("governorate"), district=cell("district"),
        governorate_krg=cell("governorate_krg"), district_krg=cell("district_krg"),
        population=population,
        name_ar=_split_multi(cell("name_ar")), name_ckb=_split_multi(cell("name_ckb")),
        name_kmr=_split_multi(cell("name_kmr")), aliases=_split_multi(cell("aliases")),
        source=cell("source"), note=cell("note"), status=cell("status"), tier=tier, raw=raw,
    )


# --- the gazetteer -------------------------------------------------------------------------

# A name's position among its place's names is packed with the place's index into one int.
_MAX_NAMES = 256


def _add_ref(table: dict, key: str, ref: int) -> None:
    if not key:
        return
    old = table.get(key)
    if old is None:
        table[key] = ref
    elif isinstance(old, tuple):
        if ref not in old:
            table[key] = (*old, ref)
    elif old != ref:
        table[key] = (old, ref)


_FIELD_SEP = "\x1f"  # unit separator: never in a place's cells (the reader drops control characters)
_ENCODED_FIELDS = ("id", "name", "type", "lat", "lon", "governorate", "district",
                   "governorate_krg", "district_krg", "population", "name_ar", "name_ckb",
                   "name_kmr", "aliases", "source", "note", "status", "tier")


def _encode_place(p: Place) -> str:
    cells = []
    for name in _ENCODED_FIELDS:
        value = getattr(p, name)
        if isinstance(value, tuple):
            value = "|".join(value)
        cells.append("" if value is None else str(value))
    cells.append(str(p.raw.get("_file", "")))
    cells.append(str(p.raw.get("_line", "")))
    return _FIELD_SEP.join(cells)


def _decode_place(text: str) -> Place:
    (pid, name, ptype, lat, lon, gov, dist, gov_krg, dist_krg, pop, ar, ckb, kmr, aliases, source,
     note, status, tier, file, line) = text.split(_FIELD_SEP)
    split = lambda v: tuple(v.split("|")) if v else ()  # noqa: E731
    return Place(id=pid, name=name, type=ptype, lat=float(lat), lon=float(lon), governorate=gov,
                 district=dist, governorate_krg=gov_krg, district_krg=dist_krg,
                 population=int(pop) if pop else None, name_ar=split(ar), name_ckb=split(ckb),
                 name_kmr=split(kmr), aliases=split(aliases), source=source, note=note,
                 status=status, tier=tier, raw={"_file": file, "_line": int(line) if line else None})


class _Places(list):
    """The places of a prebuilt gazetteer: a list whose bulk rows stay encoded strings until
    first read (a `geo resolve` looks at a handful of 23,000)."""

    def __getitem__(self, i):
        item = list.__getitem__(self, i)
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if isinstance(item, str):
            item = _decode_place(item)
            list.__setitem__(self, i, item)
        return item

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


class Gazetteer:
    """Places and an index of their names; `resolve`, `nearest`, `to_geodataframe`."""

    def __init__(self, places: Iterable[Place]):
        self.places: list[Place] = list(places)
        self._by_id = {p.id: i for i, p in enumerate(self.places)}
        if len(self._by_id) != len(self.places):
            from collections import Counter

            twice = sorted(i for i, n in Counter(p.id for p in self.places).items() if n > 1)
            raise GazetteerError(f"duplicate place id(s) {', '.join(twice[:5])}"
                                 f"{' ...' if len(twice) > 5 else ''}: an id may appear once in a places file "
                                 "(a row of a later file replaces the row of its id in an earlier one)")
        self._build_index()

    # construction ------------------------------------------------------------------------

    @classmethod
    def from_files(cls, files: Sequence[str | Path], *, bulk_files: Sequence[str | Path] = (),
                   geonames_cache: str | Path | None = None) -> "Gazetteer":
        """The tiers, in order: the curated `files` (a later row replaces an earlier one with
        the same id), then the bulk tiers: `bulk_files` (Who's On First tier files, see
        geo.wof) and the GeoNames cache.

        A bulk row that is a curated place merges into it, never a second place: it cites the
        GeoNames id a curated populated place (or site) cites, or it has such a place's name
        (normalized) within settings.TIER_MERGE_KM. Its other spellings then join the curated
        row's aliases (kept in `bulk_names`, so the geoparser still treats them as bulk names)
        and its `wof:`/`geonames:` references the curated row's source. A bulk row that
        repeats the GeoNames id of an earlier bulk row is dropped.
        """
        merged: dict[str, Place] = {}
        for path in files:
            for place in read_places_file(path):
                merged.pop(place.id, None)  # a replaced row takes the new file's position
                merged[place.id] = place
        bulk: list[Place] = []
        for path in bulk_files:
            bulk.extend(_read_bulk_file(Path(path), "wof"))
        if geonames_cache and Path(geonames_cache).is_file():
            bulk.extend(_read_bulk_file(Path(geonames_cache), "geonames"))
        return cls(_merge_tiers(merged, bulk))

    @classmethod
    def default(cls, extra_places: Sequence[str | Path] = ()) -> "Gazetteer":
        """The built-in places, then GEO_PLACES files and `extra_places` (curated), then the
        WOF tier (the `import-wof` cache when there is one, else the shipped tier), then the
        GeoNames cache. Loaded from a prebuilt copy in the cache folder when one was made from
        the very same files (see `_load_prebuilt`)."""
        env = tuple(p for p in os.environ.get(settings.USER_PLACES_ENV, "").split(os.pathsep) if p)
        return _cached_default(tuple(str(p) for p in (*env, *extra_places)))

    @staticmethod
    def wof_tier_file() -> Path | None:
        """The WOF tier in use: the `geo gazetteer import-wof` cache, else the shipped file."""
        cached = settings.CACHE_DIR / settings.WOF_CACHE_FILE
        if cached.is_file():
            return cached
        return settings.WOF_TIER_FILE if settings.WOF_TIER_FILE.is_file() else None

    @staticmethod
    def builtin_files() -> list[Path]:
        files = sorted(settings.PLACES_DIR.glob("*.csv"))
        if not files:
            raise GazetteerError(f"{settings.PLACES_DIR}: no places files (*.csv) found")
        return files

    def _build_index(self) -> None:
        # normalized: compact key -> packed (place index, name position). A name matched as
        # written is one of these whose name, case-folded, is the query's (see `_written`).
        # A name with a type word ("Hamrin mountains") is also indexed without it, for the
        # place of that type only, so "Hamrin" finds the range and "Hamrin lake" the lake.
        # Values are ints (one place) or tuples of ints (`_pack`): with 23,000 places, lists of
        # tuples would make the prebuilt copy (see `prebuilt_key`) slow to load.
        norm: dict[str, object] = {}
        for i, place in enumerate(self.places):
            for j, name in enumerate(place.all_names()[:_MAX_NAMES]):
                ref = i * _MAX_NAMES + j
                key = normalize(name)
                _add_ref(norm, compact(key), ref)
                core, types = split_type_word(key)
                if types is not None and core and place.type in types:
                    _add_ref(norm, compact(core), ref)
        self._norm = norm
        self._fuzzy_buckets: dict[tuple[str, int], list[str]] | None = None
        self._spelling_index: dict[str, tuple[int, ...]] | None = None
        self._coords = None

    def _written(self, text: str) -> list[tuple[int, int, str]]:
        """(place index, name position, name) of the names written exactly as `text` (case aside)."""
        folded = text.strip().casefold()
        return [r for r in self._refs(self._norm, compact(normalize(text)))
                if r[2].strip().casefold() == folded]

    def _refs(self, table: dict, key: str) -> list[tuple[int, int, str]]:
        """(place index, name position, the name) of a key of `_norm`."""
        value = table.get(key)
        if value is None:
            return []
        out = []
        for ref in (value if isinstance(value, tuple) else (value,)):
            index, j = divmod(ref, _MAX_NAMES)
            out.append((index, j, self.places[index].all_names()[j]))
        return out

    # A prebuilt copy keeps the bulk rows as one string each (`_encode_place`): unpickling
    # 23,000 strings is over 20 times faster than unpickling 23,000 Place objects, and a
    # place is decoded when it is first looked at (see _Places).
    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["places"] = [p if p.tier == "curated" else _encode_place(p) for p in self.places]
        state["_fuzzy_buckets"] = None
        state["_spelling_index"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.places = _Places(state["places"])

    # look-ups ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.places)

    def __contains__(self, place_id: str) -> bool:
        return place_id in self._by_id

    def get(self, place_id: str) -> Place:
        """The place with this id (KeyError naming the id when there is none)."""
        try:
            return self.places[self._by_id[place_id]]
        except KeyError:
            raise KeyError(f"no place with id {place_id!r} in the gazetteer") from None

    def names(self) -> Iterable[tuple[str, Place]]:
        """Every (name, place) pair, canonical names and aliases alike: for the geoparser."""
        for place in self.places:
            for name in place.all_names():
                yield name, place

    def resolve(self, name: str, limit: int = settings.DEFAULT_LIMIT,
                types: Iterable[str] | None = None) -> list[Candidate]:
        """Ranked candidates for `name`, best first; `[]` when nothing matches.

        Parameters
        ----------
        name: a place name in any script, optionally with a type word ("Diyala province").
        limit: at most this many candidates.
        types: keep only places of these types.

        Raises QueryError for an empty, over-long or binary name.
        """
        query = check_name(name)
        wanted = frozenset(types) if types else None
        if wanted and not wanted <= set(PLACE_TYPES):
            raise QueryError(f"unknown place type(s): {', '.join(sorted(wanted - set(PLACE_TYPES)))}")
        best: dict[int, Candidate] = {}

        def offer(index: int, score: float, match: str, matched: str, penalty=None) -> None:
            place = self.places[index]
            if wanted and place.type not in wanted:
                return
            if penalty is not None:
                cost = penalty(place.type)
                if cost is None:
                    return
                score -= cost
            old = best.get(index)
            if old is None or score > old.score:
                best[index] = Candidate(place, score, match, matched)

        key = normalize(query)
        readings = type_word_splits(query)
        # The name as a whole: as written (canonical name or alias), then folded. When it has a
        # type word and places of that type and of others match it ("Nahiyat Yathrib", an alias
        # of the subdistrict and of its town), the others rank just below.
        whole = [(index, settings.SCORE_EXACT if j == 0 else settings.SCORE_ALIAS,
                  "exact" if j == 0 else "alias", matched)
                 for index, j, matched in self._written(query)]
        whole += [(index, settings.SCORE_NORMALIZED, "normalized", matched)
                  for index, _j, matched in self._refs(self._norm, compact(key))]
        typed = frozenset().union(*(r[2] for r in readings)) if readings else frozenset()
        mismatch = None
        if typed and any(self.places[w[0]].type in typed for w in whole):
            mismatch = lambda t: 0.0 if t in typed else settings.RESOLVE_TYPE_WORD_MISMATCH_PENALTY  # noqa: E731
        for index, score, kind, matched in whole:
            offer(index, score, kind, matched, mismatch)
        # With a type word ("Kan‘ān town", "Diyala province"): the rest of the name, for places
        # of that type, and never above a normalized match (the whole query is not a name).
        fuzzy_keys: list[tuple[str, object]] = [(key, None)]
        for raw_core, core, implied, own in readings:
            penalty = _type_word_penalty(own, implied)
            if raw_core is not None:
                for index, _j, matched in self._written(raw_core):
                    offer(index, settings.SCORE_NORMALIZED, "normalized", matched, penalty)
            for index, _j, matched in self._refs(self._norm, compact(core)):
                offer(index, settings.SCORE_NORMALIZED - settings.RESOLVE_CORE_FOLDED_PENALTY, "normalized", matched, penalty)
            fuzzy_keys.append((core, penalty))
        # Typos only: a name that matched exactly gets no fuzzy noise, and a word known not to
        # be a place ("Iraqi", "Kurdistan 24") is not a misspelt one ("Iraq", "Kurdistan Region").
        if not best and compact(key) not in not_place_keys():
            for norm_key, penalty in fuzzy_keys:
                for index, score, matched in self._fuzzy(norm_key, limit * 4):
                    offer(index, score, "fuzzy", matched, penalty)
        # Tiers: when a curated place matches (not only by a typo), a bulk-tier reading of the
        # name ranks below every curated one ("Sulaymaniyah" is the city, not WOF's village of
        # that name in Karbala), as in the geoparser.
        if any(not _bulk_match(c) and c.match != "fuzzy" for c in best.values()):
            for index, c in list(best.items()):
                if _bulk_match(c):
                    best[index] = Candidate(c.place, min(c.score, settings.SCORE_NORMALIZED)
                                            - settings.BULK_NAMESAKE_PENALTY, c.match, c.matched)
        ranked = sorted(best.values(), key=self._rank_key)
        return ranked[:limit]

    @staticmethod
    def _rank_key(c: Candidate):
        # Equal scores: the populated place before the admin unit or feature, then the place
        # data/preferred_names.csv names, then one in the study region over a namesake elsewhere,
        # then the larger.
        preferred = preferred_names().get(compact(c.matched)) == c.place.id
        study = c.place.governorate in settings.STUDY_GOVERNORATES or (
            c.place.governorate_krg in settings.STUDY_GOVERNORATES)
        return (-round(c.score, 6), _TYPE_PREFERENCE.get(c.place.type, 99), not preferred, not study,
                -(c.place.population or 0), c.place.id)

    def _fuzzy(self, key: str, limit: int) -> list[tuple[int, float, str]]:
        """Fuzzy candidates: (place index, score, matched name); score falls with the ratio.

        A candidate must share the query's first letter, and a query of three or more words
        must be closer (ratio 90) than a shorter one (settings.FUZZY_MIN_RATIO).
        """
        probe = compact(key)
        if len(probe) < 4:  # too short to tell a typo from another name
            return []
        from rapidfuzz import fuzz, process

        cutoff = settings.FUZZY_MIN_RATIO
        if len(key.split()) >= settings.RESOLVE_FUZZY_MULTIWORD_WORDS:
            cutoff = max(cutoff, settings.RESOLVE_FUZZY_MULTIWORD_MIN_RATIO)
        # The index: keys by first letter and length. A ratio of at least `cutoff` bounds the
        # other key's length (ratio <= 200 * shorter / (sum of lengths)), so only the buckets
        # of that letter and those lengths are compared, not every name.
        if self._fuzzy_buckets is None:
            buckets: dict[tuple[str, int], list[str]] = defaultdict(list)
            for k in self._norm:
                buckets[(k[:1], len(k))].append(k)
            self._fuzzy_buckets = dict(buckets)
        n = len(probe)
        low = math.ceil(n * cutoff / (200 - cutoff))
        high = math.floor(n * (200 - cutoff) / cutoff)
        pool = [k for length in range(low, high + 1)
                for k in self._fuzzy_buckets.get((probe[:1], length), ())]
        out = []
        for found, ratio, _ in process.extract(probe, pool, scorer=fuzz.ratio,
                                               score_cutoff=cutoff, limit=limit):
            for index, _j, matched in self._refs(self._norm, found):
                out.append((index, settings.SCORE_FUZZY_MAX * ratio / 100.0, matched))
        return out

    def spelling_variants(self, name: str) -> list[Place]:
        """Places with a Latin name of the same spelling key as `name` (see
        geo._text.spelling_key: "Chirakh" finds "Jiragh", "Lewce" finds "Lewje"), in gazetteer
        order; [] when the name is too short or not Latin. The key is coarse: many villages
        share one, so the caller narrows them by context (the unit a report names)."""
        key = spelling_key(name)
        if not key:
            return []
        if self._spelling_index is None:
            # Built on first use only: most runs never ask (it takes ~0.5 s at 23,000 places).
            index: dict[str, list[int]] = defaultdict(list)
            for i, place in enumerate(self.places):
                seen: set[str] = set()
                for written in place.all_names():
                    k = spelling_key(written)
                    if k and k not in seen:
                        seen.add(k)
                        index[k].append(i)
            self._spelling_index = {k: tuple(v) for k, v in index.items()}
        return [self.places[i] for i in self._spelling_index.get(key, ())]

    def nearest(self, lat: float, lon: float, limit: int = settings.DEFAULT_LIMIT,
                types: Iterable[str] | None = None) -> list[NearbyPlace]:
        """Places nearest to (lat, lon), with great-circle distance and bearing, closest first."""
        lat, lon = check_point(lat, lon)
        wanted = frozenset(types) if types else None
        import numpy as np

        lats, lons, kinds = self._coord_arrays()
        # A first cut with numpy (23,000 places), then the exact distances of the few kept.
        p1, p2 = math.radians(lat), np.radians(lats)
        a = (np.sin((p2 - p1) / 2) ** 2
             + math.cos(p1) * np.cos(p2) * np.sin(np.radians(lons - lon) / 2) ** 2)
        rough = 2 * settings.EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
        if wanted:
            codes = [PLACE_TYPES.index(t) for t in wanted if t in PLACE_TYPES]
            rough = np.where(np.isin(kinds, codes), rough, np.inf)
        finite = int(np.isfinite(rough).sum())
        take = min(finite, max(limit, 0) + 16)
        if take <= 0:
            return []
        nearest = np.argpartition(rough, take - 1)[:take] if take < len(rough) else np.arange(len(rough))
        scored = []
        for i in nearest.tolist():
            if not np.isfinite(rough[i]):
                continue
            place = self.places[i]
            d = haversine_km(lat, lon, place.lat, place.lon)
            scored.append((round(d, 9), place.id, place))
        scored.sort(key=lambda t: (t[0], t[1]))
        return [NearbyPlace(p, d, bearing_deg(p.lat, p.lon, lat, lon)) for d, _, p in scored[:limit]]

    def of_types(self, types: Iterable[str]) -> list[Place]:
        """The places of these types, in gazetteer order (without reading the 22,000 bulk
        rows of a prebuilt gazetteer that are not of them)."""
        import numpy as np

        codes = [PLACE_TYPES.index(t) for t in types if t in PLACE_TYPES]
        kinds = self._coord_arrays()[2]
        return [self.places[i] for i in np.flatnonzero(np.isin(kinds, codes)).tolist()]

    def _coord_arrays(self):
        """Latitudes, longitudes and types of every place as numpy arrays (kept once made)."""
        if self._coords is None:
            import numpy as np

            places = [self.places[i] for i in range(len(self.places))]
            self._coords = (np.array([p.lat for p in places], dtype=float),
                            np.array([p.lon for p in places], dtype=float),
                            np.array([PLACE_TYPES.index(p.type) for p in places], dtype=np.int8))
        return self._coords

    def where(self, lat: float, lon: float, limit: int = settings.DEFAULT_LIMIT) -> dict:
        """What is at (lat, lon): the nearest places and the admin units of the nearest
        settlement, when one lies within settings.WHERE_SETTLEMENT_MAX_KM (farther, the point
        may be across a border: `settlement` is still given, its admin units are not claimed).

        Raises QueryError for a point outside Iraq's bounding box (the gazetteer covers Iraq
        only), naming a lat/lon swap when the swapped point is inside."""
        lat, lon = check_point(lat, lon)
        west, south, east, north = settings.IRAQ_BBOX
        if not (south <= lat <= north and west <= lon <= east):
            swapped = south <= lon <= north and west <= lat <= east
            raise QueryError(f"{lat}, {lon} is outside Iraq (lat {south} to {north}, lon {west} to "
                             f"{east}): the gazetteer covers Iraq only"
                             + ("; did you swap lat and lon?" if swapped else ""))
        nearby = self.nearest(lat, lon, limit=limit)
        settlement = self.nearest(lat, lon, limit=1, types=SETTLEMENT_TYPES)
        result = {"lat": lat, "lon": lon, "nearest": [n.to_dict() for n in nearby]}
        if settlement and settlement[0].distance_km > settings.WHERE_SETTLEMENT_MAX_KM:
            result["settlement"] = settlement[0].to_dict()
            result["note"] = (f"no settlement within {settings.WHERE_SETTLEMENT_MAX_KM:g} km: the "
                              "admin units are not known here")
        elif settlement:
            s = settlement[0]
            result["settlement"] = s.to_dict()
            result["governorate"] = s.place.governorate
            result["district"] = s.place.district
            result["governorate_krg"] = s.place.governorate_krg
            result["district_krg"] = s.place.district_krg
        return result

    def validate(self, files: Iterable[str | Path] | None = None) -> list["Problem"]:
        """Check the rows against the gazetteer's rules; `[]` when every row is valid.

        Rules: coordinates inside Iraq's bounding box (settings.IRAQ_BBOX; a swapped lat/lon
        is named as such), a lower-case ASCII slug for `id`, a `source`, a known governorate
        (GOVERNORATES) and district (the name of a district row), aliases of 3+ letters, and
        no name shared by two places of one type unless data/preferred_names.csv decides
        between them or both have (different) populations.

        `files`: report only the rows read from these places files; the whole gazetteer is
        still the context (district names, namesakes). `geo gazetteer check` and the data test
        use this; a gazetteer with the GeoNames cache merged in is not meant to pass.
        """
        only = None if files is None else {str(Path(f)) for f in files}
        districts = {p.name for p in self.places if p.type == "district"}
        named = {p.name for p in self.places}
        problems: list[Problem] = []
        for p in self.places:
            if only is None or p.raw.get("_file") in only:
                problems.extend(_row_problems(p, districts, named))
        problems.extend(self._namesake_problems(only))
        if only is None:
            problems.extend(self._preference_problems())
        return problems

    def _namesake_problems(self, only: set[str] | None) -> list["Problem"]:
        prefs = preferred_names()
        groups: dict[tuple[str, str], dict[str, tuple[Place, str]]] = defaultdict(dict)
        for p in self.places:
            for name in p.all_names():
                groups[(compact(name), p.type)].setdefault(p.id, (p, name))
        problems = []
        for (key, ptype), members in groups.items():
            if len(members) < 2 or prefs.get(key) in members:
                continue
            pops = [p.population for p, _ in members.values()]
            if all(pops) and len(set(pops)) == len(pops):
                continue  # the larger place ranks first, and the order is stable
            ordered = list(members.values())
            for i, (p, name) in enumerate(ordered):
                if (only is None and i == 0) or (only is not None and p.raw.get("_file") not in only):
                    continue
                others = ", ".join(f"{o.id} ({_where(o)})" for o, _ in ordered if o.id != p.id)
                problems.append(Problem(
                    p.raw.get("_file", ""), p.raw.get("_line"), "name" if name == p.name else "aliases",
                    f"{name!r} also names the {ptype} {others}; add a rule to "
                    f"data/preferred_names.csv (name,prefer,reason) or give each row a population",
                    p.id))
        return problems

    def _preference_problems(self) -> list["Problem"]:
        """A data/preferred_names.csv rule must name a place that has the rule's name (rules
        for ids this gazetteer lacks are left alone: it may be a partial one)."""
        path = settings.DATA_DIR / "preferred_names.csv"
        problems = []
        for key, pid in preferred_names().items():
            if pid in self._by_id and key not in {compact(n) for n in self.get(pid).all_names()}:
                problems.append(Problem(str(path), None, "name",
                                        f"{pid!r} has no name that normalizes to {key!r}"))
        return problems

    def to_geodataframe(self):
        """All places as a GeoDataFrame in EPSG:4326 (multi-valued fields joined with `|`)."""
        import geopandas as gpd
        from shapely.geometry import Point

        rows = []
        for p in self.places:
            d = p.to_dict()
            for k in _MULTI:
                d[k] = "|".join(d[k])
            rows.append(d)
        return gpd.GeoDataFrame(rows, geometry=[Point(p.lon, p.lat) for p in self.places],
                                crs=settings.CRS_WGS84)


# --- row checks -----------------------------------------------------------------------------

_ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SOURCE_PATTERNS = {"geonames": re.compile(r"\d+"), "ucdp": re.compile(r"\d+"), "wof": re.compile(r"\d+"),
                    "ocha": re.compile(r"IQG\d{2}(?:Q\d{2}(?:N\d{2})?)?")}


@dataclass(frozen=True)
class Problem:
    """One rule a row breaks: where (file, line, field) and what is wrong."""

    file: str
    line: int | None
    field: str
    message: str
    place_id: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        who = f" (id {self.place_id})" if self.place_id else ""
        sep = " " if self.message.startswith("is ") else ": "
        return f"{where}: field '{self.field}'{sep}{self.message}{who}"


def _where(p: Place) -> str:
    return f"{Path(p.raw.get('_file', '?')).name}:{p.raw.get('_line', '?')}"


def _suggest(value: str, choices: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(value, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _row_problems(p: Place, districts: set[str], named: set[str]) -> list[Problem]:
    found: list[tuple[str, str]] = []
    if not _ID_PATTERN.fullmatch(p.id):
        slug = re.sub(r"[^a-z0-9]+", "-", p.id.lower()).strip("-")
        found.append(("id", f"{p.id!r} is not a lower-case ASCII slug (a-z, 0-9 and single "
                            f"hyphens, e.g. {slug!r})"))
    lon_min, lat_min, lon_max, lat_max = settings.IRAQ_BBOX
    inside = lambda lat, lon: lat_min <= lat <= lat_max and lon_min <= lon <= lon_max  # noqa: E731
    if not inside(p.lat, p.lon):
        box = f"lat {lat_min:g}..{lat_max:g}, lon {lon_min:g}..{lon_max:g}"
        if inside(p.lon, p.lat):
            found.append(("lat, lon", f"{p.lat:g}, {p.lon:g} is outside Iraq ({box}); lat and lon "
                                      f"look swapped: {p.lon:g}, {p.lat:g} is inside"))
        else:
            found.append(("lat" if not lat_min <= p.lat <= lat_max else "lon",
                          f"{p.lat:g}, {p.lon:g} is outside Iraq's bounding box ({box})"))
    if not p.source:
        found.append(("source", "is empty: cite a GeoNames id (geonames:90026), a UCDP event "
                                "(ucdp:114064), an OCHA P-code (ocha:IQG16Q07) or a short citation"))
    for src in p.sources:
        kind, sep, ref = src.partition(":")
        if sep and kind in _SOURCE_PATTERNS and not _SOURCE_PATTERNS[kind].fullmatch(ref.strip()):
            found.append(("source", f"{src!r} is not a valid {kind} reference"))
    for column in ("governorate", "governorate_krg"):
        value = getattr(p, column)
        if value and value not in GOVERNORATES:
            found.append((column, f"{value!r} is not a governorate{_suggest(value, GOVERNORATES)} "
                                  f"(one of {', '.join(sorted(GOVERNORATES))})"))
    if p.district and p.district not in districts:
        found.append(("district", f"{p.district!r} has no district row{_suggest(p.district, districts)}"))
    if p.district_krg and p.district_krg not in named:
        found.append(("district_krg", f"{p.district_krg!r} is not the name of any row"
                                      f"{_suggest(p.district_krg, named)}"))
    for alias in p.aliases:
        if len(compact(alias)) < 3:
            found.append(("aliases", f"{alias!r} is too short to be a safe alias (3+ letters)"))
    return [Problem(p.raw.get("_file", ""), p.raw.get("_line"), f, m, p.id) for f, m in found]


def check_places_files(files: Sequence[str | Path]) -> tuple[list[str], int]:
    """Check user places files as `geo gazetteer check` does: (problems, rows read).

    Each file is read (every malformed row reported), merged over the built-in gazetteer,
    and its rows are checked with `Gazetteer.validate` against the whole.
    """
    problems: list[str] = []
    readable: list[Path] = []
    count = 0
    for f in files:
        try:
            count += len(read_places_file(f, problems))
            readable.append(Path(f))
        except GazetteerError as exc:
            problems.append(str(exc))
    if readable:
        merged: dict[str, Place] = {}
        for path in [*Gazetteer.builtin_files(), *readable]:
            for place in read_places_file(path, []):  # bad rows were reported above
                merged.pop(place.id, None)
                merged[place.id] = place
        problems.extend(str(p) for p in Gazetteer(merged.values()).validate(files=readable))
    return sorted(problems, key=_problem_order), count


def _problem_order(problem: str) -> tuple:
    """File, then line: the order a person fixes them in."""
    import re

    m = re.match(r"(.*?):(\d+):", problem)
    return (m.group(1), int(m.group(2))) if m else (problem.split(":", 1)[0], 0)


def _type_word_penalty(own: str | None, implied: frozenset[str]):
    """How much a type word lowers a candidate of each type; None drops the candidate."""
    def penalty(ptype: str) -> float | None:
        if ptype == own:
            return 0.0
        if own in SETTLEMENT_TYPES:
            if ptype in SETTLEMENT_TYPES:
                return settings.RESOLVE_TYPE_WORD_NEAR_PENALTY
            return settings.RESOLVE_TYPE_WORD_SITE_PENALTY if ptype == "site" else None
        return 0.0 if ptype in implied else None
    return penalty


def _warn(message: str) -> None:
    """A warning on stderr (via logging, so tests and applications can capture it)."""
    import logging

    logging.getLogger("geo").warning("geo: warning: %s", message)


def _read_bulk_file(path: Path, tier: str) -> list[Place]:
    """A bulk tier's rows. The shipped tier must be whole (it is built and tested here); a
    cache made by an import skips a bad row, or is ignored when broken, with a warning naming
    the file and how to rebuild it, so one bad import never bricks the tool."""
    if path == settings.WOF_TIER_FILE:
        return read_places_file(path, tier=tier)
    command = "import-wof PATH (a WOF checkout or archive)" if tier == "wof" else "import-geonames IQ.txt"
    fix = f"rebuild it with `geo gazetteer {command}` or delete {path}"
    what = "WOF" if tier == "wof" else "GeoNames"
    problems: list[str] = []
    try:
        places = read_places_file(path, problems, tier=tier)
    except GazetteerError as exc:
        _warn(f"{what} cache {path} is unreadable and was ignored ({exc}); {fix}")
        return []
    if problems:
        more = f" and {len(problems) - 1} more" if len(problems) > 1 else ""
        _warn(f"{what} cache {path}: {len(problems)} bad row(s) skipped ({problems[0]}{more}); {fix}")
    return places


#: Curated types a bulk (populated) place can be the same place as.
_MERGE_TYPES = SETTLEMENT_TYPES | {"site"}


def _geonames_ids(place: Place) -> list[str]:
    return [s.partition(":")[2].strip() for s in place.sources if s.startswith("geonames:")]


def _bulk_match(c: Candidate) -> bool:
    """Did `c` match through a bulk-tier name (a WOF or GeoNames row, or a spelling one of them
    brought to a curated row)?"""
    return c.place.tier != "curated" or c.matched in c.place.bulk_names


def _near_other_name(name: str, pid: str, others: dict[str, str]) -> bool:
    """Is `name` (nearly: rapidfuzz ratio 88) the name of another curated place?"""
    from rapidfuzz import fuzz, process

    key = compact(normalize(name))
    if others.get(key, pid) != pid:
        return True
    found = process.extractOne(key, list(others), scorer=fuzz.ratio, score_cutoff=88)
    return bool(found) and others[found[0]] != pid


def _merge_tiers(curated: dict[str, Place], bulk: list[Place]) -> list[Place]:
    """Curated places (with the spellings of the bulk rows that are them), then the other
    bulk rows (see Gazetteer.from_files)."""
    from dataclasses import replace

    by_gid: dict[str, str] = {}
    by_name: dict[str, list[str]] = defaultdict(list)
    for place in curated.values():
        if place.type in _MERGE_TYPES:
            for gid in _geonames_ids(place):
                by_gid.setdefault(gid, place.id)
            for name in place.all_names():
                key = compact(normalize(name))
                if key and place.id not in by_name[key]:
                    by_name[key].append(place.id)
    extras: dict[str, list[Place]] = defaultdict(list)
    kept: list[Place] = []
    seen_gids: set[str] = set()
    for b in bulk:
        if b.id in curated:
            continue  # a curated row of that id was reviewed: it replaces the bulk one
        gids = _geonames_ids(b)
        owner = next((by_gid[g] for g in gids if g in by_gid), None)
        if owner is None:
            near = []
            for name in b.all_names():
                for pid in by_name.get(compact(normalize(name)), ()):
                    c = curated[pid]
                    d = haversine_km(b.lat, b.lon, c.lat, c.lon)
                    if d <= settings.TIER_MERGE_KM:
                        near.append((d, pid))
            owner = min(near)[1] if near else None
        if owner is not None:
            extras[owner].append(b)
            continue
        if any(g in seen_gids for g in gids):
            continue
        seen_gids.update(gids)
        kept.append(b)
    out = []
    # Names of curated places a bulk spelling must not come close to: Pirmam's WOF record
    # calls it "Salah ad Din", which reviewers kept for the governorate.
    others = {compact(normalize(n)): p.id for p in curated.values() for n in p.all_names()
              if p.type not in ("village", "site")}
    for pid, place in curated.items():
        if pid not in extras:
            out.append(place)
            continue
        have = set(place.all_names())
        added: list[str] = []
        sources = list(place.sources)
        for b in extras[pid]:
            for name in b.all_names():
                if name not in have and not _near_other_name(name, pid, others):
                    have.add(name)
                    added.append(name)
            sources.extend(s for s in b.sources if s not in sources and not s.startswith("ocha:"))
        out.append(replace(place, aliases=(*place.aliases, *added), source=";".join(sources),
                           bulk_names=frozenset(added), raw=place.raw))
    out.extend(kept)
    return out


@lru_cache(maxsize=1)
def preferred_names() -> dict[str, str]:
    """data/preferred_names.csv: compact name -> id of the place a bare name means first."""
    path = settings.DATA_DIR / "preferred_names.csv"
    if not path.is_file():
        return {}
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.lstrip().startswith("#")]
    return {compact(row["name"]): row["prefer"].strip() for row in csv.DictReader(lines) if row.get("name")}


@lru_cache(maxsize=1)
def not_place_keys() -> frozenset[str]:
    """Compact forms of the adjectives, actors and outlets of data/geoparse.yaml."""
    from geo._geoparse_rules import geoparse_rules

    rules = geoparse_rules()
    return frozenset(compact(normalize(w)) for w in (*rules.adjectives, *rules.actors, *rules.outlets))


@lru_cache(maxsize=8)
def _cached_default(extra: tuple[str, ...]) -> Gazetteer:
    curated = [*Gazetteer.builtin_files(), *map(Path, extra)]
    wof = Gazetteer.wof_tier_file()
    bulk = [wof] if wof else []
    geonames = settings.CACHE_DIR / settings.GEONAMES_CACHE_FILE
    key = prebuilt_key([*curated, *bulk, geonames])
    gaz = load_prebuilt("gazetteer", key)
    if not isinstance(gaz, Gazetteer):
        gaz = Gazetteer.from_files(curated, bulk_files=bulk, geonames_cache=geonames)
        gaz._coord_arrays()  # made once here rather than on every `geo where`
        save_prebuilt("gazetteer", key, gaz)
    gaz.fingerprint = key
    return gaz


# --- prebuilt indexes in the cache folder ------------------------------------------------------
# Reading 23,000 rows and normalizing their 130,000 names takes seconds; unpickling the result
# takes a small part of that. A prebuilt copy is keyed by the bytes of every input file and of
# the code that builds it, so any change to either makes a new one (the old is removed).

_PREBUILT_FORMAT = "1"
_PREBUILT_CODE = ("gazetteer.py", "_text.py", "settings.py", "parse.py", "_geoparse_rules.py")


def prebuilt_key(paths: Iterable[Path]) -> str:
    """A hash of the files (path and bytes; a missing file counts as missing) and of the code
    and rules that turn them into indexes."""
    import hashlib

    digest = hashlib.sha256(_PREBUILT_FORMAT.encode())
    here = Path(__file__).resolve().parent
    for path in [*(here / name for name in _PREBUILT_CODE), settings.GEOPARSE_RULES_FILE, *paths]:
        digest.update(str(path).encode("utf-8", "surrogateescape") + b"\0")
        try:
            digest.update(Path(path).read_bytes())
        except OSError:
            digest.update(b"\0missing\0")
    return digest.hexdigest()[:32]


def _prebuilt_path(kind: str, key: str) -> Path:
    return settings.CACHE_DIR / f"{settings.INDEX_CACHE_PREFIX}{kind}-{key}.pickle"


def load_prebuilt(kind: str, key: str):
    """The object saved under (kind, key), or None when there is none or it cannot be read
    (a broken file is rebuilt, never an error: it is only a cache)."""
    import pickle

    try:
        with open(_prebuilt_path(kind, key), "rb") as handle:
            return pickle.load(handle)
    except Exception:  # noqa: BLE001 - any unreadable cache means "build it again"
        return None


def save_prebuilt(kind: str, key: str, value) -> None:
    """Save `value` under (kind, key) atomically and remove the copies of older keys; a cache
    folder that cannot be written costs only the speed-up."""
    import pickle
    import tempfile

    path = _prebuilt_path(kind, key)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        tmp = None
        for old in path.parent.glob(f"{settings.INDEX_CACHE_PREFIX}{kind}-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError):
        pass
    finally:
        if tmp:
            Path(tmp).unlink(missing_ok=True)


# --- checks and geometry helpers -----------------------------------------------------------

def check_name(name: object) -> str:
    """The name stripped, or QueryError when it is empty, over-long or binary."""
    if isinstance(name, bytes):
        try:
            name = name.decode("utf-8")
        except UnicodeDecodeError:
            raise QueryError("the name is not UTF-8 text (binary input?)") from None
    if not isinstance(name, str):
        raise QueryError(f"the name must be text, not {type(name).__name__}")
    stripped = name.strip()
    if not stripped:
        raise QueryError("the name is empty")
    if len(stripped) > settings.MAX_NAME_CHARS:
        raise QueryError(f"the name is {len(stripped)} characters long; the limit is {settings.MAX_NAME_CHARS}")
    if any(ch == "\ufffd" or ord(ch) < 32 or 0xD800 <= ord(ch) <= 0xDFFF for ch in stripped):
        raise QueryError("the name contains control or undecodable characters (binary input?)")
    return stripped


def check_point(lat: float, lon: float) -> tuple[float, float]:
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        raise QueryError(f"latitude and longitude must be numbers, got {lat!r}, {lon!r}") from None
    if not -90 <= lat <= 90 or math.isnan(lat):
        raise QueryError(f"latitude {lat} is out of range -90..90 (did you swap lat and lon?)")
    if not -180 <= lon <= 180 or math.isnan(lon):
        raise QueryError(f"longitude {lon} is out of range -180..180")
    return lat, lon


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * settings.EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial bearing in degrees (0 = north, clockwise) from point 1 to point 2."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(x, y)) + 360.0) % 360.0
