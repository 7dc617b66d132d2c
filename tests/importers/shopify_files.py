"""Shopify product CSV exports for tests, written with Shopify's own column sets: the
long-standing one (`Handle`, `Body (HTML)`, `Variant SKU`, ...) and the names Shopify's
current sample file uses (`URL handle`, `Description`, `SKU`, ...)."""

from __future__ import annotations

import csv
from pathlib import Path

COLUMNS = (
    "Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags",
    "Published", "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value",
    "Option3 Name", "Option3 Value", "Variant SKU", "Variant Grams",
    "Variant Inventory Tracker", "Variant Inventory Qty", "Variant Inventory Policy",
    "Variant Fulfillment Service", "Variant Price", "Variant Compare At Price",
    "Variant Requires Shipping", "Variant Taxable", "Variant Barcode", "Image Src",
    "Image Position", "Image Alt Text", "Gift Card", "SEO Title", "SEO Description",
    "Variant Image", "Variant Weight Unit", "Variant Tax Code", "Cost per item", "Status",
)


def product_row(handle: str, title: str, *, option_names: tuple[str, ...] = ("Size", "Color"),
                values: tuple[str, ...] = ("M", "Blue"), sku: str = "", price: str = "25.00",
                qty: str = "5", body: str = "", type_: str = "T-Shirts", tags: str = "",
                status: str = "active", policy: str = "deny") -> dict[str, str]:
    """The first row of a product: title, body, option names and its first variant."""
    row = variant_row(handle, values=values, sku=sku, price=price, qty=qty, policy=policy)
    row |= {"Title": title, "Body (HTML)": body, "Vendor": "Ridgeline", "Type": type_,
            "Product Category": "Apparel & Accessories > Clothing > Shirts & Tops",
            "Tags": tags, "Published": "true", "Status": status,
            "Image Src": f"https://cdn.example.com/{handle}-1.jpg", "Image Position": "1"}
    for i, name in enumerate(option_names, start=1):
        row[f"Option{i} Name"] = name
    return row


def variant_row(handle: str, *, values: tuple[str, ...] = ("L", "Blue"), sku: str = "",
                price: str = "25.00", qty: str = "5", policy: str = "deny") -> dict[str, str]:
    """A row continuing a product (empty Title): one more variant."""
    row = {"Handle": handle, "Variant SKU": sku, "Variant Grams": "200",
           "Variant Inventory Tracker": "shopify", "Variant Inventory Qty": qty,
           "Variant Inventory Policy": policy, "Variant Fulfillment Service": "manual",
           "Variant Price": price, "Variant Requires Shipping": "true",
           "Variant Taxable": "true", "Gift Card": "false", "Variant Weight Unit": "kg"}
    for i, value in enumerate(values, start=1):
        row[f"Option{i} Value"] = value
    return row


def image_row(handle: str, position: int) -> dict[str, str]:
    return {"Handle": handle, "Image Src": f"https://cdn.example.com/{handle}-{position}.jpg",
            "Image Position": str(position)}


# Shopify's current product_template.csv header; rows are written with the old names and
# renamed through RENAMED.
CURRENT_COLUMNS = (
    "Title", "URL handle", "Description", "Vendor", "Product category", "Type", "Tags",
    "Published on online store", "Status", "SKU", "Barcode", "Option1 name", "Option1 value",
    "Option1 Linked To", "Option2 name", "Option2 value", "Option2 Linked To", "Option3 name",
    "Option3 value", "Option3 Linked To", "Price", "Compare-at price", "Cost per item",
    "Charge tax", "Tax code", "Unit price total measure", "Unit price total measure unit",
    "Unit price base measure", "Unit price base measure unit", "Inventory tracker",
    "Inventory quantity", "Continue selling when out of stock", "Weight value (grams)",
    "Weight unit for display", "Requires shipping", "Fulfillment service",
    "Product image URL", "Image position", "Image alt text", "Variant image URL", "Gift card",
    "SEO title", "SEO description", "Color (product.metafields.shopify.color-pattern)",
    "Google Shopping / Google product category", "Google Shopping / Gender",
    "Google Shopping / Age group", "Google Shopping / Manufacturer part number (MPN)",
    "Google Shopping / Ad group name", "Google Shopping / Ads labels",
    "Google Shopping / Condition", "Google Shopping / Custom product",
    "Google Shopping / Custom label 0", "Google Shopping / Custom label 1",
    "Google Shopping / Custom label 2", "Google Shopping / Custom label 3",
    "Google Shopping / Custom label 4",
)
RENAMED = {
    "Handle": "URL handle", "Body (HTML)": "Description", "Product Category": "Product category",
    "Published": "Published on online store", "Variant SKU": "SKU",
    "Variant Price": "Price", "Variant Compare At Price": "Compare-at price",
    "Variant Inventory Tracker": "Inventory tracker", "Variant Inventory Qty":
    "Inventory quantity", "Variant Inventory Policy": "Continue selling when out of stock",
    "Variant Fulfillment Service": "Fulfillment service", "Variant Requires Shipping":
    "Requires shipping", "Variant Taxable": "Charge tax", "Variant Barcode": "Barcode",
    "Image Src": "Product image URL", "Image Position": "Image position",
    "Image Alt Text": "Image alt text", "Gift Card": "Gift card", "Variant Grams":
    "Weight value (grams)", "Variant Weight Unit": "Weight unit for display",
    **{f"Option{i} {part.title()}": f"Option{i} {part}" for i in (1, 2, 3)
       for part in ("name", "value")},
}


def write_csv(path: Path, rows: list[dict[str, str]], *,
              columns: tuple[str, ...] = COLUMNS, bom: bool = False,
              line_end: str = "\r\n") -> Path:
    """`rows` keyed by the old column names (renamed when `columns` uses the new ones);
    cells for columns the file lacks are dropped, as an export without them would."""
    renamed = [{RENAMED.get(k, k) if k not in columns else k: v for k, v in row.items()}
               for row in rows]
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, restval="", extrasaction="ignore",
                                lineterminator=line_end)
        writer.writeheader()
        writer.writerows(renamed)
    return path
