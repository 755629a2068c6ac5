"""Charts drawn by the server as SVG geometry (no JavaScript library, no CDN): the template only places the shapes.

`bar_line_chart` draws one slot per item: a bar of a count (left axis, rounded up to 4 ticks) and any number of
percentage lines (right axis, 0–100) over the items that have a value. It serves the work-order KPI page (orders per
day with the resolution compliance line) and the satisfaction report (callbacks per month with the satisfaction
rate and the normalised score). `share_bar` splits one horizontal bar into parts (a distribution).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

W, H, LEFT, RIGHT, TOP, BOTTOM = 760, 260, 44, 44, 16, 34


def _number(raw: Any) -> float | None:
    if raw is None:
        return None
    try:
        return float(raw)
    except (TypeError, ValueError):
        return None


def bar_line_chart(
    items: Sequence[Mapping[str, Any]],
    *,
    bar: str,
    lines: Sequence[str] = (),
    labels: Sequence[str],
    max_labels: int = 8,
    width: int = W,
    height: int = H,
) -> dict[str, Any]:
    """Geometry in SVG user units: `bars` (x, y, w, h, n, item) for `item[bar]` (0 when missing), one polyline per
    key of `lines` (`lines[i]` = {key, points, dots}; values 0–100, items without a value are skipped), about
    `max_labels` x labels, `count_ticks` (left) and `rate_ticks` (right). `points`/`dots` repeat the first line."""
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    counts = [int(_number(item.get(bar)) or 0) for item in items]
    top = max([*counts, 1])
    step = max(1, -(-top // 4))  # 4 ticks
    top = step * 4
    slot = plot_w / max(len(items), 1)
    every = max(1, len(items) // max_labels)
    bars, x_labels = [], []
    series: list[dict[str, Any]] = [{"key": key, "points": [], "dots": []} for key in lines]
    for i, item in enumerate(items):
        n = counts[i]
        h = plot_h * n / top
        x = LEFT + i * slot
        bars.append(
            {
                "x": round(x + slot * 0.15, 1),
                "y": round(TOP + plot_h - h, 1),
                "w": round(slot * 0.7, 1),
                "h": round(h, 1),
                "n": n,
                "item": item,
            }
        )
        for line in series:
            rate = _number(item.get(line["key"]))
            if rate is not None:
                cx, cy = f"{x + slot / 2:.1f}", f"{TOP + plot_h * (1 - min(max(rate, 0), 100) / 100):.1f}"
                line["points"].append(f"{cx},{cy}")
                line["dots"].append((cx, cy))
        if i % every == 0 and i < len(labels):
            x_labels.append({"x": round(x + slot / 2, 1), "text": labels[i]})
    for line in series:
        line["points"] = " ".join(line["points"])
    first = series[0] if series else {"points": "", "dots": []}
    return {
        "width": width,
        "height": height,
        "left": LEFT,
        "right": width - RIGHT,
        "top": TOP,
        "bottom": TOP + plot_h,
        "label_y": height - 12,
        "bars": bars,
        "lines": series,
        "points": first["points"],
        "dots": first["dots"],
        "labels": x_labels,
        "count_ticks": [{"y": round(TOP + plot_h * (1 - k / 4), 1), "text": step * k} for k in range(5)],
        "rate_ticks": [{"y": round(TOP + plot_h * (1 - k / 4), 1), "text": 25 * k} for k in range(5)],
    }


def share_bar(parts: Sequence[tuple[str, Any, int]], *, width: int = 600, height: int = 28) -> dict[str, Any]:
    """One horizontal bar split into `parts` (key, label, count) in proportion to the counts: each part gets x, w,
    n and its percentage of the total (one decimal). An empty total gives no parts."""
    total = sum(max(n, 0) for _key, _label, n in parts)
    shapes = []
    x = 0.0
    for key, label, n in parts:
        if total <= 0 or n <= 0:
            shapes.append({"key": key, "label": label, "n": max(n, 0), "pct": None, "x": round(x, 1), "w": 0})
            continue
        w = width * n / total
        shapes.append(
            {"key": key, "label": label, "n": n, "pct": round(100.0 * n / total, 1), "x": round(x, 1), "w": round(w, 1)}
        )
        x += w
    return {"width": width, "height": height, "total": total, "parts": shapes}
