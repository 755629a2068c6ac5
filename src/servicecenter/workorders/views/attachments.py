"""Serving an order's attachments (site photos, the customer's signature, photographed paper vouchers).

Never from a public URL: only to users who may see the order (selectors.access_attachment → 404 otherwise), with the
content type decoded at upload, `inline`, and `nosniff` so a browser never guesses another type.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from .. import selectors


@login_required
@require_GET
def attachment_view(request: HttpRequest, pk: int) -> FileResponse:
    attachment = selectors.access_attachment(user=request.user, pk=pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("file missing") from None
    filename = attachment.file.name.rsplit("/", 1)[-1]
    response = FileResponse(handle, content_type=attachment.content_type, as_attachment=False, filename=filename)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
