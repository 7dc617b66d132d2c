"""The demo storefront page at `/` and the embeddable widget script."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlmodel import col, func, select

from api.deps import RuntimeDep, SessionDep
from api.settings import Settings
from domain.tables import Product, Variant

ASSETS = Path(__file__).resolve().parent.parent
templates = Jinja2Templates(directory=str(ASSETS / "templates"))
router = APIRouter(tags=["storefront"])


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def storefront(request: Request, session: SessionDep, runtime: RuntimeDep) -> HTMLResponse:
    rows = session.exec(
        select(Product.name, Product.category, func.min(Variant.price_cents))
        .join(Variant, col(Variant.product_id) == col(Product.id))
        .group_by(col(Product.id), col(Product.name), col(Product.category))
        .order_by(col(Product.name)).limit(12)).all()
    featured = [{"name": n, "category": c, "price": (p or 0) / 100} for n, c, p in rows]
    return templates.TemplateResponse(request, "storefront.html", {
        "store_name": "Ridgeline Outfitters", "featured": featured,
        "widget_url": str(request.url_for("widget_js")), "widget_key": "demo",
        "widget": _widget_attributes(runtime.settings),
    })


def _widget_attributes(settings: Settings) -> dict[str, str]:
    """The retailer's widget defaults from settings, as the script tag's data attributes."""
    return {"title": settings.widget_title, "greeting": settings.widget_greeting,
            "color": settings.widget_color, "position": settings.widget_position,
            "locale": settings.widget_locale}


@router.get("/widget.js", include_in_schema=False, name="widget_js")
def widget_js() -> FileResponse:
    return FileResponse(ASSETS / "static" / "widget.js", media_type="application/javascript",
                        headers={"Cache-Control": "public, max-age=300"})
