"""The portfolio risk figures page and its workbook, under /risk/figures/ (issue 8, items 4–5).

The figures come from ``prudential.figures`` (a few aggregate queries each); this module only
picks the date, builds the links to the loans behind each figure (the portfolio list and its
filters) and lays the figures out as a page or as an XLSX workbook.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit
from core.permissions import role_required
from core.privacy import identifier_for
from core.roles import Role
from core.throttling import heavy_page
from core.xlsx import MONEY_FORMAT, Sheet, workbook_bytes, xlsx_response
from loans.forms_portfolio import BUCKET_LABELS
from loans.models import Loan
from prudential.figures import (
    PAR_DAYS,
    SERIES_DAYS,
    VINTAGE_DAYS,
    GroupOutstanding,
    PortfolioFigures,
    figures_date,
    portfolio_figures,
)

ROLES = (Role.RISK_MANAGER, Role.ADMINISTRATOR)
PERCENT_FORMAT = "0.00"
# amounts in KZT, shares as percent with two decimals, dates as ISO dates
TYPE_FORMATS = {Decimal: MONEY_FORMAT, float: PERCENT_FORMAT, date: "yyyy-mm-dd"}
CHART_WIDTH, CHART_HEIGHT = 600, 160
DEBT_BURDEN_BANDS = ("≤ 0.3", "0.3–0.4", "0.4–0.5", "> 0.5")


class FiguresForm(forms.Form):
    on = forms.DateField(
        label=gettext_lazy("Figures as of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("A closed business day; empty: the last one."),
    )
    days = forms.IntegerField(
        label=gettext_lazy("Closed days in the series"),
        required=False,
        min_value=1,
        max_value=180,  # each date is a scan of that day's snapshots
        help_text=lazy(lambda: _("Empty: %(days)s.") % {"days": SERIES_DAYS}, str)(),
    )

    def clean_on(self):
        on = self.cleaned_data.get("on")
        if on is not None and figures_date(on) is None:
            raise forms.ValidationError(
                gettext_lazy("The daily close has not run for this date; pick a closed one.")
            )
        return on


def _chosen(form: FiguresForm) -> tuple[date | None, int]:
    """The closed date and the series length the valid fields ask for (else the defaults)."""
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    return figures_date(data.get("on")), data.get("days") or SERIES_DAYS


def portfolio_link(on: date, **filters) -> str:
    """The portfolio list narrowed to the loans behind a figure, with the figures of ``on``."""
    query = {"on": on.isoformat()} | {k: v for k, v in filters.items() if v is not None}
    return f"{reverse('portfolio:list')}?{urlencode(query)}"


def _group_rows(on: date, groups: list[GroupOutstanding], field: str) -> list[dict]:
    return [
        {
            "group": group,
            "link": portfolio_link(on, status=Loan.Status.ACTIVE, **{field: group.key}),
            "written_off_link": portfolio_link(
                on, status=Loan.Status.WRITTEN_OFF, **{field: group.key}
            ),
        }
        for group in groups
    ]


def _points(values: list[Decimal], top: Decimal) -> str:
    """An SVG polyline's points for percentages, the newest on the right."""
    if not values:
        return ""
    step = CHART_WIDTH / max(len(values) - 1, 1)
    return " ".join(
        f"{index * step:.1f},{CHART_HEIGHT - float(value / top) * CHART_HEIGHT:.1f}"
        for index, value in enumerate(values)
    )


def _chart(figures: PortfolioFigures) -> dict:
    points = figures.series
    top = max((max(p.par.values()) for p in points), default=Decimal(0)) or Decimal(1)
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "top": top,
        "lines": [
            {"days": days, "points": _points([p.par[days] for p in points], top)}
            for days in PAR_DAYS
        ],
    }


def _context(request, figures: PortfolioFigures) -> dict:
    on = figures.on
    user = request.user
    return {
        "figures": figures,
        "by_product": _group_rows(on, figures.outstanding.by_product, "product"),
        "by_branch": _group_rows(on, figures.outstanding.by_branch, "branch"),
        "by_officer": _group_rows(on, figures.outstanding.by_officer, "officer"),
        "active_link": portfolio_link(on, status=Loan.Status.ACTIVE),
        "written_off_link": portfolio_link(on, status=Loan.Status.WRITTEN_OFF),
        "par": [
            {"figure": f, "link": portfolio_link(on, status="active", min_dpd=f.days + 1)}
            for f in figures.par.figures
        ],
        "buckets": [
            {
                "figure": b,
                "label": BUCKET_LABELS[b.bucket],
                "link": portfolio_link(
                    on, status="active", min_dpd=b.first_day, max_dpd=b.last_day
                ),
            }
            for b in figures.buckets
        ],
        "stages": [
            {
                "figure": s,
                "link": portfolio_link(
                    on, status="active", min_dpd=s.first_day, max_dpd=s.last_day
                ),
            }
            for s in figures.provisions.stages
        ],
        "vintage_days": VINTAGE_DAYS,
        "vintages": [
            {"vintage": v, "late": [(v.late[d], v.late_percent[d]) for d in VINTAGE_DAYS]}
            for v in figures.vintages
        ],
        "vintage_links": [(d, portfolio_link(on, min_dpd=d + 1)) for d in VINTAGE_DAYS],
        "top": [
            {
                "borrower": b,
                "identifier": identifier_for(user, b.identifier),
                "loans": [(number, reverse("portfolio:loan", args=[pk])) for pk, number in b.loans],
            }
            for b in figures.concentration.top
        ],
        "product_shares": [
            {"share": s, "link": portfolio_link(on, status="active", product=s.product_id)}
            for s in figures.concentration.by_product
        ],
        "par_days": PAR_DAYS,
        "bucket_labels": [BUCKET_LABELS[b.bucket] for b in figures.buckets],
        "series": [
            {
                "point": p,
                "par": [p.par[d] for d in PAR_DAYS],
                "buckets": [p.buckets[b.bucket] for b in figures.buckets],
                "link": portfolio_link(p.on, status="active", min_dpd=1),
            }
            for p in reversed(figures.series)
        ],
        "chart": _chart(figures),
        "bands": DEBT_BURDEN_BANDS,
    }


@role_required(*ROLES)
def figures_page(request):
    form = FiguresForm(request.GET or None)
    on, days = _chosen(form)
    context = {"form": form, "on": on, "days": days, "query": request.GET.urlencode()}
    if on is not None:
        context |= _context(request, portfolio_figures(on=on, days=days))
    return render(request, "prudential/figures/page.html", context)


# --- the workbook -----------------------------------------------------------------------------


def _sheet(sheets: list[Sheet], title: str, header: list[str], rows: list[list]) -> None:
    # a borrower's name is never run as a formula: the writer keeps text as text
    sheets.append(Sheet(title, header, rows, type_formats=TYPE_FORMATS, bold_header=True))


def _outstanding_rows(title: str, groups: list[GroupOutstanding]) -> list[list]:
    return [
        [title, g.label, g.count, g.amount, g.written_off_count, g.written_off_amount]
        for g in groups
    ]


def figures_workbook(figures: PortfolioFigures, user) -> bytes:
    workbook: list[Sheet] = []
    totals = figures.outstanding
    _sheet(
        workbook,
        _("Outstanding"),
        [
            _("Grouped by"),
            _("Group"),
            _("Loans"),
            _("Outstanding, KZT"),
            _("Written-off loans"),
            _("Written off, outstanding, KZT"),
        ],
        _outstanding_rows(_("Product"), totals.by_product)
        + _outstanding_rows(_("Branch"), totals.by_branch)
        + _outstanding_rows(_("Credit officer"), totals.by_officer)
        + [
            [
                _("Total"),
                "",
                totals.count,
                totals.amount,
                totals.written_off_count,
                totals.written_off_amount,
            ]
        ],
    )
    _sheet(
        workbook,
        _("PAR"),
        [_("Days past due, more than"), _("Loans"), _("Principal, KZT"), _("Share, %")],
        [[f.days, f.count, f.principal, float(f.percent)] for f in figures.par.figures]
        + [[_("Total"), figures.par.count, figures.par.principal, 100.0]],
    )
    _sheet(
        workbook,
        _("Buckets"),
        [_("Bucket"), _("Loans"), _("Principal, KZT"), _("Share, %")],
        [
            [str(BUCKET_LABELS[b.bucket]), b.count, b.principal, float(b.percent)]
            for b in figures.buckets
        ],
    )
    provisions = figures.provisions
    _sheet(
        workbook,
        _("Provisions"),
        [_("Stage"), _("Loans"), _("Exposure, KZT"), _("Rate, %"), _("Provision, KZT")],
        [[int(s.stage), s.count, s.exposure, float(s.rate), s.provision] for s in provisions.stages]
        + [[_("Total"), "", provisions.exposure, "", provisions.provision]],
    )
    _sheet(
        workbook,
        _("Vintages"),
        [_("Month disbursed"), _("Loans"), _("Disbursed, KZT")]
        + [
            header
            for d in VINTAGE_DAYS
            for header in (
                _("Principal more than %(days)s days past due, KZT") % {"days": d},
                _("Share more than %(days)s days past due, %%") % {"days": d},
            )
        ],
        [
            [v.month.strftime("%Y-%m"), v.count, v.disbursed]
            + [x for d in VINTAGE_DAYS for x in (v.late[d], float(v.late_percent[d]))]
            for v in figures.vintages
        ],
    )
    _sheet(
        workbook,
        _("Write-offs"),
        [
            _("Month written off"),
            _("Loans"),
            _("Principal, KZT"),
            _("Written off, KZT"),
            _("Recovered since, KZT"),
            _("Recovered, %"),
        ],
        [
            [
                w.month.strftime("%Y-%m"),
                w.count,
                w.principal,
                w.amount,
                w.recovered,
                float(w.recovered_percent),
            ]
            for w in figures.write_offs
        ],
    )
    concentration = figures.concentration
    _sheet(
        workbook,
        _("Concentration"),
        [_("Borrower or product"), _("IIN/BIN"), _("Loans"), _("Outstanding, KZT"), _("Share, %")],
        [
            [
                b.name,
                identifier_for(user, b.identifier),
                ", ".join(number for _pk, number in b.loans),
                b.amount,
                float(b.percent),
            ]
            for b in concentration.top
        ]
        + [
            [
                _("The %(count)s largest borrowers") % {"count": len(concentration.top)},
                "",
                "",
                concentration.top_amount,
                float(concentration.top_percent),
            ]
        ]
        + [[s.label, "", s.count, s.amount, float(s.percent)] for s in concentration.by_product],
    )
    _sheet(
        workbook,
        _("Series"),
        [_("Date"), _("Loans"), _("Principal, KZT")]
        + [_("PAR %(days)s, %%") % {"days": d} for d in PAR_DAYS]
        + [
            _("%(bucket)s, %% of principal") % {"bucket": BUCKET_LABELS[b.bucket]}
            for b in figures.buckets
        ],
        [
            [p.on, p.count, p.principal]
            + [float(p.par[d]) for d in PAR_DAYS]
            + [float(p.buckets[b.bucket]) for b in figures.buckets]
            for p in figures.series
        ],
    )
    _sheet(
        workbook,
        _("Debt burden"),
        [
            _("Product"),
            _("Month"),
            _("Assessed"),
            _("Above the limit"),
            _("Above the limit, %"),
            _("Exempt from the limit"),
            *DEBT_BURDEN_BANDS,
            _("Refused for the limit"),
        ],
        [
            [
                r.label or _("Total"),
                r.month.strftime("%Y-%m") if r.month else "",
                r.count,
                r.above_limit,
                float(r.above_limit_percent),
                r.exempt,
                *r.bands,
                r.refused_for_limit,
            ]
            for r in figures.debt_burden
        ],
    )
    return workbook_bytes(*workbook)


@role_required(*ROLES)
@heavy_page
def figures_export(request):
    form = FiguresForm(request.GET or None)
    on, days = _chosen(form)
    if form.errors or on is None:
        message = "\n".join(
            f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()
        ) or _("No business day has been closed yet: there are no figures.")
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    figures = portfolio_figures(on=on, days=days)
    # the workbook names the largest borrowers: an export of personal data (DOMAIN.md §14)
    audit(
        None,
        "prudential.figures_exported",
        by=request.user,
        data={"on": on.isoformat(), "days": days},
    )
    return xlsx_response(
        figures_workbook(figures, request.user), f"risk-figures-{on.isoformat()}.xlsx"
    )
