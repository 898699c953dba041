from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.errors import DomainError
from core.forms import add_domain_error
from core.pdf import render_pdf
from core.permissions import role_required
from core.roles import Role
from core.throttling import heavy_page
from lending.calculator import calculate
from lending.domain.schedule import Method
from lending.messages import limit_message
from loans.charts import HEIGHT, WIDTH, principal_interest_bars
from loans.forms import CalculatorForm

CALCULATOR_ROLES = (Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR)
COMPARED_METHODS = (Method.ANNUITY, Method.DIFFERENTIATED)
DOCUMENT_LANGUAGES = ("kk", "ru")


def _calculations(form: CalculatorForm) -> dict | None:
    """Both methods from the form's terms; a broken rule goes back to the form's field."""
    if not form.is_valid():
        return None
    try:
        return {
            method: calculate(
                terms=form.terms(method),
                fees=form.fees(),
                product=form.cleaned_data.get("product"),
            )
            for method in COMPARED_METHODS
        }
    except DomainError as exc:
        add_domain_error(form, exc)
        return None


@role_required(*CALCULATOR_ROLES)
def calculator(request):
    form = CalculatorForm(request.GET or None)
    calculations = _calculations(form)
    results = []
    for method, calculation in (calculations or {}).items():
        results.append(
            {
                "method": method,
                "calculation": calculation,
                "schedule": calculation.schedule,
                "violations": [limit_message(v) for v in calculation.limit_violations],
                "bars": principal_interest_bars(calculation.schedule),
            }
        )
    return render(
        request,
        "loans/calculator.html",
        {
            "form": form,
            "results": results,
            "query": request.GET.urlencode(),
            "chart_width": WIDTH,
            "chart_height": HEIGHT,
            "document_languages": DOCUMENT_LANGUAGES,
        },
        status=400 if form.errors else 200,  # refused terms, shown beside their fields
    )


@role_required(*CALCULATOR_ROLES)
@heavy_page
def calculator_pdf(request, method: str, language: str):
    """The draft schedule the rules oblige the MFO to show the applicant before the contract."""
    if method not in COMPARED_METHODS or language not in DOCUMENT_LANGUAGES:
        raise Http404
    form = CalculatorForm(request.GET)
    calculations = _calculations(form)
    if calculations is None:
        # refused terms print nothing; the calculator page shows why beside each field
        return HttpResponse(
            "\n".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    calculation = calculations[Method(method)]
    pdf = render_pdf(
        "loans/schedule_pdf.html",
        {
            "calculation": calculation,
            "schedule": calculation.schedule,
            "product": form.cleaned_data.get("product"),
            "printed_at": timezone.localtime(),
        },
        language=language,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"schedule-{method}-{language}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
