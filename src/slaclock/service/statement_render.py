"""Contract statements as a person reads them: an HTML page (Jinja2,
``templates/statement.html``, with the chart as inline SVG) and a PDF document
(ReportLab, the same content and the same chart drawn with ``reportlab.graphics``).

Both are made from one :class:`StatementView` — the statement's words and figures as
text, in the contract's time zone — and one :class:`Chart`, the geometry of the
attainment over the last periods with the target line, so the two formats cannot
drift apart. Amounts are the exact decimals of the statement (``500.00 EUR``), never
re-rounded; percentages are shown to two places at most.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from slaclock.service.exports import duration_text
from slaclock.service.statements import Statement

__all__ = [
    "Chart",
    "ChartPoint",
    "StatementView",
    "attainment_chart",
    "percent",
    "statement_view",
    "statements_html",
    "statements_pdf",
]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
#: The chart's size, in CSS pixels (HTML) or points (PDF).
CHART_WIDTH = 480.0
CHART_HEIGHT = 190.0
_LEFT, _RIGHT, _TOP, _BOTTOM = 40.0, 12.0, 14.0, 30.0


def percent(value: Fraction | Decimal | float) -> str:
    """``93.18%``, ``95%``, ``100%``: the value as a percentage to two places at most,
    rounded half-even, trailing zeros dropped."""
    exact = Decimal(value.numerator) / Decimal(value.denominator) if isinstance(
        value, Fraction) else Decimal(value)  # fmt: skip
    shown = (exact * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    text = f"{shown:f}".rstrip("0").rstrip(".")
    return f"{text}%"


# ------------------------------------------------------------------------- chart


@dataclass(frozen=True)
class ChartPoint:
    """One period on the chart: its place (``y`` grows downwards, as in SVG), its
    label and its attainment as text."""

    x: float
    y: float
    label: str
    text: str


@dataclass(frozen=True)
class Chart:
    """Attainment per period as a line over a percentage axis from ``floor`` to 100%,
    with the target as a horizontal line. Coordinates as in SVG: the origin top left."""

    width: float
    height: float
    left: float
    right: float  # the plot's right edge (x)
    top: float
    bottom: float  # the plot's bottom edge (y)
    ticks: tuple[tuple[float, str], ...]  # (y, "90%")
    target_y: float
    target_text: str
    points: tuple[ChartPoint, ...]

    @property
    def polyline(self) -> str:
        """The points as SVG's ``points`` attribute: ``x,y x,y …``."""
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def attainment_chart(
    history: Sequence[tuple[str, Fraction]],
    target: Decimal,
    width: float = CHART_WIDTH,
    height: float = CHART_HEIGHT,
) -> Chart:
    """The chart of ``history`` (``(label, attainment)``, oldest first) with the
    ``target`` line. The axis starts at a multiple of 10% below the lowest value and
    the target (at most 90%), with ticks every 5, 10 or 20 points as the span asks."""
    lowest = min([float(a) for _, a in history] + [float(target)]) * 100
    floor = min(90, max(0, math.floor((lowest - 1) / 10) * 10))
    span = 100 - floor
    step = 5 if span <= 30 else 10 if span <= 60 else 20
    left, right, top, bottom = _LEFT, width - _RIGHT, _TOP, height - _BOTTOM

    def y_of(value: float) -> float:
        return round(top + (100 - max(floor, value * 100)) / span * (bottom - top), 1)

    slot = (right - left) / max(1, len(history))
    points = tuple(
        ChartPoint(round(left + (n + 0.5) * slot, 1), y_of(float(a)), label, percent(a))
        for n, (label, a) in enumerate(history)
    )
    ticks = tuple((y_of(pct / 100), f"{pct}%") for pct in range(floor, 101, step))
    return Chart(width, height, left, right, top, bottom, ticks, y_of(float(target)),
                 f"target {percent(target)}", points)  # fmt: skip


# -------------------------------------------------------------------------- view


@dataclass(frozen=True)
class StatementView:
    """A statement's content as text: ``summary`` (label, value) pairs, the metric
    and breach tables (header first), the chart, and the zone times are given in."""

    title: str
    subtitle: str
    summary: tuple[tuple[str, str], ...]
    metrics: tuple[tuple[str, ...], ...]
    breaches: tuple[tuple[str, ...], ...]
    chart: Chart
    chart_title: str
    zone: str
    amount: str  # "500.00 EUR"


def statement_view(s: Statement) -> StatementView:
    """The words and figures of ``s``, times in the contract's zone."""
    c, credit = s.contract, s.credit
    zone = c.tz
    first = s.period.start.astimezone(zone).date()
    last = (s.period.end.astimezone(zone) - timedelta(days=1)).date()
    amount = f"{credit.amount_text} {credit.currency}"
    tier = (
        "none: attainment is not below any tier"
        if credit.tier is None
        else f"below {percent(credit.tier.below)}: {percent(credit.tier.credit)} of the fee"
    )
    summary = (
        ("Customer", s.customer),
        ("Contract", f"{c.name} ({c.id})"),
        ("Period", f"{s.period.label}: {first} to {last} ({zone.key})"),
        ("As of", _local(s.as_of, s) or ""),
        ("Fee", f"{s.fee_text} {c.fee.currency}"),
        ("Target attainment", percent(c.target)),
        ("Attainment", f"{percent(credit.attainment)} ({credit.met} met, "
                       f"{credit.breached} breached)"),
        ("Credit tier", tier),
        ("Cap", f"{percent(c.cap)} of the fee"),
        ("Credit", f"{percent(credit.rate)} of the fee"),
        ("Amount owed", amount),
    )  # fmt: skip
    metrics = (
        ("Metric", "Met", "Breached", "Attainment"),
        *((m.metric, str(m.met), str(m.breached), percent(m.attainment)) for m in s.metrics),
    )
    breaches = (
        ("Ticket", "Metric", "Due", "Stopped", "Late by"),
        *((b.ticket, b.metric, _local(b.due_at, s) or "—", _local(b.stopped_at, s) or "not yet",
           duration_text(b.overdue_seconds)) for b in s.breaches),
    )  # fmt: skip
    history = [(h.period.label, h.attainment) for h in s.history]
    return StatementView(
        title=f"Service statement {s.period.label}",
        subtitle=f"{c.name}: {s.customer}",
        summary=summary,
        metrics=metrics,
        breaches=breaches,
        chart=attainment_chart(history, c.target),
        chart_title=f"Attainment over the last {len(history)} periods",
        zone=zone.key,
        amount=amount,
    )


def _local(at: datetime | None, s: Statement) -> str | None:
    return None if at is None else at.astimezone(s.contract.tz).strftime("%Y-%m-%d %H:%M")


# -------------------------------------------------------------------------- HTML


@functools.lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def statements_html(statements: Sequence[Statement]) -> str:
    """One HTML page holding every statement (each starts a printed page)."""
    views = [statement_view(s) for s in statements]
    template = _environment().get_template("statement.html")
    return template.render(views=views)


# --------------------------------------------------------------------------- PDF


def statements_pdf(statements: Sequence[Statement]) -> bytes:
    """A PDF document, each statement from a new page: the same content as the HTML.
    Byte for byte the same for the same statements (no creation date, no random id)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, SimpleDocTemplate

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, invariant=1, leftMargin=18 * mm, rightMargin=18 * mm,
        topMargin=16 * mm, bottomMargin=16 * mm, title="Service statements",
        author="slaclock", creator="slaclock",
    )  # fmt: skip
    story: list[Any] = []
    for n, s in enumerate(statements):
        if n:
            story.append(PageBreak())
        story += _pdf_story(statement_view(s))
    if not story:
        story = _pdf_empty()
    doc.build(story, onFirstPage=_pdf_footer, onLaterPages=_pdf_footer)
    return out.getvalue()


@functools.lru_cache(maxsize=1)
def _styles() -> Any:
    from reportlab.lib.styles import getSampleStyleSheet

    return getSampleStyleSheet()


def _pdf_empty() -> list[Any]:
    from reportlab.platypus import Paragraph

    return [Paragraph("No statement: no contract applies.", _styles()["Normal"])]


def _pdf_story(view: StatementView) -> list[Any]:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    styles = _styles()
    grid = TableStyle([
        ("FONT", (0, 0), (-1, -1), "Helvetica", 9),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ])  # fmt: skip
    summary = Table([list(row) for row in view.summary], colWidths=(110, None), hAlign="LEFT")
    summary.setStyle(TableStyle([
        ("FONT", (0, 0), (0, -1), "Helvetica-Bold", 9),
        ("FONT", (1, 0), (1, -1), "Helvetica", 9),
        ("FONT", (1, -1), (1, -1), "Helvetica-Bold", 10),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
    ]))  # fmt: skip
    metrics = Table([list(row) for row in view.metrics], hAlign="LEFT", repeatRows=1)
    metrics.setStyle(grid)
    metrics.setStyle(TableStyle([("ALIGN", (1, 0), (-1, -1), "RIGHT")]))
    story: list[Any] = [
        Paragraph(escape(view.title), styles["Title"]),
        Paragraph(escape(view.subtitle), styles["Heading2"]),
        summary,
        Spacer(1, 10),
        Paragraph("Per metric", styles["Heading3"]),
        metrics,
        Spacer(1, 10),
        Paragraph(escape(view.chart_title), styles["Heading3"]),
        _pdf_chart(view.chart),
        Paragraph(f"Breaches ({len(view.breaches) - 1})", styles["Heading3"]),
    ]
    if len(view.breaches) > 1:
        breaches = Table([list(row) for row in view.breaches], hAlign="LEFT", repeatRows=1)
        breaches.setStyle(grid)
        breaches.setStyle(TableStyle([("ALIGN", (-1, 0), (-1, -1), "RIGHT")]))
        story.append(breaches)
    else:
        story.append(Paragraph("None.", styles["Normal"]))
    note = f"Times in {view.zone}. Late by: open time past the target on the SLA's calendar."
    story += [Spacer(1, 8), Paragraph(escape(note), styles["Italic"])]
    return story


def _pdf_chart(chart: Chart) -> Any:
    """The chart as a ReportLab drawing (its y axis grows upwards: flipped here)."""
    from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, String
    from reportlab.lib import colors

    h = chart.height
    drawing = Drawing(chart.width, chart.height)
    for y, text in chart.ticks:
        drawing.add(Line(chart.left, h - y, chart.right, h - y, strokeColor=colors.lightgrey,
                         strokeWidth=0.5))  # fmt: skip
        drawing.add(String(chart.left - 4, h - y - 3, text, fontName="Helvetica", fontSize=7,
                           textAnchor="end"))  # fmt: skip
    drawing.add(
        Line(
            chart.left,
            h - chart.target_y,
            chart.right,
            h - chart.target_y,
            strokeColor=colors.firebrick,
            strokeWidth=1,
            strokeDashArray=[4, 3],
        )
    )
    drawing.add(String(chart.right, h - chart.target_y + 3, chart.target_text,
                       fontName="Helvetica", fontSize=7, fillColor=colors.firebrick,
                       textAnchor="end"))  # fmt: skip
    coordinates = [v for p in chart.points for v in (p.x, h - p.y)]
    drawing.add(PolyLine(coordinates, strokeColor=colors.navy, strokeWidth=1.5))
    for p in chart.points:
        drawing.add(Circle(p.x, h - p.y, 2.5, fillColor=colors.navy, strokeColor=colors.navy))
        drawing.add(String(p.x, h - chart.bottom - 12, p.label, fontName="Helvetica",
                           fontSize=6.5, textAnchor="middle"))  # fmt: skip
    return drawing


def _pdf_footer(canvas: Any, doc: Any) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica", 7)
    canvas.drawRightString(doc.pagesize[0] - doc.rightMargin, doc.bottomMargin / 2,
                           f"slaclock service statement, page {doc.page}")  # fmt: skip
    canvas.restoreState()
