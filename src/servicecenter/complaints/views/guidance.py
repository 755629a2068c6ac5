"""CMP-05 / CON-12 communication guidance for complaint handlers: the articles a user's centers read (company-wide
and their own), one article with its earlier versions, and writing one — an edit is saved as a new version."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from servicecenter.core.access import has_permission_anywhere
from servicecenter.core.errors import DomainError
from servicecenter.core.forms import show_domain_error

from .. import selectors, services
from ..choices import Category
from ..forms import GuidanceForm
from ..models import GuidanceArticle

PAGE_SIZE = 20
COMPANY = "company"


def _tag_labels() -> dict[str, str]:
    return {"general": _("通用"), **{k: str(v) for k, v in Category.choices}}


def _lines(body: str) -> list[tuple[str, str]]:
    """The body as (kind, text) lines: "do" for a recommended phrase (✔), "dont" for banned language (✘)."""
    out = []
    for line in (body or "").splitlines():
        text = line.strip()
        if text.startswith(("✔", "√")):
            out.append(("do", text[1:].strip()))
        elif text.startswith(("✘", "×")):
            out.append(("dont", text[1:].strip()))
        else:
            out.append(("text", line))
    return out


def _scopes(user: Any) -> list[tuple[str, str]]:
    """Where the user may write articles: company-wide (a company-level role) and each center they manage."""
    scopes = []
    if services.can_manage_guidance(user=user, organization=None):
        scopes.append((COMPANY, _("全公司通用")))
    scopes += [
        (str(c.pk), c.name) for c in selectors.complaint_centers(user=user, permission=selectors.MANAGE_GUIDANCE)
    ]
    return scopes


@login_required
@require_GET
def guidance_list_view(request: HttpRequest) -> HttpResponse:
    """沟通指引: the current articles, filtered by category (tag) or title."""
    if not has_permission_anywhere(user=request.user, permission=selectors.VIEW_GUIDANCE):
        raise PermissionDenied
    qs = selectors.guidance_visible_to(user=request.user)
    tag = request.GET.get("tag", "")
    labels = _tag_labels()
    if tag in labels:
        # The tags are a short list: a text match on the JSON works on PostgreSQL and SQLite alike.
        qs = qs.filter(Q(tags__icontains=f'"{tag}"'))
    text = request.GET.get("q", "").strip()[:50]
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(body__icontains=text))
    page = Paginator(qs.order_by("organization_id", "title", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    article: Any
    for article in page.object_list:
        article.tag_labels = [labels.get(t, t) for t in article.tags or []]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "tags": list(labels.items()),
        "tag": tag,
        "q": text,
        "query": query.urlencode() + "&" if query else "",
        "can_write": bool(_scopes(request.user)),
    }
    return render(request, "complaints/guidance_list.html", context)


@login_required
@require_GET
def guidance_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    article = selectors.access_guidance(user=request.user, pk=pk)
    newer = GuidanceArticle.objects.filter(supersedes=article).only("id", "version").first()
    labels = _tag_labels()
    context = {
        "article": article,
        "lines": _lines(article.body),
        "tag_labels": [labels.get(t, t) for t in article.tags or []],
        "versions": selectors.guidance_versions(article=article),
        "newer": newer,
        "author": selectors.user_name(article.created_by),
        "can_edit": article.is_current
        and services.can_manage_guidance(user=request.user, organization=article.organization),
    }
    return render(request, "complaints/guidance_detail.html", context)


def _save(request: HttpRequest, form: GuidanceForm, *, article: GuidanceArticle | None) -> HttpResponse | int:
    """The redirect to the saved article, or the status of the refusal (the form carries its messages)."""
    if not form.is_valid():
        return 400
    data = form.cleaned_data
    organization = article.organization if article is not None else None
    if article is None and data["organization"] != COMPANY:
        organization = next(
            (
                c
                for c in selectors.complaint_centers(user=request.user, permission=selectors.MANAGE_GUIDANCE)
                if str(c.pk) == data["organization"]
            ),
            None,
        )
        if organization is None:
            form.add_error("organization", _("请选择适用范围"))
            return 400
    try:
        saved = services.guidance_save(
            actor=request.user,
            title=data["title"],
            body=data["body"],
            tags=data["tags"],
            clause=data["clause"],
            organization=organization,
            supersedes_id=article.pk if article is not None else None,
        )
    except DomainError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(exc.message) from None
        show_domain_error(form, exc)
        return exc.status_code
    messages.success(
        request, _("已保存为第 %(v)s 版") % {"v": saved.version} if article is not None else _("已新建沟通指引")
    )
    return redirect("complaints:guidance_detail", pk=saved.pk)


@login_required
@require_http_methods(["GET", "POST"])
def guidance_create_view(request: HttpRequest) -> HttpResponse:
    scopes = _scopes(request.user)
    if not scopes:
        raise PermissionDenied
    if request.method == "GET":
        form = GuidanceForm(scopes=scopes, initial={"organization": scopes[0][0], "tags": ["general"]})
        return render(request, "complaints/guidance_form.html", {"form": form, "article": None})
    form = GuidanceForm(request.POST, scopes=scopes)
    done = _save(request, form, article=None)
    if isinstance(done, HttpResponse):
        return done
    return render(request, "complaints/guidance_form.html", {"form": form, "article": None}, status=done)


@login_required
@require_http_methods(["GET", "POST"])
def guidance_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit = save the text as a new version (the old one stays readable)."""
    article = selectors.access_guidance(user=request.user, pk=pk)
    if not services.can_manage_guidance(user=request.user, organization=article.organization):
        raise PermissionDenied
    scope_label = article.organization.name if article.organization is not None else _("全公司通用")
    scopes = [(str(article.organization_id) if article.organization_id else COMPANY, scope_label)]
    if request.method == "GET":
        initial = {
            "title": article.title,
            "body": article.body,
            "tags": article.tags,
            "clause": article.clause,
            "organization": scopes[0][0],
        }
        form = GuidanceForm(scopes=scopes, initial=initial)
        return render(request, "complaints/guidance_form.html", {"form": form, "article": article})
    form = GuidanceForm(request.POST, scopes=scopes)
    done = _save(request, form, article=article)
    if isinstance(done, HttpResponse):
        return done
    return render(request, "complaints/guidance_form.html", {"form": form, "article": article}, status=done)
