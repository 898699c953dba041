"""What the k1 pages draw: the share against its limit over time, and a plan's deadlines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from core.models import RegulatoryValue
from prudential.models import ActionPlan, PlanNote

# --- the chart --------------------------------------------------------------------------------

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 10, 24


@dataclass(frozen=True)
class ChartDot:
    x: float
    y: float
    title: str
    url: str
    breached: bool


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class K1Chart:
    """The k1 share over time against its limit, drawn by the template as SVG."""

    width: int
    height: int
    left: int
    bottom_y: int
    right_x: int
    share_line: str  # SVG polyline points
    limit_line: str
    dots: tuple[ChartDot, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]


def limit_at(day: date, limits: Sequence[tuple[date, Decimal]]) -> Decimal | None:
    """The limit in force on ``day``, from ``(effective_from, value)`` pairs in date order."""
    value = None
    for effective_from, limit in limits:
        if effective_from <= day:
            value = limit
    return value


def k1_chart(
    points: Sequence[tuple[date, Decimal, bool, str]], limits: Sequence[tuple[date, Decimal]]
) -> K1Chart | None:
    """Points are ``(date, share %, breached, url)`` in date order; the limit line steps on
    each effective date inside the range (15 % to 10 % on 2026-01-01)."""
    if not points:
        return None
    start, end = points[0][0], points[-1][0]
    span = (end - start).days
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: date) -> float:
        return round(LEFT + (plot_w * (day - start).days / span if span else plot_w / 2), 2)

    in_range = [value for day, value in limits if start < day <= end]
    first_limit = limit_at(start, limits)
    tops = [share for _day, share, _b, _u in points] + in_range
    tops += [first_limit] if first_limit is not None else []
    top = (max(tops) * Decimal("1.2")) or Decimal(1)

    def y(value: Decimal) -> float:
        return round(TOP + plot_h - float(value / top) * plot_h, 2)

    limit_points: list[tuple[float, float]] = []
    current = first_limit
    if current is not None:
        limit_points.append((x(start), y(current)))
    for day, value in limits:
        if start < day <= end:
            if current is not None:
                limit_points.append((x(day), y(current)))
            limit_points.append((x(day), y(value)))
            current = value
    if current is not None:
        limit_points.append((x(end) if span else LEFT + plot_w, y(current)))
        if not span:
            limit_points[0] = (LEFT, limit_points[0][1])
    dots = tuple(
        ChartDot(
            x=x(day),
            y=y(share),
            title=f"{day:%d.%m.%Y}: {share:.2f} %",
            url=url,
            breached=breached,
        )
        for day, share, breached, url in points
    )
    y_ticks = tuple(
        Tick(at=y(top * step / 4), label=f"{top * step / 4:.1f}") for step in range(0, 5)
    )
    x_days = sorted({start, end, *(day for day, _value in limits if start < day <= end)})
    return K1Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        bottom_y=TOP + plot_h,
        right_x=LEFT + plot_w,
        share_line=" ".join(f"{dot.x},{dot.y}" for dot in dots),
        limit_line=" ".join(f"{px},{py}" for px, py in limit_points),
        dots=dots,
        y_ticks=y_ticks,
        x_ticks=tuple(Tick(at=x(day), label=f"{day:%d.%m.%Y}") for day in x_days),
    )


def limit_history() -> list[tuple[date, Decimal]]:
    return list(
        RegulatoryValue.objects.filter(key="k1_overdue90_limit", loan_class="")
        .order_by("effective_from")
        .values_list("effective_from", "value")
    )


# --- the plan's deadlines -----------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    label: str
    day: date
    done_on: date | None
    missed: bool
    ours: bool = True  # False: the regulator's deadline


def plan_deadlines(plan: ActionPlan, today: date) -> list[Deadline]:
    """Submission, the regulator's answer, approval: each met, open, or missed."""

    def missed(day: date, done_on: date | None) -> bool:
        return done_on > day if done_on else day < today

    rows = [
        Deadline(
            _("Submit to the regulator by"),
            plan.submit_by,
            plan.submitted_on,
            missed(plan.submit_by, plan.submitted_on),
        )
    ]
    if plan.reply_by:
        answered = plan.approved_on or (
            plan.notes.filter(kind=PlanNote.Kind.REMARK, on__gte=plan.submitted_on)
            .order_by("on")
            .values_list("on", flat=True)
            .first()
        )
        rows.append(
            Deadline(
                _("The regulator answers by"),
                plan.reply_by,
                answered,
                missed(plan.reply_by, answered),
                ours=False,
            )
        )
    rows.append(
        Deadline(
            _("Approved by the regulator by"),
            plan.approve_by,
            plan.approved_on,
            missed(plan.approve_by, plan.approved_on),
        )
    )
    return rows


def next_deadline(plan: ActionPlan, today: date) -> Deadline | None:
    open_ones = [row for row in plan_deadlines(plan, today) if row.done_on is None]
    return min(open_ones, key=lambda row: row.day, default=None)
