"""Small charts drawn on the server as SVG, for console pages: no script, no external
library, and every label escaped (the pages' Content-Security-Policy allows no inline style,
so colours are SVG attributes).  `line_chart` draws series with optional interval bands;
`bar_chart` draws stacked daily counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

COLOURS = ("#1f5f4a", "#b35c1e", "#3f5fa8", "#8a3b8f", "#6b7780")
WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 28

Values = Sequence[float | None]


def _scale(lo: float, hi: float) -> tuple[float, float]:
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) * 0.05
    return lo - pad, hi + pad


def _fmt(value: float, percent: bool) -> str:
    if percent:
        return f"{value:+.0%}" if abs(value) < 10 else f"{value:+.0e}"
    return f"{value:,.3g}"


def _frame(x_labels: Sequence[str], lo: float, hi: float, percent: bool,
           title: str) -> list[str]:
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    for i in range(5):
        value = lo + (hi - lo) * i / 4
        y = _y(value, lo, hi)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#d9dee2" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                     f'fill="#5f6b73">{escape(_fmt(value, percent))}</text>')
    for i in _ticks(len(x_labels)):
        anchor = "end" if i == len(x_labels) - 1 and i else "middle"
        parts.append(f'<text x="{_x(i, len(x_labels)):.1f}" y="{HEIGHT - 8}" font-size="11" '
                     f'text-anchor="{anchor}" fill="#5f6b73">{escape(x_labels[i][5:])}</text>')
    return parts


def _ticks(n: int) -> list[int]:
    """About six labelled days, always the first and the last."""
    step = max(1, n // 6)
    ticks = list(range(0, n, step))
    if ticks and ticks[-1] != n - 1:
        if n - 1 - ticks[-1] < step / 2:
            ticks[-1] = n - 1
        else:
            ticks.append(n - 1)
    return ticks


def _x(i: int, n: int) -> float:
    return LEFT + (WIDTH - LEFT - RIGHT) * (i / max(1, n - 1))


def _y(value: float, lo: float, hi: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - (value - lo) / (hi - lo))


def _path(values: Values, n: int, lo: float, hi: float) -> str:
    """An SVG path through the defined points; a gap where a value is missing."""
    out, pen = [], "M"
    for i, v in enumerate(values):
        if v is None:
            pen = "M"
            continue
        out.append(f"{pen}{_x(i, n):.1f},{_y(v, lo, hi):.1f}")
        pen = "L"
    return " ".join(out)


def line_chart(title: str, x_labels: Sequence[str], series: Mapping[str, Values], *,
               bands: Mapping[str, tuple[Values, Values]] | None = None, percent: bool = False,
               zero_line: bool = False) -> Markup:
    """Lines per series, each with its interval band (lower, upper) when given."""
    bands = bands or {}
    numbers = [v for vs in series.values() for v in vs if v is not None]
    numbers += [v for lo, hi in bands.values() for vs in (lo, hi) for v in vs if v is not None]
    if zero_line:
        numbers.append(0.0)
    if not numbers:
        return Markup('<p class="muted">No data yet.</p>')
    lo, hi = _scale(min(numbers), max(numbers))
    n = len(x_labels)
    parts = _frame(x_labels, lo, hi, percent, title)
    if zero_line:
        y = _y(0.0, lo, hi)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#1d2327" stroke-width="1" stroke-dasharray="4 3"/>')
    for k, name in enumerate(series):
        colour = COLOURS[k % len(COLOURS)]
        if name in bands:
            lower, upper = bands[name]
            points = [(i, a, b) for i, (a, b) in enumerate(zip(lower, upper, strict=True))
                      if a is not None and b is not None]
            if points:
                top = " ".join(f"{_x(i, n):.1f},{_y(b, lo, hi):.1f}" for i, _, b in points)
                bottom = " ".join(f"{_x(i, n):.1f},{_y(a, lo, hi):.1f}"
                                  for i, a, _ in reversed(points))
                parts.append(f'<polygon points="{top} {bottom}" fill="{colour}" '
                             'fill-opacity="0.15" stroke="none"/>')
        parts.append(f'<path d="{_path(series[name], n, lo, hi)}" fill="none" '
                     f'stroke="{colour}" stroke-width="2"/>')
    parts += _legend(list(series))
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(title: str, x_labels: Sequence[str], series: Mapping[str, Sequence[float]]
              ) -> Markup:
    """Stacked bars per day."""
    totals = [sum(vs[i] for vs in series.values()) for i in range(len(x_labels))]
    if not totals or max(totals) <= 0:
        return Markup('<p class="muted">No data yet.</p>')
    lo, hi = 0.0, max(totals) * 1.05
    n = len(x_labels)
    parts = _frame(x_labels, lo, hi, False, title)
    width = max(2.0, (WIDTH - LEFT - RIGHT) / max(1, n) * 0.7)
    for i in range(n):
        base = 0.0
        for k, values in enumerate(series.values()):
            top = base + values[i]
            if values[i] > 0:
                y1, y2 = _y(top, lo, hi), _y(base, lo, hi)
                parts.append(f'<rect x="{_x(i, n) - width / 2:.1f}" y="{y1:.1f}" '
                             f'width="{width:.1f}" height="{y2 - y1:.1f}" '
                             f'fill="{COLOURS[k % len(COLOURS)]}"/>')
            base = top
    parts += _legend(list(series))
    parts.append("</svg>")
    return Markup("".join(parts))


def _legend(names: list[str]) -> list[str]:
    parts = []
    for k, name in enumerate(names):
        x = LEFT + 8 + 130 * k
        colour = COLOURS[k % len(COLOURS)]
        parts.append(f'<rect x="{x}" y="{TOP + 2}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="{TOP + 11}" font-size="11" fill="#1d2327">'
                     f"{escape(name)}</text>")
    return parts
