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
from geo._errors import GeocoderError
from geo.gazetteer import SETTLEMENT_TYPES, Candidate, Gazetteer, Place, _warn


def _address(place: Place) -> str:
    """`Kifri, Diyala, Iraq (KRG: Garmiyan, Sulaimani)`: both attributions where they differ."""
    def chain(district: str, governorate: str) -> list[str]:
        parts = [place.name]
        for part in (district, governorate):
            if part and part != parts[-1]:
                parts.append(part)
        return parts

    federal = chain(place.district, place.governorate)
    address = ", ".join([*federal, "Iraq"])
    if place.disputed_attribution:
        krg = chain(place.district_krg or place.district, place.governorate_krg or place.governorate)
        address += f" (KRG: {', '.join(krg[1:])})"
    return address


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

    def geocode(self, query, *, exactly_one=True, limit=None, types=None, timeout=None, **kwargs):
        """Location(s) for a place name; None when nothing matches (as geopy does).

        geopy's other keyword arguments (`language`, `addressdetails`, `country_codes`,
        `viewbox`, `bounded`, `featuretype`, `namedetails`...) are accepted, so code written
        for Nominatim runs unchanged; they change nothing offline (addresses are in English,
        every place is in Iraq, and `raw` always holds the whole row with its other scripts).
        """
        candidates = self.gazetteer.resolve(str(query), limit=1 if exactly_one else (limit or settings.DEFAULT_LIMIT),
                                            types=types)
        found = [_location(c.place, {"score": c.score, "match": c.match, "matched": c.matched})
                 for c in candidates]
        if not found:
            return None
        return found[0] if exactly_one else found

    def reverse(self, query, *, exactly_one=True, limit=None, timeout=None, **kwargs):
        """The nearest settlement(s) to a point given as (lat, lon), "lat, lon" or a geopy Point.

        geopy's other keyword arguments (`language`, `addressdetails`, `zoom`...) are accepted
        and ignored, as in `geocode`.
        """
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
        self._cache = self._load()

    def _load(self) -> dict:
        """The cache file's answers; a corrupt file is set aside (renamed *.corrupt) with a
        warning and the cache starts afresh, so one bad write never breaks `--online`."""
        try:
            text = self.cache_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError) as exc:
            problem = f"cannot be read ({exc})"
        else:
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                problem = f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            else:
                if isinstance(data, dict):
                    return data
                problem = f"holds a JSON {type(data).__name__}, not an object of answers"
        aside = self.cache_path.with_name(self.cache_path.name + ".corrupt")
        try:
            os.replace(self.cache_path, aside)
            kept = f"moved to {aside}"
        except OSError:
            kept = "left as it is"
        _warn(f"online geocoder cache {self.cache_path} {problem}; it was {kept} and a new "
              f"cache is started (delete the file to silence this)")
        return {}

    def geocode(self, query: str) -> dict | None:
        """{name, lat, lon, address, provider} for `query`, from the cache or the service.

        Raises GeocoderError (a GeoError: one clear line from the CLI) when the service cannot
        be reached or refuses; nothing is cached then, so the next try asks again.
        """
        key = f"{type(self.geocoder).__name__}:{query.strip().casefold()}"
        if key not in self._cache:
            from geopy.exc import GeopyError

            provider = type(self.geocoder).__name__
            try:
                # Iraq only: a name the gazetteer lacks must not come back as a namesake abroad.
                kwargs = {"country_codes": settings.ONLINE_COUNTRY_CODES} \
                    if provider == "Nominatim" else {}
                loc = self.geocoder.geocode(query, exactly_one=True, **kwargs)
            except GeopyError as exc:
                reason = str(exc).strip() or type(exc).__name__
                raise GeocoderError(
                    f"the online geocoder ({provider}) could not answer for {query.strip()!r}: "
                    f"{type(exc).__name__}: {reason}; check the network, or leave out --online "
                    f"to use the offline gazetteer only") from None
            except OSError as exc:  # a socket error that geopy's adapter did not wrap
                raise GeocoderError(
                    f"the online geocoder ({provider}) could not be reached: {exc}; check the "
                    f"network, or leave out --online") from None
            self._cache[key] = None if loc is None else {
                "name": query.strip(), "lat": loc.latitude, "lon": loc.longitude,
                "address": loc.address, "provider": type(self.geocoder).__name__,
            }
            self._save()
        return self._cache[key]

    def _save(self) -> None:
        """Write the cache atomically; a cache that cannot be written only costs a warning."""
        tmp = None
        try:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.cache_path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(self._cache, out, ensure_ascii=False, sort_keys=True, indent=1)
            os.replace(tmp, self.cache_path)
        except OSError as exc:
            if tmp:
                Path(tmp).unlink(missing_ok=True)
            _warn(f"online geocoder cache {self.cache_path} could not be written ({exc}); "
                  f"the answer is not cached")


def online_geocoder(provider: str):
    """A geopy geocoder by name (only `nominatim` is offered), with this tool's user agent."""
    if provider != "nominatim":
        from geo._errors import QueryError

        raise QueryError(f"unknown online geocoder {provider!r}; the only one offered is 'nominatim'")
    from geopy.geocoders import Nominatim

    return Nominatim(user_agent="geo-disputed-territories/0.1 (offline-first gazetteer fallback)")


__all__ = ["GazetteerGeocoder", "CachedOnlineGeocoder", "GeocoderError", "online_geocoder", "Candidate"]
