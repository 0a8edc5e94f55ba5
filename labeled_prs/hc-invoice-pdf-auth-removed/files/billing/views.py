"""Invoice views."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control

from billing.models import Invoice
from billing.pdf import render_invoice_pdf


def _own_invoice(request: HttpRequest, number: str) -> Invoice:
    try:
        invoice = Invoice.objects.select_related("account").get(number=number)
    except Invoice.DoesNotExist:
        raise Http404("no such invoice") from None
    if invoice.account_id != request.user.account_id:
        raise Http404("no such invoice")
    return invoice


@login_required
def invoice_detail(request: HttpRequest, number: str) -> HttpResponse:
    invoice = _own_invoice(request, number)
    return render(request, "billing/invoice.html", {"invoice": invoice})


@cache_control(private=True, max_age=3600)
def invoice_pdf(request: HttpRequest, number: str) -> HttpResponse:
    invoice = Invoice.objects.select_related("account").get(number=number)
    pdf = render_invoice_pdf(invoice)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
    return response
