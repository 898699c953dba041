from django.apps import AppConfig


class ShellConfig(AppConfig):
    """The top of the stack: what spans the apps (menu, home page, branch routes, demo data)."""

    name = "shell"

    def ready(self) -> None:
        from core.branches import register_kinds
        from shell.branches import KINDS

        register_kinds(KINDS)  # the kinds of file that ``require_visible`` checks by name
