"""Geometry of the portal's charts, computed on the server and drawn as SVG by a template.

The functions return plain numbers in the chart's own coordinates (its viewBox); the templates
in templates/assessments/includes/ turn them into markup. Nothing here knows about models, so
the geometry can be tested with a few numbers.

A total below zero (deductions larger than the points earned) is drawn as zero: a bar cannot
have a negative length. Its label still says the real total.
"""

import math
from dataclasses import dataclass
from decimal import Decimal

Number = Decimal | int | float

# Horizontal bar chart: one row per unit, names on the left, totals after the bars.
BAR_WIDTH = 640
BAR_LABEL_WIDTH = 200
BAR_VALUE_WIDTH = 56
BAR_HEIGHT = 20
BAR_GAP = 10
BAR_TOP = 8
BAR_AXIS_HEIGHT = 30
BAR_LABEL_CHARS = 11
# The same chart for a phone: each name above its bar, so that the bars and their totals get
# the width, drawn narrow enough that its text is read at about its size.
NARROW_WIDTH = 360
NARROW_LEFT = 12
NARROW_VALUE_WIDTH = 44
NARROW_LABEL_HEIGHT = 20
NARROW_BAR_HEIGHT = 16
NARROW_LABEL_CHARS = 24

# Trend chart: one point per year, a line between them.
TREND_WIDTH = 640
TREND_HEIGHT = 300
TREND_LEFT = 48
TREND_RIGHT = 16
TREND_TOP = 28
TREND_BOTTOM = 40


def format_points(value: Number | None) -> str:
    """A score as people write it: 85.5, 100, -3 — no trailing zeros, never an exponent."""
    if value is None:
        return "—"
    text = f"{value if isinstance(value, Decimal) else Decimal(str(value)):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def nice_step(value: float) -> float:
    """The smallest round step (1, 2, 2.5 or 5 times a power of ten) at or above value."""
    if value <= 0:
        return 1.0
    base = 10.0 ** math.floor(math.log10(value))
    return next(m * base for m in (1, 2, 2.5, 5, 10) if m * base >= value * (1 - 1e-9))


def axis(values: list[float], scale_max: Number | None = None) -> tuple[float, float]:
    """The top of the scale and the step between ticks, about five ticks from zero.

    scale_max (e.g. 100 for a 100-point sheet) keeps charts of different groups comparable;
    a value above it still fits.
    """
    high = max([*values, float(scale_max or 0), 0.0]) or 10.0
    step = nice_step(high / 5)
    return round(step * math.ceil(high / step * (1 - 1e-9)), 9), step


def _ticks(top: float, step: float) -> list[tuple[float, str]]:
    count = round(top / step)
    return [(step * i, format_points(round(step * i, 6))) for i in range(count + 1)]


def _clamped(value: Number) -> float:
    return max(float(value), 0.0)


def _round(value: float) -> float:
    return round(value, 2)


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    full_label: str
    value_label: str
    text_y: float
    label_x: float
    value_x: float
    label_y: float
    label_anchor: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: float
    bars: list[Bar]
    ticks: list[Tick]
    plot_x: float
    plot_right: float
    axis_y: float
    tick_label_y: float
    scale_max: float


def short_label(text: str, limit: int = BAR_LABEL_CHARS) -> str:
    """A name short enough for the chart; the table next to it carries the full name."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(
    items: list[tuple[str, Number]], scale_max: Number | None = None, *, narrow: bool = False
) -> BarChart:
    """Horizontal bars, one per (label, value), in the order given; ``narrow``: for a phone,
    each label above its bar.

    The bars share one scale from zero to a round number at or above the highest value (and
    scale_max), so the longest bar is the highest value. Every bar leaves room after it for
    its value.
    """
    values = [float(value) for _, value in items]
    top, step = axis(values, scale_max)
    if narrow:
        width, plot_x, value_width = NARROW_WIDTH, float(NARROW_LEFT), NARROW_VALUE_WIDTH
        bar_height, row_height = NARROW_BAR_HEIGHT, NARROW_LABEL_HEIGHT + NARROW_BAR_HEIGHT
    else:
        width, plot_x, value_width = BAR_WIDTH, float(BAR_LABEL_WIDTH), BAR_VALUE_WIDTH
        bar_height, row_height = BAR_HEIGHT, BAR_HEIGHT
    plot_width = float(width - plot_x - value_width)
    bars = []
    for index, (label, value) in enumerate(items):
        row_top = BAR_TOP + index * (row_height + BAR_GAP)
        y = row_top + row_height - bar_height
        length = _round(plot_width * _clamped(value) / top)
        text_y = _round(y + bar_height / 2)
        bars.append(
            Bar(
                x=plot_x,
                y=float(y),
                width=length,
                height=float(bar_height),
                label=short_label(label, NARROW_LABEL_CHARS if narrow else BAR_LABEL_CHARS),
                full_label=label,
                value_label=format_points(value),
                text_y=text_y,
                label_x=plot_x + 4 if narrow else plot_x - 8,
                value_x=_round(plot_x + length + 6),
                label_y=_round(row_top + NARROW_LABEL_HEIGHT / 2) if narrow else text_y,
                label_anchor="start" if narrow else "end",
            )
        )
    axis_y = float(BAR_TOP + max(len(items), 1) * (row_height + BAR_GAP) - BAR_GAP + 4)
    ticks = [
        Tick(_round(plot_x + plot_width * value / top), label) for value, label in _ticks(top, step)
    ]
    return BarChart(
        width=width,
        height=axis_y + BAR_AXIS_HEIGHT,
        bars=bars,
        ticks=ticks,
        plot_x=plot_x,
        plot_right=plot_x + plot_width,
        axis_y=axis_y,
        tick_label_y=axis_y + 20,
        scale_max=top,
    )


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    value_label: str
    value_y: float


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    points: list[Point]
    polyline: str
    ticks: list[Tick]
    plot_left: float
    plot_right: float
    tick_label_x: float
    baseline_y: float
    label_y: float
    scale_max: float


def trend_chart(items: list[tuple[str, Number]], scale_max: Number | None = None) -> TrendChart:
    """A line through one point per (label, value), left to right in the order given.

    The vertical scale starts at zero, so the height of a point is its value.
    """
    values = [float(value) for _, value in items]
    top, step = axis(values, scale_max)
    plot_left, plot_right = float(TREND_LEFT), float(TREND_WIDTH - TREND_RIGHT)
    plot_top, baseline = float(TREND_TOP), float(TREND_HEIGHT - TREND_BOTTOM)
    slot = (plot_right - plot_left) / max(len(items), 1)
    points = []
    for index, (label, value) in enumerate(items):
        y = _round(baseline - (baseline - plot_top) * _clamped(value) / top)
        points.append(
            Point(
                x=_round(plot_left + slot * (index + 0.5)),
                y=y,
                label=label,
                value_label=format_points(value),
                value_y=_round(y - 10),
            )
        )
    ticks = [
        Tick(_round(baseline - (baseline - plot_top) * value / top), label)
        for value, label in _ticks(top, step)
    ]
    return TrendChart(
        width=TREND_WIDTH,
        height=TREND_HEIGHT,
        points=points,
        polyline=" ".join(f"{point.x:g},{point.y:g}" for point in points),
        ticks=ticks,
        plot_left=plot_left,
        plot_right=plot_right,
        tick_label_x=plot_left - 6,
        baseline_y=baseline,
        label_y=baseline + 24,
        scale_max=top,
    )
