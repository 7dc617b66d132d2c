"""A corpus of Shopify product exports with the quirks real stores' exports have, written
from Shopify's product CSV documentation (help.shopify.com, "Using CSV files to import and
export products", and its sample `product_template.csv`) and its inventory CSV page.

Each `Quirk` writes one file and states what importing it must give: rows in, products
and variants out, how many are sold without a count, how many are not for sale, what is
skipped and why, and a product a shopper asks for by name.  The facts each one rests on:

* A product spans rows with the same Handle; the first has the product's details, the
  others (empty Title) are more variants or only extra images.  Handles can be up to 255
  characters.
* Options: up to three (Option1..3 Name / Value); a product without options has one variant
  with `Title` / `Default Title`.  A variant is its option values; a SKU is optional and
  not unique.
* `Variant Inventory Tracker` empty: Shopify does not count the stock and always sells it;
  `Variant Inventory Policy` continue: keeps selling past zero; `Variant Inventory Qty` is
  for single-location stores (exports can omit it).
* `Status`: active, draft, archived (unlisted in newer stores); older exports have only
  `Published`.
* Other columns (SEO, Google Shopping, market prices, metafields
  `Name (product.metafields.ns.key)`, `Gift Card`, `Variant Compare At Price`) are data
  this importer does not need.
* Newer exports use new header names (`URL handle`, `Description`, `SKU`, `Price`,
  `Inventory quantity`, `Continue selling when out of stock`, ...); files are UTF-8 with
  or without a BOM, CRLF line ends, newlines inside quoted HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.importers.shopify_files import (
    COLUMNS,
    CURRENT_COLUMNS,
    image_row,
    product_row,
    variant_row,
    write_csv,
)

Rows = list[dict[str, str]]


@dataclass(frozen=True)
class Quirk:
    name: str
    what: str
    rows: Callable[[], Rows]
    read: int  # data rows in the file
    products: int
    variants: int
    untracked: int = 0
    not_for_sale: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # kind -> rows
    ask: str = ""  # the product title a shopper asks for
    ask_id: str = ""  # its handle
    for_sale: bool = True
    columns: tuple[str, ...] = COLUMNS
    bom: bool = False

    def write(self, folder: Path) -> Path:
        return write_csv(folder / f"{self.name}.csv", self.rows(), columns=self.columns,
                         bom=self.bom)


def _untracked(row: dict[str, str]) -> dict[str, str]:
    return row | {"Variant Inventory Tracker": "", "Variant Inventory Qty": "0"}


LONG_HANDLE = ("womens-organic-cotton-relaxed-fit-wide-leg-drawstring-lounge-trousers-with-"
               "deep-side-pockets-and-soft-elasticated-waist-in-oatmeal-sand-and-charcoal-"
               "limited-edition-autumn-collection")
TOO_LONG_HANDLE = "linen-" * 50 + "tunic"  # 305 characters: more than Shopify's 255


def _long_handles() -> Rows:
    title = ("Women's Organic Cotton Relaxed-Fit Wide-Leg Drawstring Lounge Trousers with "
             "Deep Side Pockets and Soft Elasticated Waist")
    return [
        product_row(LONG_HANDLE, title, option_names=("Size", "Color"), values=("S", "Oatmeal"),
                    sku="LT-S-OAT", price="68.00", qty="4", type_="Trousers"),
        variant_row(LONG_HANDLE, values=("M", "Oatmeal"), sku="LT-M-OAT", price="68.00",
                    qty="7"),
        variant_row(LONG_HANDLE, values=("L", "Oatmeal"), sku="LT-L-OAT", price="68.00",
                    qty="2"),
        product_row(TOO_LONG_HANDLE, "Linen Tunic", values=("S", "White"), sku="LN-S"),
        variant_row(TOO_LONG_HANDLE, values=("M", "White"), sku="LN-M"),
        product_row("silk-scarf", "Silk Scarf", option_names=("Title",),
                    values=("Default Title",), sku="SCARF-1", price="45.00", type_="Scarves"),
    ]


SIZES = ("XS", "S", "M", "L", "XL")


def _per_colour_skus() -> Rows:
    """Swimwear: one SKU per colour, shared by every size (as the issue's store had)."""
    rows: Rows = []
    for handle, title, code, colours in (
            ("riviera-triangle-bikini-top", "Riviera Triangle Bikini Top", "WS231",
             ("Leopard", "White Hot", "Pink Gingham", "Black")),
            ("palma-high-leg-bottom", "Palma High-Leg Bottom", "WS147", ("Black", "Zinnia"))):
        for colour in colours:
            sku = f"{code}-{colour[:3].upper()}"
            for size in SIZES:
                qty = "0" if size == "XS" else "3"
                if not rows or rows[-1]["Handle"] != handle:
                    rows.append(product_row(handle, title, option_names=("Color", "Size"),
                                            values=(colour, size), sku=sku, price="88.00",
                                            qty=qty, type_="Swimwear", tags="BIKINI, BEACH"))
                else:
                    rows.append(variant_row(handle, values=(colour, size), sku=sku,
                                            price="88.00", qty=qty))
    return rows


OLD_COLUMNS = tuple(c for c in COLUMNS if c not in ("Status", "Product Category"))


def _candle(handle: str, title: str, sku: str, price: str, qty: str, tag: str
            ) -> dict[str, str]:
    return product_row(handle, title, option_names=("Title",), values=("Default Title",),
                       sku=sku, price=price, qty=qty, tags=tag, type_="Candles")


def _shared_skus() -> Rows:
    """Candles: the same SKU on two products; an old export with Published, no Status."""
    return [_candle("rose-pedals-blist", "Rose Pedals Blist", "PIN-SMA", "15.00", "55", "pink"),
            _candle("pumpkin-spice-candle", "Pumpkin Spice Candle", "PIN-SMA", "13.00", "60",
                    "pink"),
            _candle("black-magic", "Black Magic", "BLK-SMA", "10.00", "30", "black"),
            _candle("rituals-candle", "Rituals Candle", "BLK-SMA", "22.00", "50", "blue")
            | {"Published": "false"}]


def _untracked_inventory() -> Rows:
    """Home decor left untracked: an empty tracker, quantity 0 or empty."""
    return [
        _untracked(product_row("boho-tassel-pillow-cover", "Boho Tassel Pillow Cover",
                               option_names=("Color",), values=("Mustard",), sku="",
                               price="24.00", type_="Pillow Covers", tags="boho, decor")),
        _untracked(variant_row("boho-tassel-pillow-cover", values=("Rust",), sku="",
                               price="24.00")),
        _untracked(variant_row("boho-tassel-pillow-cover", values=("Cream",), sku="",
                               price="24.00")),
        product_row("macrame-wall-hanging", "Macrame Wall Hanging", option_names=("Title",),
                    values=("Default Title",), price="39.00", type_="Wall Decor")
        | {"Variant Inventory Tracker": "", "Variant Inventory Qty": ""},
    ]


NO_QUANTITY_COLUMNS = tuple(c for c in COLUMNS if c != "Variant Inventory Qty")


def _no_quantity_column() -> Rows:
    """Tracked by Shopify, but the export has no quantity column at all."""
    return [product_row("coral-reef-one-piece", "Coral Reef One-Piece",
                        option_names=("Size",), values=("S",), sku="CR-S", price="95.00",
                        type_="Swimwear"),
            variant_row("coral-reef-one-piece", values=("M",), sku="CR-M", price="95.00"),
            variant_row("coral-reef-one-piece", values=("L",), sku="CR-L", price="95.00")]


def _continue_policy() -> Rows:
    """Prints made to order: counted, at 0, still sold; one size truly sold out."""
    handle = "sunset-over-santorini-art-print"
    return [product_row(handle, "Sunset Over Santorini Art Print", option_names=("Size",),
                        values=("8x10",), sku="SS-810", price="30.00", qty="0",
                        policy="continue", type_="Art Prints"),
            variant_row(handle, values=("11x14",), sku="SS-1114", price="45.00", qty="2",
                        policy="continue"),
            variant_row(handle, values=("24x36",), sku="SS-2436", price="120.00", qty="0",
                        policy="deny")]


def _draft_archived() -> Rows:
    def one(handle: str, title: str, status: str) -> dict[str, str]:
        return product_row(handle, title, option_names=("Title",), values=("Default Title",),
                           sku=handle.upper(), price="19.00", type_="Mugs", status=status)
    return [one("speckled-stoneware-mug", "Speckled Stoneware Mug", "active"),
            one("enamel-camp-mug", "Enamel Camp Mug", "draft"),
            one("copper-moscow-mule-mug", "Copper Moscow Mule Mug", "archived"),
            one("ceramic-espresso-cup", "Ceramic Espresso Cup", "unlisted")]


def _image_rows() -> Rows:
    handle = "woven-seagrass-basket"
    return [product_row(handle, "Woven Seagrass Basket", option_names=("Size",),
                        values=("Small",), sku="WSB-S", price="32.00", type_="Baskets"),
            image_row(handle, 2), image_row(handle, 3),
            variant_row(handle, values=("Medium",), sku="WSB-M", price="38.00")
            | {"Image Src": f"https://cdn.example.com/{handle}-4.jpg", "Image Position": "4"},
            image_row(handle, 5),
            variant_row(handle, values=("Large",), sku="WSB-L", price="45.00"),
            image_row(handle, 6)]


LOCATION_COLUMNS = (*COLUMNS, "Inventory Available: Brooklyn Store",
                    "Inventory Available: Online Warehouse")


def _multi_location() -> Rows:
    """Pet toys stocked at two locations (per-location columns, as Matrixify writes them)."""
    handle = "squeaky-plush-hedgehog-dog-toy"
    here = "Inventory Available: Brooklyn Store"
    there = "Inventory Available: Online Warehouse"
    return [product_row(handle, "Squeaky Plush Hedgehog Dog Toy", option_names=("Size",),
                        values=("Small",), sku="HH-S", price="14.00", qty="7",
                        type_="Dog Toys") | {here: "2", there: "5"},
            variant_row(handle, values=("Medium",), sku="HH-M", price="16.00", qty="9")
            | {here: "not stocked", there: "9"},
            variant_row(handle, values=("Large",), sku="HH-L", price="18.00", qty="0")
            | {here: "0", there: "0"}]


def _three_options() -> Rows:
    """Jewellery with metal, chain length and finish."""
    handle = "herringbone-chain-necklace"
    rows: Rows = []
    for metal in ("Gold Vermeil", "Sterling Silver"):
        for length in ("16 inch", "18 inch", "20 inch"):
            for finish in ("Polished", "Matte"):
                values = (metal, length, finish)
                sku = "HB-" + "-".join(v.split()[0][:2].upper() for v in values)
                if rows:
                    rows.append(variant_row(handle, values=values, sku=sku, price="120.00"))
                else:
                    rows.append(product_row(handle, "Herringbone Chain Necklace",
                                            option_names=("Metal", "Chain Length", "Finish"),
                                            values=values, sku=sku, price="120.00",
                                            type_="Necklaces"))
    return rows


def _default_title() -> Rows:
    return [product_row("beeswax-wrap-set", "Beeswax Wrap Set", option_names=("Title",),
                        values=("Default Title",), sku="BW-3", price="18.00",
                        type_="Kitchen"),
            product_row("bamboo-dish-brush", "Bamboo Dish Brush", option_names=(),
                        values=(), sku="BDB-1", price="9.00", type_="Kitchen")]


HTML_BODY = (
    '<meta charset="utf-8"><style>.spec td{padding:4px}</style>'
    '<script type="text/javascript">var tracking = "<p>not text</p>";</script>'
    "<h2>Handmade Terracotta Planter &amp; Saucer</h2>"
    + "<p>Thrown by hand in small batches, &ldquo;breathable&rdquo; clay keeps roots "
      "healthy, so your plants thrive.</p>\n" * 300
    + '<table class="spec"><tr><th>Diameter</th><td>6&quot;</td></tr>'
      "<tr><th>Drainage</th><td>Yes, with cork plug</td></tr></table>"
      '<ul><li>Frost-proof</li><li>Food safe glaze</li></ul><iframe src="x"></iframe>')


def _html_bodies() -> Rows:
    return [product_row("terracotta-planter", "Terracotta Planter", option_names=("Size",),
                        values=('6"',), sku="TP-6", price="34.00", body=HTML_BODY,
                        type_="Planters")]


EXTRA_COLUMNS = (*COLUMNS, "Google Shopping / Google Product Category",
                 "Google Shopping / Gender", "Google Shopping / Condition",
                 "Fabric (product.metafields.shopify.fabric)",
                 "Color (product.metafields.shopify.color-pattern)",
                 "Care guide (product.metafields.custom.care_guide)",
                 "Included / United States", "Price / International",
                 "Compare At Price / International")


def _metafields_and_gift_card() -> Rows:
    apron = product_row("linen-chef-apron", "Linen Chef Apron", option_names=("Title",),
                        values=("Default Title",), sku="APR-1", price="42.00",
                        type_="Aprons") | {
        "Variant Compare At Price": "55.00", "Google Shopping / Gender": "unisex",
        "Google Shopping / Condition": "new",
        "Google Shopping / Google Product Category": "Apparel & Accessories > Clothing",
        "Fabric (product.metafields.shopify.fabric)": "Stonewashed linen",
        "Color (product.metafields.shopify.color-pattern)":
            "gid://shopify/Metaobject/123; Natural",
        "Care guide (product.metafields.custom.care_guide)": "Wash cold",
        "Included / United States": "true", "Price / International": "49.00"}
    card = {"Gift Card": "true", "Variant Inventory Tracker": "", "Variant Inventory Qty": "",
            "Variant Requires Shipping": "false"}
    return [apron,
            product_row("studio-gift-card", "Studio Gift Card", option_names=("Denomination",),
                        values=("$25.00",), sku="", price="25.00", type_="Gift Cards") | card,
            variant_row("studio-gift-card", values=("$50.00",), sku="", price="50.00") | card,
            variant_row("studio-gift-card", values=("$100.00",), sku="", price="100.00")
            | card]


def _current_headers() -> Rows:
    """Shopify's newer header names, a BOM, CRLF ends and newlines inside quoted HTML."""
    handle = "waxed-canvas-tote-bag"
    body = "<p>Waxed canvas,\r\nleather handles.</p>\r\n<p>Water resistant.</p>"
    return [product_row(handle, "Waxed Canvas Tote Bag", option_names=("Color",),
                        values=("Olive",), sku="WCT-OL", price="79.00", qty="3", body=body,
                        type_="Bags", policy="deny"),
            variant_row(handle, values=("Navy",), sku="WCT-NV", price="79.00", qty="0",
                        policy="continue"),
            image_row(handle, 2)]


def _bad_values() -> Rows:
    handle = "alpaca-beanie"
    good = product_row(handle, "Alpaca Beanie", option_names=("Color",), values=("Grey",),
                       sku="AB-GR", price="35.00", qty="6", type_="Hats")
    return [good,
            variant_row(handle, values=("Cream",), sku="AB-CR", price="twelve"),
            variant_row(handle, values=("Rust",), sku="AB-RU", price="35.00", qty="2.5"),
            variant_row(handle, values=("grey",), sku="AB-GR2", price="35.00", qty="1"),
            variant_row("ghost-mittens", values=("Black",), sku="GM-1", price="20.00"),
            variant_row(handle, values=("Navy",), sku="AB-NV", price="-35.00"),
            variant_row(handle, values=("Forest",), sku="AB-FO", price="35.00", qty="4")]


QUIRKS = (
    Quirk("long_handles", "handles and titles longer than 64 characters (Shopify allows "
          "255); one handle over 255", _long_handles, read=6, products=2, variants=4,
          skipped={"value too long": 2}, ask="women's organic cotton lounge trousers",
          ask_id=LONG_HANDLE),
    Quirk("per_colour_skus", "one SKU per colour shared by every size (swimwear)",
          _per_colour_skus, read=30, products=2, variants=30,
          ask="Riviera triangle bikini top", ask_id="riviera-triangle-bikini-top"),
    Quirk("shared_skus", "the same SKU on two products; no Status column (Published only)",
          _shared_skus, read=4, products=4, variants=4, not_for_sale=1,
          ask="pumpkin spice candle", ask_id="pumpkin-spice-candle", columns=OLD_COLUMNS),
    Quirk("untracked_inventory", "inventory not tracked (empty tracker): always available",
          _untracked_inventory, read=4, products=2, variants=4, untracked=4,
          ask="boho tassel pillow covers", ask_id="boho-tassel-pillow-cover"),
    Quirk("no_quantity_column", "tracked by Shopify, but no quantity column in the export",
          _no_quantity_column, read=3, products=1, variants=3, untracked=3,
          ask="coral reef one-piece", ask_id="coral-reef-one-piece",
          columns=NO_QUANTITY_COLUMNS),
    Quirk("continue_policy", "continue selling when out of stock", _continue_policy,
          read=3, products=1, variants=3, ask="sunset over santorini art print",
          ask_id="sunset-over-santorini-art-print"),
    Quirk("draft_archived", "draft, archived and unlisted products", _draft_archived,
          read=4, products=4, variants=4, not_for_sale=3, ask="enamel camp mug",
          ask_id="enamel-camp-mug", for_sale=False),
    Quirk("image_rows", "rows that hold only an extra image", _image_rows, read=7,
          products=1, variants=3, ask="woven seagrass basket", ask_id="woven-seagrass-basket"),
    Quirk("multi_location", "stock per location in columns of its own", _multi_location,
          read=3, products=1, variants=3, ask="squeaky plush hedgehog dog toy",
          ask_id="squeaky-plush-hedgehog-dog-toy", columns=LOCATION_COLUMNS),
    Quirk("three_options", "three options: metal, chain length, finish", _three_options,
          read=12, products=1, variants=12, ask="herringbone chain necklace",
          ask_id="herringbone-chain-necklace"),
    Quirk("default_title", "single-variant products (Title / Default Title, or no option)",
          _default_title, read=2, products=2, variants=2, ask="bamboo dish brush",
          ask_id="bamboo-dish-brush"),
    Quirk("html_bodies", "an HTML body of tens of KB with script, style and a table",
          _html_bodies, read=1, products=1, variants=1, ask="terracotta planter",
          ask_id="terracotta-planter"),
    Quirk("metafields_gift_card", "metafield, Google Shopping, market and compare-at "
          "columns; a gift card", _metafields_and_gift_card, read=4, products=2, variants=4,
          untracked=3, ask="linen chef apron", ask_id="linen-chef-apron",
          columns=EXTRA_COLUMNS),
    Quirk("current_headers", "the newer header names, a BOM, CRLF and quoted newlines",
          _current_headers, read=3, products=1, variants=2, ask="waxed canvas tote bag",
          ask_id="waxed-canvas-tote-bag", columns=CURRENT_COLUMNS, bom=True),
    Quirk("bad_values", "values that cannot be stored and a real duplicate", _bad_values,
          read=7, products=1, variants=2,
          skipped={"not a number": 2, "duplicate variant": 1, "no product": 1,
                   "negative price": 1}, ask="alpaca beanie", ask_id="alpaca-beanie"),
)
