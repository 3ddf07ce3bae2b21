"""Reading what strangers wrote: YAML and JSON with bounds, and values quoted short in messages.

Reports come from the web and zone files from anyone, so a few hundred bytes must not make a
reader take minutes or gigabytes or end in a traceback. PyYAML and the json module have three
ways to be made to: aliases (`*name`) that expand a value to billions of copies ("billion
laughs"); nesting thousands of lists deep (both readers recurse, so Python's stack runs out);
and numbers of thousands of digits (Python refuses to turn one over 4,300 digits into text).
The loaders here bound each (settings.INPUT_MAX_DEPTH, INPUT_MAX_NUMBER_CHARS, and the values
a YAML document may expand to) and fail as the libraries' own errors do, with a line: a
`yaml.YAMLError` with a mark, or `InputBoundError` with the offset in the text.

`quote(value)` is `repr` cut to a readable length, for error messages: a message that quotes
a field must stay one short line whatever the field holds.
"""
from __future__ import annotations

import json
import re
import reprlib
from functools import lru_cache
from typing import Any

from geo import settings


class InputBoundError(ValueError):
    """A JSON text goes past a bound; `offset` is where, in the text."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


# --- quoting values in messages -----------------------------------------------------------

class _ShortRepr(reprlib.Repr):
    def repr_int(self, x: int, level: int) -> str:
        # repr() of an int over 4,300 digits raises ValueError: say its size instead.
        if x.bit_length() > 3 * settings.INPUT_MAX_NUMBER_CHARS + 10:
            return f"<a number of about {int(x.bit_length() * 0.30103) + 1} digits>"
        return super().repr_int(x, level)


_SHORT = _ShortRepr()
_SHORT.maxstring = _SHORT.maxother = _SHORT.maxlong = settings.MESSAGE_VALUE_CHARS
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = _SHORT.maxset = 4
_SHORT.maxlevel = 3


def quote(value: Any) -> str:
    """`repr(value)` cut to about settings.MESSAGE_VALUE_CHARS characters ('aaa...aaa', [1, 2,
    ...]), in bounded time whatever the value's size or depth."""
    return _SHORT.repr(value)


def shorten(text: str, limit: int | None = None) -> str:
    """`text` itself (no quotes) cut to `limit` characters with "…" when longer."""
    limit = limit or settings.MESSAGE_VALUE_CHARS
    return text if len(text) <= limit else text[:limit - 1] + "…"


# --- text ----------------------------------------------------------------------------------

# Byte-order marks: UTF-32's first, as UTF-32-LE's begins with UTF-16-LE's.
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def encoding_of(data: bytes) -> str:
    """The encoding a byte-order mark announces ("utf-16", "utf-32"), else "utf-8-sig" (UTF-8,
    with or without its BOM): Windows Notepad and Excel save "Unicode" text as UTF-16."""
    return next((enc for bom, enc in _BOMS if data.startswith(bom)), "utf-8-sig")


def encoding_name(encoding: str) -> str:
    """How a message names an encoding of `encoding_of` ("UTF-8", "UTF-16")."""
    return "UTF-8" if encoding == "utf-8-sig" else encoding.upper()


# --- YAML -----------------------------------------------------------------------------------

def yaml_reader_problem(exc) -> str:
    """One line for a yaml ReaderError (a character YAML does not allow), without the
    library's second line."""
    return f"character U+{_code(exc.character):04X} is not allowed in YAML (a control character)"


def yaml_loader(max_values: int, *, dates: bool = True, yaml12_floats: bool = False):
    """A yaml.SafeLoader class bounded in depth, alias expansion and number length.

    Parameters
    ----------
    max_values : how many values (scalars, lists, mappings) the document may hold once its
        aliases are expanded; a document past it is refused before anything is built
    dates : False to leave dates as text (so a bad date is the caller's error with its line)
    yaml12_floats : also read `1e9` as a number (YAML 1.1, PyYAML's dialect, needs `1.0e+9`)
    """
    return _loader(max_values, dates, yaml12_floats)


@lru_cache(maxsize=8)
def _loader(max_values: int, dates: bool, yaml12_floats: bool):
    import yaml
    from yaml.composer import ComposerError
    from yaml.constructor import ConstructorError
    from yaml.events import AliasEvent

    max_depth = settings.INPUT_MAX_DEPTH

    class Loader(yaml.SafeLoader):
        def __init__(self, stream) -> None:
            super().__init__(stream)
            self._depth = 0
            self._aliases = 0

        def compose_node(self, parent, index):
            # The composer recurses once per level: stop before Python's stack does.
            if self._depth >= max_depth:
                raise ComposerError(None, None, f"nested deeper than {max_depth} levels of "
                                    "lists and mappings", self.peek_event().start_mark)
            self._depth += 1
            if self.check_event(AliasEvent):
                self._aliases += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

        def get_single_node(self):
            node = super().get_single_node()
            if node is not None:
                _check_expansion(node, max_values, max_depth, aliases=self._aliases > 0)
            return node

        def construct_yaml_int(self, node):
            if len(node.value) > settings.INPUT_MAX_NUMBER_CHARS:
                raise ConstructorError(None, None, f"a number of {len(node.value)} characters "
                                       f"(at most {settings.INPUT_MAX_NUMBER_CHARS}); quote it "
                                       "if it is text", node.start_mark)
            return super().construct_yaml_int(node)

    Loader.add_constructor("tag:yaml.org,2002:int", Loader.construct_yaml_int)
    resolvers = {key: list(value) for key, value in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    if not dates:
        resolvers = {key: [r for r in value if r[0] != "tag:yaml.org,2002:timestamp"]
                     for key, value in resolvers.items()}
    Loader.yaml_implicit_resolvers = resolvers
    if yaml12_floats:
        # YAML 1.2's `1e9`, `2E-3`, `.5e1`: an exponent without a dot, which YAML 1.1 reads as text.
        Loader.add_implicit_resolver("tag:yaml.org,2002:float",
                                     re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$"),
                                     list("-+0123456789."))
    return Loader


def _code(character) -> int:
    """The code point a yaml ReaderError names (an int, or a one-character string)."""
    return character if isinstance(character, int) else ord(str(character)[:1] or "\0")


def _check_expansion(root, max_values: int, max_depth: int, aliases: bool = True) -> None:
    """Refuse a composed YAML document whose aliases expand it past `max_values` values or
    `max_depth` levels, or that holds itself (an alias inside its own anchor).

    Aliases share one node, so the document is walked once per distinct node and each node's
    expanded size and depth remembered: the walk is as long as the text, not as its expansion.
    """
    from yaml.composer import ComposerError
    from yaml.nodes import MappingNode, SequenceNode

    sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (values, levels) once expanded
    open_nodes: set[int] = set()

    def children(node):
        if isinstance(node, SequenceNode):
            return node.value
        if isinstance(node, MappingNode):
            return [part for pair in node.value for part in pair]
        return ()

    def walk(node, level: int) -> tuple[int, int]:
        key = id(node)
        if key in sizes:
            values, levels = sizes[key]
        else:
            if key in open_nodes:
                raise ComposerError(None, None, "an alias refers to the value it is inside "
                                    "(a value that holds itself)", node.start_mark)
            if level > max_depth:
                raise ComposerError(None, None, f"aliases nest values deeper than {max_depth} "
                                    "levels", node.start_mark)
            open_nodes.add(key)
            values, levels = 1, 0
            for child in children(node):
                child_values, child_levels = walk(child, level + 1)
                values += child_values
                levels = max(levels, child_levels + 1)
                if values > max_values:
                    raise ComposerError(None, None, (
                        f"aliases (*name) expand this to over {max_values:,} values (at most "
                        f"{max_values:,}); write the values out" if aliases else
                        f"over {max_values:,} values (at most {max_values:,})"), node.start_mark)
            open_nodes.discard(key)
            sizes[key] = (values, levels)
        if level + levels > max_depth:
            raise ComposerError(None, None, f"aliases nest values deeper than {max_depth} levels",
                                node.start_mark)
        return values, levels

    walk(root, 1)


# --- JSON -----------------------------------------------------------------------------------

# A JSON string (skipped whole, so brackets inside it do not count) or a bracket.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


def json_scan(text: str, start: int = 0, end: int | None = None) -> tuple[int | None, int]:
    """The nesting of the JSON value at `start` (or of all of text[start:end] when `start` is
    not a bracket): (offset of the first bracket deeper than settings.INPUT_MAX_DEPTH or None,
    offset just after the value's closing bracket, or `end`)."""
    end = len(text) if end is None else end
    single = text[start:start + 1] in ("[", "{")
    depth = 0
    for m in _JSON_TOKEN.finditer(text, start, end):
        token = m.group()
        if token in "[{":
            depth += 1
            if depth > settings.INPUT_MAX_DEPTH:
                if not single:
                    return m.start(), end
                close = _value_end(text, m.end(), end, depth)
                return m.start(), close
        elif token in "]}":
            depth -= 1
            if single and depth == 0:
                return None, m.end()
    return None, end


def _value_end(text: str, pos: int, end: int, depth: int) -> int:
    """Where the value open at `depth` levels at `pos` closes (or `end`)."""
    for m in _JSON_TOKEN.finditer(text, pos, end):
        token = m.group()
        if token in "[{":
            depth += 1
        elif token in "]}":
            depth -= 1
            if depth == 0:
                return m.end()
    return end


def _bounded_int(digits: str) -> int:
    if len(digits) > settings.INPUT_MAX_NUMBER_CHARS:
        raise _LongNumber(digits)
    return int(digits)


class _LongNumber(Exception):
    def __init__(self, digits: str) -> None:
        super().__init__(digits)
        self.digits = digits


_DECODER = json.JSONDecoder(parse_int=_bounded_int)


def json_decode(text: str, pos: int = 0, end: int | None = None) -> tuple[Any, int]:
    """`json.JSONDecoder().raw_decode(text, pos)` within the bounds: (value, end offset).

    Raises json.JSONDecodeError for bad JSON and InputBoundError (with the offset) for a value
    nested deeper than settings.INPUT_MAX_DEPTH or a number longer than
    settings.INPUT_MAX_NUMBER_CHARS digits.
    """
    deep, _ = json_scan(text, pos, end)
    if deep is not None:
        raise InputBoundError(f"nested deeper than {settings.INPUT_MAX_DEPTH} levels of lists "
                              "and objects", deep)
    try:
        return _DECODER.raw_decode(text, pos)
    except _LongNumber as exc:
        at = text.find(exc.digits, pos)
        raise InputBoundError(f"a number of {len(exc.digits)} digits (at most "
                              f"{settings.INPUT_MAX_NUMBER_CHARS}); quote it if it is text",
                              max(at, pos)) from None
    except RecursionError:  # a deep value the scan missed (it is inside broken JSON)
        raise InputBoundError(f"nested deeper than {settings.INPUT_MAX_DEPTH} levels of lists "
                              "and objects", pos) from None


def json_loads(text: str) -> Any:
    """`json.loads(text)` within the bounds of `json_decode` (same errors)."""
    start = _skip_ws(text, 0)
    value, end = json_decode(text, start)
    rest = _skip_ws(text, end)
    if rest < len(text):
        raise json.JSONDecodeError("Extra data", text, rest)
    return value


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\n\r":
        pos += 1
    return pos


def line_at(text: str, offset: int) -> int:
    """The 1-based line of `offset` in `text`."""
    return text.count("\n", 0, max(0, offset)) + 1
