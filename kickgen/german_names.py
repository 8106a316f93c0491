"""German first names for AI kicks: each kick is called "AI: <name>", unique per member."""

import random

from kickgen.models import AI_NAME_PREFIX

GERMAN_NAMES: tuple[str, ...] = (
    "Adelheid", "Anke", "Annegret", "Bärbel", "Bernd", "Birgit", "Brunhilde", "Burkhard",
    "Dagmar", "Detlef", "Dieter", "Dietrich", "Edeltraud", "Egon", "Elfriede", "Erwin",
    "Fritz", "Gerhard", "Gertrud", "Gisela", "Gottfried", "Gudrun", "Günther", "Hannelore",
    "Hans", "Heike", "Heinrich", "Helga", "Helmut", "Hildegard", "Horst", "Ilse", "Ingeborg",
    "Jürgen", "Karl", "Klaus", "Liesel", "Lothar", "Manfred", "Margot", "Norbert", "Otto",
    "Ottilie", "Rainer", "Reinhard", "Renate", "Rüdiger", "Sieglinde", "Siegfried", "Ute",
    "Uwe", "Volker", "Waltraud", "Wilhelm", "Wolfgang", "Wiebke", "Zenzi",
)  # fmt: skip


class NamesExhausted(RuntimeError):
    """Every name is taken; the 30-kick cap keeps this from happening to a member."""


def pick_kick_name(taken: set[str], rng: random.Random | None = None) -> str:
    """A random "AI: <name>" that is not among `taken` (the member's current kick names)."""
    free = [AI_NAME_PREFIX + name for name in GERMAN_NAMES if AI_NAME_PREFIX + name not in taken]
    if not free:
        raise NamesExhausted(f"All {len(GERMAN_NAMES)} German kick names are in use.")
    return (rng or random).choice(free)
