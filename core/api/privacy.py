"""Output fields whose value ``core.privacy`` decides for the request's user.

``PersonalCharField(category=Category.CONTACTS, registered_by="created_by_id")`` gives the value
in clear, masked, banded or null as the policy says; the field keeps its name and type, and is
nullable in the schema when the policy may hide it. ``registered_by`` is the dotted path, on the
serialized object, to the id of the user who registered the person (a branch system sees its own
registrations in clear).
"""

from __future__ import annotations

from operator import attrgetter

from rest_framework import serializers

from core.privacy import POLICY, Category, Shown, shown


def policy_note(category: Category, *, own: bool = False) -> str:
    rule = POLICY[category]
    clear = ", ".join(f"`{role.value}`" for role in sorted(rule.clear))
    note = f"Personal data ({category.value}): in clear for {clear}"
    if own:
        note += " and the `branch_system` that registered the person"
    if rule.banded:
        banded = ", ".join(f"`{role.value}`" for role in sorted(rule.banded))
        note += f"; rounded down to its income band for {banded}"
    otherwise = "null" if rule.otherwise == Shown.HIDDEN else rule.otherwise.value
    return f"{note}; {otherwise} for the other roles."


class PersonalField:
    """A read-only output field shown as the privacy policy says (mixed into a DRF field)."""

    def __init__(self, *args, category: Category, registered_by: str | None = None, **kwargs):
        self.category = Category(category)
        self.registered_by = attrgetter(registered_by) if registered_by else None
        kwargs["read_only"] = True
        if POLICY[self.category].otherwise == Shown.HIDDEN:
            kwargs["allow_null"] = True
        help_text = kwargs.pop("help_text", "")
        note = policy_note(self.category, own=self.registered_by is not None)
        kwargs["help_text"] = f"{help_text} {note}".strip()
        super().__init__(*args, **kwargs)

    def get_attribute(self, instance):
        value = super().get_attribute(instance)
        request = self.context.get("request")
        owner = self.registered_by(instance) if self.registered_by else None
        return shown(getattr(request, "user", None), self.category, value, registered_by_id=owner)


class PersonalCharField(PersonalField, serializers.CharField):
    pass


class PersonalEmailField(PersonalField, serializers.EmailField):
    pass


class PersonalDateField(PersonalField, serializers.DateField):
    pass


class PersonalDecimalField(PersonalField, serializers.DecimalField):
    pass
