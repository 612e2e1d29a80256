"""Report exports: CSV (stdlib) and PDF (matplotlib's PDF backend: a table of the totals and a
chart per series). Pure functions over a `Report`; blocking, so routers run them in a thread."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from app.analytics import schemas
from app.core.i18n import t

A4_INCHES = (8.27, 11.69)


@dataclass
class Report:
    title: str
    period: str
    header: list[str]
    rows: list[list[str]]
    summary: list[tuple[str, str]] = field(default_factory=list)
    charts: list[tuple[str, schemas.SeriesOut]] = field(default_factory=list)


def _label(name: str, lang: str) -> str:
    if name.startswith("revenue_"):
        return t("analytics.report.revenue", lang, currency=name.removeprefix("revenue_").upper())
    return t(f"analytics.report.{name}", lang)


def _money(cents: int, currency: str) -> str:
    return f"{cents / 100:.2f} {currency.upper()}"


def daily_report(
    title: str, lang: str, series: list[schemas.SeriesOut], totals: list[schemas.RevenueTotal]
) -> Report:
    days = [p.day for p in series[0].points]
    header = [t("analytics.report.day", lang), *(_label(s.name, lang) for s in series)]
    rows = [
        [day.isoformat(), *(_number(s.points[i].value, s.name) for s in series)] for i, day in enumerate(days)
    ]
    summary = [
        (_label(s.name, lang), _number(sum(p.value for p in s.points), s.name))
        for s in series
        if not s.name.startswith("revenue_")
    ]
    summary += [
        (t("analytics.report.revenue", lang, currency=x.currency.upper()), _money(x.gross_cents, x.currency))
        for x in totals
    ]
    return Report(
        title=title,
        period=f"{days[0].isoformat()} - {days[-1].isoformat()}",
        header=header,
        rows=rows,
        summary=summary,
        charts=[(_label(s.name, lang), s) for s in series],
    )


def _scaled(value: float, name: str) -> float:
    """Revenue series are in minor units; shown in major units."""
    return value / 100 if name.startswith("revenue_") else value


def _number(value: float, name: str) -> str:
    return f"{_scaled(value, name):.2f}" if name.startswith("revenue_") else f"{value:g}"


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(report.header)
    writer.writerows(report.rows)
    return out.getvalue()


def to_pdf(report: Report) -> bytes:
    # Imported on first use: the API image carries matplotlib for this export only.
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    out = io.BytesIO()
    with PdfPages(out, metadata={"Title": report.title}) as pdf:
        page = Figure(figsize=A4_INCHES)
        page.text(0.08, 0.95, report.title, fontsize=18, weight="bold")
        page.text(0.08, 0.925, report.period, fontsize=11, color="#555555")
        y = 0.89
        for label, value in report.summary:
            page.text(0.08, y, label, fontsize=11)
            page.text(0.60, y, value, fontsize=11, weight="bold")
            y -= 0.025
        charts = report.charts[:4]
        height = (y - 0.06) / max(1, len(charts))
        for i, (label, series) in enumerate(charts):
            ax = page.add_axes((0.1, y - (i + 1) * height + 0.03, 0.85, height - 0.06))
            xs = list(range(len(series.points)))
            ys = [_scaled(p.value, series.name) for p in series.points]
            ax.plot(xs, ys, color="#c0392b")
            ax.fill_between(xs, 0, ys, color="#c0392b", alpha=0.15)
            ax.set_title(label, fontsize=10, loc="left")
            step = max(1, len(xs) // 6)
            ax.set_xticks(xs[::step], [p.day.isoformat() for p in series.points][::step])
            ax.tick_params(labelsize=7)
            ax.grid(alpha=0.3)
        pdf.savefig(page)
    return out.getvalue()
