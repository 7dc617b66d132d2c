"""Builds the deterministic Ridgeline Outfitters demo store: catalogue, stock, customers, orders.

Everything is drawn from one `random.Random(seed)` in a fixed order, so the same seed and
`now` give the same rows byte for byte (tests and demos can name real ids).  The literal
product tables live in `demo_catalog`.
"""

from __future__ import annotations

import copy
import math
import random
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, SQLModel, delete

from agent.commerce import demo_catalog as cat
from agent.commerce.regions import region_for_postcode
from domain.tables import (
    ORDER_STATUSES,
    Customer,
    Location,
    Order,
    OrderItem,
    Product,
    StockLevel,
    Variant,
)

N_CUSTOMERS = 240
N_ORDERS = 560
N_REGULARS = 8
HISTORY_DAYS = 120
SOLD_OUT_SHARE = 0.06  # variants out of stock everywhere, beyond the two fixtures
REGULAR_CATEGORIES = ("trail running shoes", "hiking boots", "t-shirts", "base layers",
                      "rain jackets", "socks", "hiking pants", "fleece")
_SIZED_FOR_MEN = frozenset({"top", "top_sl", "bottom", "shoe", "shoe_half"})
_SIZE_CODES = {"One Size": "OS", "Regular": "REG", "Long": "LONG"}
# Status mix by order age in days: recent orders are still moving, old ones have arrived,
# and returns are only asked for within the 30-day window after delivery.
_STATUS_BY_AGE: tuple[tuple[int, dict[str, float]], ...] = (
    (1, {"pending": 6, "processed": 3, "cancelled": 1}),
    (3, {"processed": 4, "shipped": 5, "cancelled": 1}),
    (8, {"shipped": 6, "delivered": 3.5, "cancelled": 0.5}),
    (40, {"delivered": 80, "return_requested": 13, "cancelled": 7}),
    (HISTORY_DAYS + 1, {"delivered": 94, "cancelled": 6}),
)
# Deleted children first so foreign keys hold on PostgreSQL and SQLite alike.
_TABLES: tuple[type[SQLModel], ...] = (OrderItem, Order, StockLevel, Variant, Product,
                                        Location, Customer)


@dataclass(frozen=True)
class DemoStoreReport:
    products: int
    variants: int
    locations: int
    stock_levels: int
    customers: int
    orders: int
    order_items: int
    orders_by_status: dict[str, int] = field(default_factory=dict)
    out_of_stock_variants: int = 0
    regular_customer_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Shopper:
    customer: Customer
    line: str  # "mens" or "womens": which sized products they buy
    apparel: str
    shoe: float


def build_demo_store(session: Session, *, seed: int = 7,
                     now: datetime | None = None) -> DemoStoreReport:
    """Replace the catalogue, stock, customers and orders with the demo store.

    `now` (default: the current time; naive means UTC) anchors order dates.  Flushes but
    does not commit: the caller's transaction decides (`session_scope` commits).
    """
    rng = random.Random(seed)
    now = _as_utc(now or datetime.now(UTC)).replace(microsecond=0)
    for table in _TABLES:
        session.exec(delete(table))
    products, variants = _catalogue(rng)
    locations = [Location(id=i, name=n, kind=k, region=r, ship_days=d)
                 for i, n, k, r, d in cat.LOCATIONS]
    stock = _stock(rng, variants)
    shoppers = _shoppers(rng)
    orders, items, regulars = _orders(rng, now, shoppers, products, variants)
    # One flush per table in foreign-key order: the ORM only orders inserts by relationships,
    # and these tables declare none.
    for rows in (products, locations, variants, stock, [s.customer for s in shoppers],
                 orders, items):
        session.add_all(rows)
        session.flush()
    in_stock = {s.variant_id for s in stock if s.quantity > 0}
    return DemoStoreReport(
        products=len(products), variants=len(variants), locations=len(locations),
        stock_levels=len(stock), customers=len(shoppers), orders=len(orders),
        order_items=len(items),
        orders_by_status={s: sum(o.status == s for o in orders) for s in ORDER_STATUSES},
        out_of_stock_variants=sum(v.id not in in_stock for v in variants),
        regular_customer_ids=regulars,
    )


def _as_utc(moment: datetime) -> datetime:
    """Aware UTC: the timestamp columns reject naive datetimes, and naive means UTC here."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _catalogue(rng: random.Random) -> tuple[list[Product], list[Variant]]:
    products: list[Product] = []
    variants: list[Variant] = []
    for t in cat.PRODUCTS:
        pid = f"{cat.SKU_PREFIX}-{t.code}"
        # Retail prices end in 4 or 9 dollars; every variant of a product shares its price.
        dollars = [d for d in range(t.price_usd[0], t.price_usd[1] + 1) if d % 5 == 4]
        price = rng.choice(dollars or [t.price_usd[0]]) * 100
        sizes, chart = cat.SIZE_KINDS[t.kind]
        size_chart = copy.deepcopy(chart)
        if size_chart is not None and t.fit:
            size_chart["fit"] = t.fit
        products.append(Product(id=pid, name=t.name, category=t.category,
                                description=t.description, tags=t.tags, season=t.season,
                                size_chart=size_chart))
        for colour in t.colours:
            for size in sizes:
                vid = f"{pid}-{cat.COLOUR_CODES[colour]}"
                if size is not None:
                    vid += f"-{_SIZE_CODES.get(size, size)}"
                variants.append(Variant(id=vid, product_id=pid, size=size, color=colour,
                                        options={"size": size, "color": colour},
                                        price_cents=price))
    return products, variants


def _stock(rng: random.Random, variants: list[Variant]) -> list[StockLevel]:
    sold_out_pid = f"{cat.SKU_PREFIX}-{cat.SOLD_OUT_PRODUCT}"
    partly_pid = f"{cat.SKU_PREFIX}-{cat.PARTLY_SOLD_OUT}"
    partly = [v for v in variants if v.product_id == partly_pid and v.size == "M"]
    gone, kept = partly[0].id, partly[1].id  # M in the first colour gone, second stocked
    fixed = {v.id for v in variants if v.product_id == sold_out_pid} | {gone, kept}
    others = [v.id for v in variants if v.id not in fixed]
    sold_out = set(rng.sample(others, math.ceil(SOLD_OUT_SHARE * len(variants))))
    sold_out |= fixed - {kept}
    rows: list[StockLevel] = []
    for v in variants:
        levels: dict[str, int] = {}
        for loc_id, _name, kind, _region, _days in cat.LOCATIONS:
            carried = rng.random() < (0.9 if kind == "warehouse" else 0.65)
            if not carried:
                continue
            roll = rng.random()
            if kind == "warehouse":
                levels[loc_id] = 0 if roll < 0.1 else rng.randint(1, 3) if roll < 0.25 \
                    else rng.randint(4, 40)
            else:  # stores carry a few of each size, so many levels are low
                levels[loc_id] = 0 if roll < 0.15 else rng.randint(1, 3) if roll < 0.55 \
                    else rng.randint(4, 15)
        if v.id in sold_out:
            # A sold-out variant keeps zero rows where it was carried: the store knows it.
            levels = dict.fromkeys(levels, 0)
        elif v.id == kept:
            levels.update(PDX=max(levels.get("PDX", 0), 2), RNO=max(levels.get("RNO", 0), 6))
        elif not any(levels.values()):
            levels[rng.choice([loc[0] for loc in cat.LOCATIONS])] = rng.randint(1, 12)
        rows += [StockLevel(variant_id=v.id, location_id=loc, quantity=q)
                 for loc, q in sorted(levels.items())]
    return rows


def _shoppers(rng: random.Random) -> list[_Shopper]:
    pairs = rng.sample([(f, la) for f in cat.FIRST_NAMES for la in cat.LAST_NAMES], N_CUSTOMERS)
    prefixes, weights = zip(*cat.POSTCODE_PREFIXES, strict=True)
    taken: set[str] = set()
    shoppers: list[_Shopper] = []
    for i, (first, last) in enumerate(pairs):
        f, la = first.lower(), last.lower().replace("'", "")
        local = rng.choice([f"{f}.{la}", f"{f[0]}{la}", f"{f}{la}{rng.randint(1, 99)}",
                            f"{f}_{la}", f"{la}.{f}"])
        email = f"{local}@{rng.choice(['example.com', 'example.org'])}"
        while email in taken:  # a second Jane Smith gets a number, as mail providers do
            email = email.replace("@", str(rng.randint(0, 9)), 1)
        taken.add(email)
        postcode = rng.choices(prefixes, weights)[0] + f"{rng.randint(0, 99):02d}"
        line = rng.choice(["mens", "womens"])
        run = cat.APPAREL if line == "mens" else cat.WOMENS
        apparel = rng.choices(run, [1, 3, 5, 5, 3, 1][: len(run)])[0]
        shoe_run = cat.SHOE_HALF[:-1] if line == "mens" else cat.WOMENS_SHOE
        shoe = float(rng.choice(shoe_run[2:-2]))  # most feet sit mid-run
        customer = Customer(id=f"C{10001 + i}", email=email, name=f"{first} {last}",
                            postcode=postcode, region=region_for_postcode(postcode))
        shoppers.append(_Shopper(customer, line, apparel, shoe))
    return shoppers


def _size_for(shopper: _Shopper, sizes: tuple[str | None, ...], kind: str) -> str | None:
    """The size this shopper always buys in `sizes`, so their history reads consistently."""
    if len(sizes) == 1:
        return sizes[0]
    if kind == "bag":
        return "Long" if shopper.shoe >= 11.5 else "Regular"
    if kind == "socks":
        chart = cat.SIZE_KINDS["socks"][1] or {}
        # hi + 0.5 closes the gap between one band's top and the next band's bottom
        return next(s for s, (lo, hi) in chart["sizes"].items() if lo <= shopper.shoe <= hi + 0.5)
    if kind in ("shoe", "shoe_half", "w_shoe"):
        return min(sizes, key=lambda s: (abs(float(s or 0) - shopper.shoe), float(s or 0)))
    order = cat.APPAREL
    want = order.index(shopper.apparel)
    return min(sizes, key=lambda s: abs(order.index(s or "M") - want))


def _orders(rng: random.Random, now: datetime, shoppers: list[_Shopper],
            products: list[Product], variants: list[Variant]
            ) -> tuple[list[Order], list[OrderItem], tuple[str, ...]]:
    by_pid = {p.id: p for p in products}
    lookup = {(v.product_id, v.color, v.size): v for v in variants}
    templates = {f"{cat.SKU_PREFIX}-{t.code}": t for t in cat.PRODUCTS}

    def fits(shopper: _Shopper, pid: str) -> bool:
        """Women's-line shoppers buy women's cuts plus unisex gear; others skip women's cuts."""
        womens = templates[pid].code.startswith("W-")
        sized = templates[pid].kind in _SIZED_FOR_MEN
        return womens if shopper.line == "womens" and (sized or womens) else not womens

    def pick(shopper: _Shopper, pid: str) -> tuple[Variant, int]:
        t = templates[pid]
        size = _size_for(shopper, cat.SIZE_KINDS[t.kind][0], t.kind)
        qty = rng.randint(1, 3) if t.kind == "socks" else 2 if rng.random() < 0.08 else 1
        return lookup[(pid, rng.choice(t.colours), size)], qty

    plans: list[tuple[_Shopper, list[tuple[Variant, int]]]] = []
    regular_shoppers = rng.sample(shoppers, N_REGULARS)
    for shopper, category in zip(regular_shoppers, REGULAR_CATEGORIES, strict=True):
        pool = [p.id for p in products if p.category == category and fits(shopper, p.id)]
        for _ in range(rng.randint(5, 7)):
            plans.append((shopper, [pick(shopper, rng.choice(pool))]))
    activity = [rng.choice([0.3, 1, 1, 2, 3]) for _ in shoppers]
    while len(plans) < N_ORDERS:
        plans.append((rng.choices(shoppers, activity)[0], []))
    for shopper, lines in plans:
        chosen = {v.product_id for v, _ in lines}
        pool = [pid for pid in by_pid if fits(shopper, pid) and pid not in chosen]
        wanted = rng.choices([1, 2, 3, 4], [50, 30, 14, 6])[0]
        for pid in rng.sample(pool, wanted - len(lines)):
            lines.append(pick(shopper, pid))
    # A few orders land in the last three days so every in-flight status exists.
    ages = [rng.uniform(0, 1) if i < 8 else rng.uniform(1, 3) if i < 14
            else rng.uniform(0, HISTORY_DAYS) for i in range(len(plans))]
    rng.shuffle(ages)
    dated = sorted(((now - timedelta(seconds=int(a * 86400)), i) for i, a in enumerate(ages)))
    statuses = _statuses(rng, now, [created for created, _ in dated])

    orders: list[Order] = []
    items: list[OrderItem] = []
    for n, ((created, i), status) in enumerate(zip(dated, statuses, strict=True)):
        shopper, lines = plans[i]
        oid = f"#R{10001 + n}"
        order = Order(id=oid, customer_id=shopper.customer.id, status=status,
                      created_at=created, email=shopper.customer.email,
                      postcode=shopper.customer.postcode)
        if status in ("shipped", "delivered", "return_requested"):
            order.carrier = rng.choice(cat.CARRIERS)
            order.tracking_number = _tracking(rng, order.carrier)
        if status in ("pending", "processed", "shipped"):
            order.expected_delivery = now.date() + timedelta(days=rng.randint(1, 5))
        elif status != "cancelled":  # delivered or returned: the day it arrived
            arrived = created.date() + timedelta(days=rng.randint(2, 6))
            order.expected_delivery = min(arrived, now.date())
        for variant, qty in lines:
            items.append(OrderItem(order_id=oid, variant_id=variant.id, quantity=qty,
                                   product_name=by_pid[variant.product_id].name,
                                   price_cents=variant.price_cents or 0))
        order.total_cents = sum(it.price_cents * it.quantity for it in items[-len(lines):])
        orders.append(order)
    return orders, items, tuple(s.customer.id for s in regular_shoppers)


def _statuses(rng: random.Random, now: datetime, created: list[datetime]) -> list[str]:
    """Statuses for `created` (oldest first), dealt in exact proportions per age band so
    every status is present whatever the seed."""
    newest_first = sorted(created, reverse=True)
    dealt: list[str] = []
    start = 0
    for max_days, weights in _STATUS_BY_AGE:
        end = start
        while end < len(newest_first) and now - newest_first[end] < timedelta(days=max_days):
            end += 1
        dealt += _deal(rng, end - start, weights)
        start = end
    return dealt[::-1]


def _deal(rng: random.Random, n: int, weights: dict[str, float]) -> list[str]:
    total = sum(weights.values())
    shares = {s: n * w / total for s, w in weights.items()}
    counts = {s: int(v) for s, v in shares.items()}
    # Largest remainder: the leftover orders go to the statuses nearest their next whole one.
    for s in sorted(shares, key=lambda s: counts[s] - shares[s])[: n - sum(counts.values())]:
        counts[s] += 1
    dealt = [s for s, c in counts.items() for _ in range(c)]
    rng.shuffle(dealt)
    return dealt


def _tracking(rng: random.Random, carrier: str) -> str:
    if carrier == "UPS":
        alnum = string.ascii_uppercase + string.digits
        return "1Z" + "".join(rng.choices(alnum, k=6)) + "03" + "".join(rng.choices(
            string.digits, k=8))
    if carrier == "FedEx":
        return "".join(rng.choices(string.digits, k=12))
    return "9400" + "".join(rng.choices(string.digits, k=18))
