"""The geometry of a moderation report's scatter plot, first mark across and second mark up,
worked out here so the template only draws it (as essays.marking.reports does for bar charts).
Pure: no database."""

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

# The drawing's coordinates (the SVG's viewBox): the plot's square, with room for the axes'
# numbers and names to its left and below.
SIZE = 320
LEFT, TOP, SIDE = 48, 12, 256
BOTTOM = TOP + SIDE
# Scripts with the same two marks are drawn in rings around their true place, this far apart.
RING = 7.0
NICE_STEPS = (1, 2, 5, 10, 20, 25, 50, 100)
MOST_TICKS = 6


@dataclass(frozen=True)
class Tick:
    value: int
    # Where the tick is: across for the first-mark axis, up for the second-mark axis.
    x: float
    y: float


@dataclass(frozen=True)
class Point:
    label: str
    first: int
    second: int
    x: float
    y: float


@dataclass(frozen=True)
class Scatter:
    maximum: int
    ticks: list[Tick]
    points: list[Point]
    size: int = SIZE
    left: int = LEFT
    top: int = TOP
    bottom: int = BOTTOM
    right: int = LEFT + SIDE
    # Where the axes' names go.
    middle: float = LEFT + SIDE / 2
    below: int = BOTTOM + 40
    beside: int = 14


def tick_step(maximum: int) -> int:
    """The smallest round step that puts no more than MOST_TICKS intervals on the axis."""
    return next(
        (step for step in NICE_STEPS if maximum / step <= MOST_TICKS),
        math.ceil(maximum / MOST_TICKS),
    )


def offset(copy: int) -> tuple[float, float]:
    """Where the copy-th script with the same two marks is drawn, from their true place: the
    first on it, the next six in a ring around it, the next six in a wider ring, and so on."""
    if copy == 0:
        return 0.0, 0.0
    ring, seat = divmod(copy - 1, 6)
    angle = math.radians(60 * seat + 30 * ring)
    radius = RING * (ring + 1)
    return radius * math.cos(angle), radius * math.sin(angle)


def scatter(scripts: Sequence[tuple[str, int, int]], *, maximum: int) -> Scatter:
    """The plot of (label, first mark, second mark) on axes from 0 to `maximum`."""
    maximum = max(maximum, 1)

    def across(mark: float) -> float:
        return round(LEFT + SIDE * mark / maximum, 1)

    def up(mark: float) -> float:
        return round(BOTTOM - SIDE * mark / maximum, 1)

    step = tick_step(maximum)
    ticks = [Tick(value, across(value), up(value)) for value in range(0, maximum + 1, step)]
    seen: Counter = Counter()
    points = []
    for label, first, second in scripts:
        dx, dy = offset(seen[first, second])
        seen[first, second] += 1
        points.append(
            Point(
                label=label,
                first=first,
                second=second,
                x=round(across(first) + dx, 1),
                y=round(up(second) + dy, 1),
            )
        )
    return Scatter(maximum=maximum, ticks=ticks, points=points)
