"""Groups of related borrowers (res. 192): k2 counts a group's debt as one borrower's."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from applications.models import Applicant
from core.audit import audit
from core.errors import ConflictError, DomainError
from prudential.models import BorrowerGroup, BorrowerGroupMember


@transaction.atomic
def borrower_group_set(
    *, group_id: int | None = None, name: str, member_ids: Iterable[int], by
) -> BorrowerGroup:
    """Create a group of related borrowers or change its name and members. A borrower belongs to
    one group at most: k2 would otherwise count the same debt twice."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Name the group."), field="name", code="required")
    ids = sorted(set(member_ids))
    if len(ids) < 2:
        raise DomainError(
            _("A group of related borrowers has at least two borrowers."),
            field="members",
            code="too_few",
        )
    members = list(Applicant.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(members) != len(ids):
        raise DomainError(_("Some borrowers were not found."), field="members", code="not_found")
    group = (
        BorrowerGroup.objects.select_for_update().get(pk=group_id)
        if group_id
        else BorrowerGroup(name=name)
    )
    taken = (
        BorrowerGroupMember.objects.filter(applicant_id__in=ids)
        .exclude(group_id=group.pk)
        .select_related("group", "applicant")
        .order_by("applicant__name")
        .first()
    )
    if taken is not None:
        raise ConflictError(
            _(
                "%(borrower)s is already in the group “%(group)s”; a borrower belongs to one "
                "group at most."
            )
            % {"borrower": taken.applicant.name, "group": taken.group.name},
            field="members",
            code="in_another_group",
        )
    group.name = name
    group.save()
    current = set(group.memberships.values_list("applicant_id", flat=True))
    removed, added = sorted(current - set(ids)), sorted(set(ids) - current)
    group.memberships.filter(applicant_id__in=removed).delete()
    try:
        with transaction.atomic():
            BorrowerGroupMember.objects.bulk_create(
                BorrowerGroupMember(group=group, applicant_id=pk) for pk in added
            )
    except IntegrityError:  # another group took the borrower meanwhile
        raise ConflictError(
            _("A borrower was put in another group meanwhile; reload and try again."),
            field="members",
            code="in_another_group",
        ) from None
    audit(
        group,
        "prudential.borrower_group_set",
        by=by,
        data={"name": name, "members": ids, "added": added, "removed": removed},
    )
    return group


@transaction.atomic
def borrower_group_delete(*, group_id: int, by) -> None:
    """Dissolve a group; past runs keep the name of the group they concerned."""
    group = BorrowerGroup.objects.select_for_update().get(pk=group_id)
    members = sorted(group.memberships.values_list("applicant_id", flat=True))
    audit(
        group,
        "prudential.borrower_group_deleted",
        by=by,
        data={"name": group.name, "members": members},
    )
    group.delete()


def borrower_group_list() -> QuerySet[BorrowerGroup]:
    return BorrowerGroup.objects.prefetch_related("members").order_by("name", "pk")
