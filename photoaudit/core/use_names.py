"""The names a person may type for a use: ``check --for facebook`` is a check for social media.

The policies name the uses in everyday words (docs/rules.md R2): the closed Facebook group
and Instagram are social media; the website, brochure and local press are one use, promotion;
Tapestry and Famly hold the learning journeys. A manager types what they are about to do, so
those words are read as the use they belong to, and the command says which use it checked.
A use the setting adds in photoaudit.toml keeps its own name, even one of these words.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import CannotRun

#: Everyday words for the standard uses (after :func:`use_key`), and the use each one means.
EVERYDAY_NAMES: dict[str, str] = {
    "facebook": "social_media",
    "facebook_group": "social_media",
    "instagram": "social_media",
    "social": "social_media",
    "socials": "social_media",
    "press": "website",
    "newspaper": "website",
    "brochure": "website",
    "promotion": "website",
    "web": "website",
    "displays": "display",
    "wall": "display",
    "journey": "learning_journey",
    "learning_journal": "learning_journey",
    "tapestry": "learning_journey",
    "famly": "learning_journey",
    "other_journey": "other_journeys",
}


def use_key(text: str) -> str:
    """'Social-Media' or ' social media ' -> 'social_media'."""
    return text.strip().lower().replace("-", "_").replace(" ", "_")


@dataclass(frozen=True)
class UseAsked:
    """The use a command checks for, and the words it was asked for with."""

    typed: str
    purpose: str

    @property
    def everyday(self) -> bool:
        """True when the words typed were an everyday name, read as :attr:`purpose`."""
        return use_key(self.typed) != self.purpose


def read_use(text: str, purposes: tuple[str, ...]) -> UseAsked:
    """The use ``text`` names among ``purposes`` (the setting's own names first, then the
    everyday ones); CannotRun, listing the uses, for anything else."""
    key = use_key(text)
    purpose = key if key in purposes else EVERYDAY_NAMES.get(key)
    if purpose is None or purpose not in purposes:
        raise CannotRun(f"--for {text!r} is not a use photoaudit knows; choose from: {', '.join(purposes)} "
                        "(facebook and instagram are read as social_media, press and brochure as website).")
    return UseAsked(text, purpose)
