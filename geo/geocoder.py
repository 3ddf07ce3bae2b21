"""geopy-compatible geocoders over the offline gazetteer.

`GazetteerGeocoder` subclasses `geopy.geocoders.base.Geocoder`, so code written for geopy
(`geocode`, `reverse`, `geopy.extra.rate_limiter`...) works offline against the gazetteer.
Each `Location` keeps the gazetteer row (plus score and match) in `raw`, so nothing is lost.

`CachedOnlineGeocoder` wraps an online geopy geocoder (Nominatim...) for names the gazetteer
lacks. It is used only when the user asks for it, and every answer is cached on disk so the
same name never goes out twice.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from geo import settings
from geo.gazetteer import SETTLEMENT_TYPES, Candidate, Gazetteer, Place


def _address(place: Place) -> str:
    parts = [place.name]
    for part in (place.district, place.governorate):
        if part and part != parts[-1]:
            parts.append(part)
    parts.append("Iraq")
    return ", ".join(parts)


def _location(place: Place, extra: dict) -> Location:
    raw = dict(place.raw)
    raw.update(place.to_dict())
    raw.update(extra)
    return Location(_address(place), Point(place.lat, place.lon), raw)


class GazetteerGeocoder(Geocoder):
    """Offline geocoder: `geocode(name)` and `reverse((lat, lon))` against the gazetteer."""

    def __init__(self, gazetteer: Gazetteer | None = None, **kwargs):
        super().__init__(**kwargs)
        self.gazetteer = gazetteer or Gazetteer.default()

    def geocode(self, query, *, exactly_one=True, limit=None, types=None, timeout=None):
        """Location(s) for a place name; None when nothing matches (as geopy does)."""
        candidates = self.gazetteer.resolve(str(query), limit=1 if exactly_one else (limit or settings.DEFAULT_LIMIT),
                                            types=types)
        found = [_location(c.place, {"score": c.score, "match": c.match, "matched": c.matched})
                 for c in candidates]
        if not found:
            return None
        return found[0] if exactly_one else found

    def reverse(self, query, *, exactly_one=True, limit=None, timeout=None):
        """The nearest settlement(s) to a point given as (lat, lon), "lat, lon" or a geopy Point."""
        point = Point(query)
        nearby = self.gazetteer.nearest(point.latitude, point.longitude,
                                        limit=1 if exactly_one else (limit or settings.DEFAULT_LIMIT),
                                        types=SETTLEMENT_TYPES)
        found = [_location(n.place, {"distance_km": n.distance_km, "bearing_deg": n.bearing_deg})
                 for n in nearby]
        if not found:
            return None
        return found[0] if exactly_one else found


class CachedOnlineGeocoder:
    """An online geopy geocoder whose answers are cached in a JSON file (name -> answer)."""

    def __init__(self, geocoder, cache_path: str | Path | None = None):
        self.geocoder = geocoder
        self.cache_path = Path(cache_path or settings.CACHE_DIR / settings.ONLINE_CACHE_FILE)
        try:
            self._cache = json.loads(self.cache_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self._cache = {}

    def geocode(self, query: str) -> dict | None:
        """{name, lat, lon, address, provider} for `query`, from the cache or the service."""
        key = f"{type(self.geocoder).__name__}:{query.strip().casefold()}"
        if key not in self._cache:
            loc = self.geocoder.geocode(query, exactly_one=True)
            self._cache[key] = None if loc is None else {
                "name": query.strip(), "lat": loc.latitude, "lon": loc.longitude,
                "address": loc.address, "provider": type(self.geocoder).__name__,
            }
            self._save()
        return self._cache[key]

    def _save(self) -> None:
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.cache_path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(self._cache, out, ensure_ascii=False, sort_keys=True, indent=1)
        os.replace(tmp, self.cache_path)


def online_geocoder(provider: str):
    """A geopy geocoder by name (only `nominatim` is offered), with this tool's user agent."""
    if provider != "nominatim":
        from geo._errors import QueryError

        raise QueryError(f"unknown online geocoder {provider!r}; the only one offered is 'nominatim'")
    from geopy.geocoders import Nominatim

    return Nominatim(user_agent="geo-disputed-territories/0.1 (offline-first gazetteer fallback)")


__all__ = ["GazetteerGeocoder", "CachedOnlineGeocoder", "online_geocoder", "Candidate"]
