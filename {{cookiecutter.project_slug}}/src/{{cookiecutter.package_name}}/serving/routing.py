"""A/B routing between the champion and the challenger.

A request that carries a routing key (a user or session id in a header) always lands on the
same variant, so one user sees consistent answers; a request without a key is routed at
random. Either way, the challenger receives ``challenger_share`` of the traffic.
"""

import hashlib
import random
from dataclasses import dataclass, field

from ..pipeline.promotion import CHAMPION_ALIAS
from ..pipeline.tracking import CHALLENGER_ALIAS

# The variants are named after the registry aliases they are loaded from.
CHAMPION = CHAMPION_ALIAS
CHALLENGER = CHALLENGER_ALIAS


def key_position(key: str) -> float:
    """A stable position in [0, 1) for a routing key, the same in every process and run."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass
class Router:
    """Chooses the variant of each request; ``rng`` is seeded in tests, random otherwise."""

    challenger_share: float
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        if not 0 <= self.challenger_share <= 1:
            raise ValueError(f"challenger_share must be from 0 to 1, not {self.challenger_share}")

    def choose(self, key: str | None, has_challenger: bool) -> str:
        """The variant for one request: sticky per key, random otherwise."""
        if not has_challenger or self.challenger_share == 0:
            return CHAMPION
        position = key_position(key) if key else self.rng.random()
        return CHALLENGER if position < self.challenger_share else CHAMPION
