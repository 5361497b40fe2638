"""Dashboard pages for brand kits, under the workspace settings: the kits with a preview of
each, and a kit's form with a live preview beside it.

Kits are looked up among the workspaces the user belongs to (404 otherwise). Every
member manages them. Every change is a POST answered with a redirect; deleting asks
first (:mod:`accounts.confirm`). A new logo is checked before anything is saved, so a
refused upload leaves the kit as it was.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from rest_framework.exceptions import ValidationError

from accounts.confirm import ask, confirmed
from accounts.views import _workspace
from brands import actions
from brands.forms import BrandKitForm
from brands.logos import LogoError
from brands.models import BrandKit
from brands.serializers import kit_fields


def _kit(request, pk: str) -> BrandKit:
    return get_object_or_404(BrandKit.objects.for_user(request.user), pk=pk)


@login_required
def kit_list(request):
    workspace = _workspace(request)
    kits = BrandKit.objects.filter(workspace=workspace)
    return render(request, "brands/list.html", {"kits": kits})


@login_required
def kit_new(request):
    workspace = _workspace(request)
    return _kit_form(request, BrandKit(workspace=workspace), created=True)


@login_required
def kit_edit(request, pk: str):
    return _kit_form(request, _kit(request, pk), created=False)


def _kit_form(request, kit: BrandKit, *, created: bool):
    """The kit's form; a valid post saves the kit (and its logo) and goes back to the list."""
    form = BrandKitForm(request.POST or None, request.FILES or None, kit=None if created else kit)
    heading = "New brand kit" if created else kit.name  # before a refused change touches ``kit``
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                fields = kit_fields(form.kit_data(), partial=not created)
                kit = actions.create_kit(kit.workspace, fields) if created else actions.update_kit(kit, fields)
                if form.cleaned_data["logo"]:
                    actions.set_logo(kit, form.cleaned_data["logo"])
                elif form.cleaned_data["removeLogo"] and kit.logo:
                    actions.remove_logo(kit)
        except ValidationError as exc:
            form.add_kit_errors(exc.detail)
        except actions.KitError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except LogoError as exc:
            form.add_error("logo", str(exc))
        else:
            messages.success(request, f"Saved the brand kit “{kit.name}”.")
            return redirect("brands:list")
    context = {"form": form, "kit": kit, "created": created, "heading": heading}
    return render(request, "brands/edit.html", context, status=422 if form.errors else 200)


@login_required
@require_POST
def kit_default(request, pk: str):
    kit = _kit(request, pk)
    actions.update_kit(kit, {"is_default": True})
    messages.success(request, f"“{kit.name}” is now the default brand kit.")
    return redirect("brands:list")


@login_required
@require_POST
def kit_delete(request, pk: str):
    kit = _kit(request, pk)
    if not confirmed(request):
        return ask(
            request, key=f"kit-{kit.pk}", title="Delete brand kit", question=f"Delete the brand kit “{kit.name}”?",
            detail="Videos and clips that use it will use the workspace's default kit when they are rendered again.",
            action=reverse("brands:delete", args=[kit.pk]), yes="Delete kit", back_url=reverse("brands:list"),
        )  # fmt: skip
    actions.delete_kit(kit)
    messages.success(request, f"Deleted the brand kit “{kit.name}”.")
    return redirect("brands:list")
