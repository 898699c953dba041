"""Collection contacts with the borrower, and any promise to pay (DOMAIN.md §9)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.schema import error_response
from loans import services
from loans.api.common import LIST_ACTION, LOAN_ERRORS, READ_ERRORS
from loans.api.servicing.serializers import ContactInputSerializer, ContactRecordSerializer

CONTACT_ERRORS = {
    **LOAN_ERRORS,
    400: error_response(
        "Invalid input, or a promise without its amount or date: `errors` names the field."
    ),
    409: error_response("The loan is not disbursed, or closed: `errors.loan`."),
}


class ContactActions:
    """``loans/{id}/contacts/``."""

    @extend_schema(responses={200: ContactRecordSerializer(many=True), **READ_ERRORS})
    @action(detail=True, methods=["get"], **LIST_ACTION)
    def contacts(self, request, pk=None):
        """Collection contacts with the borrower, the latest first."""
        loan = self.get_object()
        contacts = loan.contacts.select_related("recorded_by").order_by("-contacted_at", "-id")
        return self._page(contacts, ContactRecordSerializer)

    @extend_schema(
        request=ContactInputSerializer,
        responses={201: ContactRecordSerializer, **CONTACT_ERRORS},
    )
    @contacts.mapping.post
    def post_contact(self, request, pk=None):
        """Record a contact with the borrower: its channel, outcome and any promise to pay."""
        loan = self.get_object()
        data = ContactInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.contact_record(loan_id=loan.pk, **data.validated_data, by=request.user)
        context = self.get_serializer_context()
        return Response(
            ContactRecordSerializer(record, context=context).data, status=status.HTTP_201_CREATED
        )
