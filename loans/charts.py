"""A small stacked-bar chart of principal versus interest per instalment, drawn as SVG data."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from lending.domain.schedule import Schedule

WIDTH, HEIGHT = 560, 160


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    principal_y: float
    principal_height: float
    interest_y: float
    interest_height: float
    title: str


def principal_interest_bars(schedule: Schedule) -> list[Bar]:
    lines = schedule.installments
    tallest = max((line.total for line in lines), default=Decimal(1)) or Decimal(1)
    slot = WIDTH / len(lines)
    bars = []
    for index, line in enumerate(lines):
        principal_h = float(line.principal / tallest) * HEIGHT
        interest_h = float(line.interest / tallest) * HEIGHT
        bars.append(
            Bar(
                x=round(index * slot + slot * 0.1, 2),
                width=round(max(slot * 0.8, 0.5), 2),
                principal_y=round(HEIGHT - principal_h, 2),
                principal_height=round(principal_h, 2),
                interest_y=round(HEIGHT - principal_h - interest_h, 2),
                interest_height=round(interest_h, 2),
                title=f"{line.number}: {line.principal} + {line.interest}",
            )
        )
    return bars
