"""Who did it and to whom (geo.events: _event_actors, _row_actors, _bare_military), one table
per regression a reviewer found: each row is a one-sentence report published Saturday 11 May
2024, then the (event_type, sub_event_type, actor1, actor2) of its one event, exactly."""
from __future__ import annotations

from datetime import date

import pytest

from geo.events import events_from_reports
from geo.reports import Report

ISF, PESH, AIR = ("Military Forces of Iraq", "Military Forces of Iraq (Peshmerga)",
                  "Military Forces of Iraq (Iraqi Air Force)")
IS, PKK, UNID = "Islamic State (Iraq)", "PKK: Kurdistan Workers Party", "Unidentified Armed Group (Iraq)"
TURKEY, IRAN, SYRIA = "Military Forces of Turkey", "Military Forces of Iran", "Military Forces of Syria"
COALITION, POLICE = "Global Coalition Against Daesh", "Police Forces of Iraq"
CIV, CROWD = "Civilians (Iraq)", "Protesters (Iraq)"
EXPL, BATTLE, VAC = "Explosions/Remote violence", ("Battles", "Armed clash"), "Violence against civilians"
SHELLING, IED, AIRSTRIKE = ("Shelling/artillery/missile attack", "Remote explosive/landmine/IED",
                            "Air/drone strike")
PROTEST = ("Protests", "Peaceful protest")
DWU = ("Strategic developments", "Disrupted weapons use")


def report(body: str, published: date | None = date(2024, 5, 11), rid: str = "r") -> Report:
    return Report(id=rid, title="t", published=published, source="Test", url=None, dateline=None,
                  body=body, path="<test>")


def coded(text: str) -> list[tuple[str, str, str, str]]:
    events = events_from_reports([report(text)]).events
    return [(e["event_type"], e["sub_event_type"], e["actor1"], e["actor2"])
            for e in events.to_dict(orient="records")]


def ids(table):
    return [row[0][:48] for row in table]


# 1. "struck"/"hit" make the subject the sufferer only of an explosive device right after them
# (an article, a count, lower-case adjectives between); striking anything else is the deed.
STRUCK = [
    ("Turkish forces struck a PKK mortar position near Amedi on Monday.", (EXPL, SHELLING, TURKEY, PKK)),
    ("Turkish warplanes hit PKK hideouts near Amedi on Monday.", (EXPL, AIRSTRIKE, TURKEY, PKK)),
    # still a device: the patrol suffered it
    ("An army patrol hit a makeshift IED near Hawija on Monday.", (EXPL, IED, UNID, ISF)),
    ("A Peshmerga vehicle hit an IED near Makhmour on Monday.", (EXPL, IED, UNID, PESH)),
    # an actor right before the device is its author
    ("A Peshmerga vehicle struck a PKK landmine near Amedi on Monday.", (EXPL, IED, PKK, PESH)),
]


@pytest.mark.parametrize("text, expected", STRUCK, ids=ids(STRUCK))
def test_struck_is_suffered_only_for_an_explosive_device(text, expected):
    assert coded(text) == [expected]


# 2. Bare soldiers qualified as no longer (or not then) serving are civilians; "an army of"
# is no army. A protest's civilians are its crowd; an attack on civilians is ACLED's
# Violence against civilians (the civilian_target rule of data/event_rules.yaml).
CIVILIAN_SOLDIERS = [
    ("Hundreds of retired soldiers protested in Kirkuk on Monday demanding their pensions.",
     (*PROTEST, CROWD, "")),
    ("An army of volunteers protested in Kirkuk on Monday.", (*PROTEST, CROWD, "")),
    ("Ex-soldiers protested in Kirkuk on Monday.", (*PROTEST, CROWD, "")),
    ("Gunmen killed a former soldier in Kirkuk on Monday.", (VAC, "Attack", UNID, CIV)),
    ("Gunmen killed an off-duty soldier in Kirkuk on Monday.", (VAC, "Attack", UNID, CIV)),
    ("A former soldier was kidnapped near Hawija on Monday by ISIS militants.",
     (VAC, "Abduction/forced disappearance", IS, CIV)),
    # unqualified: Iraq's army, in a battle
    ("Gunmen killed a soldier in Kirkuk on Monday.", (*BATTLE, UNID, ISF)),
]


@pytest.mark.parametrize("text, expected", CIVILIAN_SOLDIERS, ids=ids(CIVILIAN_SOLDIERS))
def test_retired_and_former_soldiers_are_civilians(text, expected):
    assert coded(text) == [expected]


# 3. Foreign soldiers are never Iraq's army: a row of data/actors.csv when there is one (the
# coalition's "US troops"), else no actor, and not the unidentified armed group either. The
# first word of the sentence is judged like any other; "army troops" is one phrase.
FOREIGN = [
    ("Syrian army troops shelled the border near Sinjar on Monday.", (EXPL, SHELLING, SYRIA, "")),
    ("Russian army troops shelled the border near Sinjar on Monday.", (EXPL, SHELLING, "", "")),
    ("US troops were attacked with rockets near Erbil on Monday.", (EXPL, SHELLING, UNID, COALITION)),
    ("U.S. troops were attacked with rockets near Erbil on Monday.", (EXPL, SHELLING, UNID, COALITION)),
    ("American troops clashed with ISIS militants near Makhmour on Monday.", (*BATTLE, COALITION, IS)),
    ("US soldiers clashed with ISIS militants near Makhmour on Monday.", (*BATTLE, COALITION, IS)),
    ("ISIS militants wounded a US soldier near Makhmour on Monday.", (*BATTLE, IS, COALITION)),
    # an unlisted party does not push out a listed one on its side
    ("ISIS militants attacked foreign troops and Peshmerga forces near Makhmour on Monday.",
     (*BATTLE, IS, PESH)),
    ("ISIS militants attacked foreign troops in Kirkuk on Monday.", (*BATTLE, IS, "")),
    ("Kurdish soldiers clashed with ISIS militants near Makhmour on Monday.", (*BATTLE, PESH, IS)),
    # "army troops" without a nationality: Iraq's, once
    ("Army troops clashed with ISIS militants near Hawija on Monday.", (*BATTLE, ISF, IS)),
]


@pytest.mark.parametrize("text, expected", FOREIGN, ids=ids(FOREIGN))
def test_foreign_troops_are_not_iraqs_army(text, expected):
    assert coded(text) == [expected]


# 4. Bare soldiers in another clause (one with a verb of its own and no violence) are no party.
CLAUSES = [
    ("Iranian artillery shelled border villages near Sidakan on Monday, and soldiers were deployed.",
     (EXPL, SHELLING, IRAN, "")),
    ("Soldiers were deployed near Sidakan, and Iranian artillery shelled border villages on Monday.",
     (EXPL, SHELLING, IRAN, "")),
    # a violent clause is the event's: its soldiers are the target
    ("Iranian artillery shelled a border post near Penjwen on Monday, and two soldiers were wounded.",
     (EXPL, SHELLING, IRAN, ISF)),
    ("An IED exploded near Hawija on Monday, and it ended up injuring two soldiers who were on "
     "patrol.", (EXPL, IED, UNID, ISF)),
    # no comma, one clause
    ("Turkish forces advanced near Zakho on Monday and soldiers clashed with PKK fighters.",
     (*BATTLE, TURKEY, PKK)),
]


@pytest.mark.parametrize("text, expected", CLAUSES, ids=ids(CLAUSES))
def test_soldiers_of_another_clause_are_no_party(text, expected):
    assert coded(text) == [expected]


# 5. Disrupted weapons use with no one named who disrupted them: the state's forces
# (disruption_default_actor), the author actor2.
DISRUPTED = [
    ("Explosive devices planted by ISIS were defused in Kirkuk on Monday.", (*DWU, ISF, IS)),
    ("An IED planted by ISIS was defused near Hawija on Monday.", (*DWU, ISF, IS)),
    ("A weapons cache was found near Hawija on Monday.", (*DWU, ISF, "")),
    # a disrupter named keeps its place
    ("Peshmerga forces defused three IEDs planted by ISIS near Makhmour on Monday.", (*DWU, PESH, IS)),
    ("Security forces found a weapons cache used by ISIS near Hawija on Monday.", (*DWU, ISF, IS)),
]


@pytest.mark.parametrize("text, expected", DISRUPTED, ids=ids(DISRUPTED))
def test_disrupted_weapons_have_a_disrupter(text, expected):
    assert coded(text) == [expected]


# 6. "used by" / "belonging to" X: X owns what was struck, it never did the strike; an
# explosive device's author did the explosion.
OWNERS = [
    ("Iraqi F-16 jets bombed a tunnel used by ISIS near Makhmour on Monday.", (EXPL, AIRSTRIKE, AIR, IS)),
    ("Iraqi warplanes struck a hideout belonging to ISIS near Makhmour on Monday.",
     (EXPL, AIRSTRIKE, AIR, IS)),
    ("An IED planted by ISIS militants on the road wounded two soldiers near Hawija on Monday.",
     (EXPL, IED, IS, ISF)),
    ("A roadside bomb planted by ISIS exploded near Hawija on Monday.", (EXPL, IED, IS, "")),
    ("A soldier was killed by an IED, reportedly planted by ISIS, near Hawija on Monday.",
     (EXPL, IED, IS, ISF)),
    # an agent "by" is still the doer
    ("Two shepherds were kidnapped near Hawija on Monday by ISIS militants.",
     (VAC, "Abduction/forced disappearance", IS, CIV)),
]


@pytest.mark.parametrize("text, expected", OWNERS, ids=ids(OWNERS))
def test_the_owner_of_what_was_struck_is_not_the_doer(text, expected):
    assert coded(text) == [expected]


# 7. The toll (a count before an actor, a casualty word after it) is read from
# data/event_rules.yaml's casualty_counts and casualty_words.
TOLL = [
    ("An IED exploded near Makhmour on Monday, leaving 3 Peshmerga wounded.", (EXPL, IED, UNID, PESH)),
    ("An IED exploded near Makhmour on Monday, leaving dozens of Peshmerga wounded.",
     (EXPL, IED, UNID, PESH)),
    ("An IED exploded near Hawija on Monday, leaving two soldiers wounded.", (EXPL, IED, UNID, ISF)),
    # no count: the actor before a violent word did it
    ("Peshmerga repelled an ISIS attack near Makhmour on Monday.", (*BATTLE, IS, PESH)),
]


@pytest.mark.parametrize("text, expected", TOLL, ids=ids(TOLL))
def test_the_toll_is_not_the_deed(text, expected):
    assert coded(text) == [expected]


def test_the_toll_words_are_data():
    import geo.events
    from geo.events import event_rule_extras

    extras = event_rule_extras()
    assert {"killed", "wounded", "injured", "hurt", "dead"} <= set(extras["casualty_words"])
    assert {"two", "several", "dozens of", "a dozen"} <= set(extras["casualty_counts"])
    assert not hasattr(geo.events, "_CASUALTY_AFTER") and not hasattr(geo.events, "_COUNT_BEFORE")


@pytest.mark.parametrize("text, message", [
    ("disruption_default_actor: Iraqi Army\n",
     "field 'disruption_default_actor': 'Iraqi Army' is not an actor of"),
    ("disruption_default_actor: [Military Forces of Iraq]\n",
     "field 'disruption_default_actor': expected an actor's name"),
    ("casualty_words: killed\n", "field 'casualty_words': expected a list of words"),
])
def test_bad_actor_rules(tmp_path, text, message):
    from geo._errors import ReportError
    from geo.events import event_rule_extras

    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - {event_type: Battles, sub_event_type: Armed clash, keywords: [clash]}\n"
                    + text, encoding="utf-8")
    with pytest.raises(ReportError) as err:
        event_rule_extras(path)
    assert str(err.value).startswith(f"{path}: {message}")


# 8. An outlet's slug as written gives the list's spelling as the source (and no actor).
SLUGS = [
    ("SHAFAQ NEWS/ Explosive devices planted by IS were defused by security forces in Kirkuk on "
     "Monday, 6 May 2024.", ("Shafaq News", ISF, IS)),
    ("shafaq news - Explosive devices planted by IS were defused by security forces in Kirkuk on "
     "Monday, 6 May 2024.", ("Shafaq News", ISF, IS)),
]


@pytest.mark.parametrize("text, expected", SLUGS, ids=ids(SLUGS))
def test_an_outlet_slug_is_spelt_as_the_list(text, expected):
    from geo.reports import parse_report_text

    events = events_from_reports([parse_report_text(text, path="s.txt")]).events
    assert [(e["source"], e["actor1"], e["actor2"]) for e in events.to_dict(orient="records")] == [expected]


# The alias search (one Aho-Corasick pass) must find what the alias regex finds: whole words,
# any whitespace between an alias's words, not after a hyphen or inside a word, leftmost
# then longest, and the regex itself for text whose lower-casing changes its length.
@pytest.mark.parametrize("text, expected", [
    ("the Islamic\nState claimed it", [("Islamic\nState", "Islamic State (Iraq)")]),
    ("ISIS \n militants attacked", [("ISIS \n militants", "Islamic State (Iraq)")]),
    ("US-led coalition\tforces struck", [("US-led coalition\tforces", "Global Coalition Against Daesh")]),
    ("pro-Daesh accounts and Daesh", [("Daesh", "Islamic State (Iraq)")]),
    ("Daeshists", []),
    ("DAESH and daesh", [("DAESH", "Islamic State (Iraq)"), ("daesh", "Islamic State (Iraq)")]),
    ("İzmir: Daesh cells", [("Daesh", "Islamic State (Iraq)")]),
])
def test_alias_search_matches_the_alias_regex(text, expected):
    from geo.events import _rules

    matcher = _rules().actor_loose
    got = list(matcher.finditer(text))
    regex = [(m.start(), m.end(), matcher.groups[m.lastgroup]) for m in matcher.regex.finditer(text)]
    assert got == regex
    names = [a.name for a in _rules().actors]
    assert [(text[s:e], names[n]) for s, e, n in got] == expected


# 10. A kind of data/actors.csv that is not a known kind is refused, naming the line: a typo
# ("civilian") would silently turn off the civilians', protesters' and rioters' handling.
HEADER = "# a comment\nactor,kind,aliases,note\n"
BAD_KINDS = [
    ("Civilians (Iraq),civilian,civilians,\n", 3, "civilian"),
    ("Islamic State (Iraq),rebel,ISIS,\nProtesters (Iraq),Protesters,protesters,\n", 4, "Protesters"),
    ("Rioters (Iraq),rioter,rioters,\n", 3, "rioter"),
    ("Military Forces of Iraq,army,Iraqi Army,\n", 3, "army"),
]


@pytest.mark.parametrize("rows, line, kind", BAD_KINDS, ids=[r[2] for r in BAD_KINDS])
def test_an_unknown_actor_kind_is_refused(tmp_path, rows, line, kind):
    from geo._errors import ReportError
    from geo._geoparse_rules import actors

    path = tmp_path / "actors.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    with pytest.raises(ReportError) as err:
        actors(path)
    assert str(err.value) == (f"{path}:{line}: field 'kind': {kind!r} is not one of state, rebel, "
                              "militia, external, civilians, protesters, rioters")


def test_the_known_actor_kinds_are_those_of_the_file_header(tmp_path):
    from geo import settings
    from geo._geoparse_rules import ACTOR_KINDS, actors

    header = next(ln for ln in settings.ACTORS_FILE.read_text(encoding="utf-8").splitlines()
                  if ln.startswith("# kind:"))
    listed = header.split(":", 1)[1].split("(")[0]
    assert tuple(k.strip() for k in listed.split(",")) == ACTOR_KINDS
    assert {a.kind for a in actors()} <= set(ACTOR_KINDS)
    path = tmp_path / "actors.csv"
    path.write_text(HEADER + "".join(f"A{i},{k},a{i},\n" for i, k in enumerate(ACTOR_KINDS)),
                    encoding="utf-8")
    assert tuple(a.kind for a in actors(path)) == ACTOR_KINDS
