"""Shopify product CSV exports for tests, written with Shopify's own column set."""

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


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path
