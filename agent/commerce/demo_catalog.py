"""Literal tables for the Ridgeline Outfitters demo store (written for Tandem, not copied).

`demo_store.build_demo_store` turns these templates into rows.  Colours are limited to the
words `agent.commerce.query` recognises, so a shopper asking for "the green one" can match.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STORE_NAME = "Ridgeline Outfitters"
SKU_PREFIX = "RO"


@dataclass(frozen=True)
class ProductTemplate:
    code: str  # product id is f"{SKU_PREFIX}-{code}"
    name: str
    category: str
    season: str  # winter, summer or all
    price_usd: tuple[int, int]  # the whole-dollar range a price is drawn from
    kind: str  # key of SIZE_KINDS
    colours: tuple[str, ...]
    fit: str  # "runs small", "true to size", "runs large" or "" (no advice)
    tags: str
    description: str


P = ProductTemplate

COLOUR_CODES = {
    "Black": "BLK", "White": "WHT", "Grey": "GRY", "Blue": "BLU", "Navy": "NVY", "Red": "RED",
    "Green": "GRN", "Olive": "OLV", "Yellow": "YEL", "Orange": "ORG", "Purple": "PUR",
    "Pink": "PNK", "Brown": "BRN", "Tan": "TAN", "Beige": "BEI", "Teal": "TEL",
    "Charcoal": "CHR", "Khaki": "KHA",
}


def _half_sizes(low: float, high: float) -> tuple[str, ...]:
    """US shoe sizes in half steps; sizes above 12 come in whole sizes only, as in most runs."""
    sizes: list[str] = []
    size = low
    while size <= high:
        if size <= 12 or size == int(size):
            sizes.append(f"{size:g}")
        size += 0.5
    return tuple(sizes)


def _shoe_chart(sizes: tuple[str, ...], base_size: float, base_cm: float) -> dict[str, Any]:
    """Foot length in cm per size: one US size is ~1 cm, so each size covers the cm up to the
    next smaller size's top (ranges never overlap and never leave a gap)."""
    chart: dict[str, list[float]] = {}
    previous: float | None = None
    for size in sizes:
        high = base_cm + (float(size) - base_size)
        first_step = 0.4 if any("." in s for s in sizes) else 0.9
        low = high - first_step if previous is None else previous + 0.1
        chart[size] = [round(low, 1), round(high, 1)]
        previous = high
    return {"unit": "cm", "measure": "foot length", "sizes": chart}


APPAREL = ("XS", "S", "M", "L", "XL", "XXL")
WOMENS = ("XS", "S", "M", "L", "XL")
SHOE_HALF = _half_sizes(7, 13)
SHOE_WHOLE = tuple(str(n) for n in range(7, 14))
WOMENS_SHOE = _half_sizes(6, 11)

# kind -> (size run, size chart or None).  A size of None means the product has no size.
SIZE_KINDS: dict[str, tuple[tuple[str | None, ...], dict[str, Any] | None]] = {
    "top": (APPAREL, {"unit": "in", "measure": "chest", "sizes": {
        "XS": [32, 34], "S": [35, 37], "M": [38, 40], "L": [41, 44], "XL": [45, 48],
        "XXL": [49, 52]}}),
    "top_sl": (APPAREL[1:5], {"unit": "in", "measure": "chest", "sizes": {
        "S": [35, 37], "M": [38, 40], "L": [41, 44], "XL": [45, 48]}}),
    "bottom": (APPAREL, {"unit": "in", "measure": "waist", "sizes": {
        "XS": [27, 28], "S": [29, 31], "M": [32, 34], "L": [35, 37], "XL": [38, 40],
        "XXL": [41, 44]}}),
    "w_top": (WOMENS, {"unit": "in", "measure": "bust", "sizes": {
        "XS": [31, 32], "S": [33, 34], "M": [35, 36], "L": [37, 39], "XL": [40, 42]}}),
    "w_bottom": (WOMENS, {"unit": "in", "measure": "waist", "sizes": {
        "XS": [24, 25], "S": [26, 27], "M": [28, 29], "L": [30, 32], "XL": [33, 35]}}),
    "shoe_half": (SHOE_HALF, _shoe_chart(SHOE_HALF, 9, 27.0)),
    "shoe": (SHOE_WHOLE, _shoe_chart(SHOE_WHOLE, 9, 27.0)),
    "w_shoe": (WOMENS_SHOE, _shoe_chart(WOMENS_SHOE, 8, 25.0)),
    "socks": (("S", "M", "L", "XL"), {"unit": "US shoe size", "measure": "shoe size", "sizes": {
        "S": [4, 6.5], "M": [7, 9.5], "L": [10, 12.5], "XL": [13, 15]}}),
    "gloves": (("S", "M", "L", "XL"), {"unit": "in", "measure": "hand circumference",
                                      "sizes": {"S": [7, 7.5], "M": [8, 8.5], "L": [9, 9.5],
                                                "XL": [10, 10.5]}}),
    "bag": (("Regular", "Long"), {"unit": "in", "measure": "height", "sizes": {
        "Regular": [0, 72], "Long": [73, 78]}}),
    "one": (("One Size",), None),
    "gear": ((None,), None),
}

_WP = "waterproof rain hiking jacket shell breathable"
PRODUCTS: tuple[ProductTemplate, ...] = (
    # --- rain jackets: some waterproof hiking jackets under $200, some above
    P("CASC-JKT", "Cascade Waterproof Rain Jacket", "rain jackets", "all", (129, 159), "top",
      ("Blue", "Green", "Black"), "true to size", f"{_WP} packable travel camping gift",
      "A 2.5-layer waterproof, breathable shell with fully taped seams and an adjustable hood. "
      "Packs into its own chest pocket for day hikes and city downpours."),
    P("DRIZ-JKT", "Drizzle Packable Rain Jacket", "rain jackets", "all", (89, 99), "top",
      ("Yellow", "Navy", "Red"), "runs small", f"{_WP} packable lightweight travel budget",
      "A featherweight waterproof jacket that stuffs into a fist-sized pouch. "
      "Cut close to the body, so size up if you layer a fleece underneath."),
    P("ALPN-JKT", "Alpenglow Waterproof Hiking Jacket", "rain jackets", "all", (219, 239), "top",
      ("Red", "Charcoal"), "true to size", f"{_WP} backpacking trekking pit-zips",
      "A 3-layer waterproof, breathable hiking jacket with pit zips for venting on climbs "
      "and a stiffened brim that keeps rain off your glasses."),
    P("SUMM-SHL", "Summit Pro 3L Shell Jacket", "rain jackets", "all", (279, 299), "top",
      ("Orange", "Black"), "true to size", f"{_WP} alpine mountaineering storm ski",
      "Our toughest storm shell: 3-layer waterproof fabric, reinforced shoulders for pack "
      "straps and a helmet-compatible hood."),
    P("W-STRM-JKT", "Women's Stormline Rain Jacket", "rain jackets", "all", (149, 179), "w_top",
      ("Teal", "Purple", "Black"), "true to size", f"{_WP} womens commuting travel",
      "A women's-cut waterproof, breathable rain jacket with a longer hem and a hood that "
      "rolls away into the collar."),
    P("TORR-ANO", "Torrent Waterproof Anorak", "rain jackets", "all", (119, 139), "top_sl",
      ("Olive", "Tan"), "runs large", f"{_WP} pullover anorak festival",
      "A half-zip waterproof pullover with a roomy kangaroo pocket. Generously cut; "
      "size down for a trim fit."),
    # --- insulated, fleece and softshell jackets
    P("EMBR-DWN", "Ember 800 Down Jacket", "insulated jackets", "winter", (229, 259), "top",
      ("Black", "Navy", "Orange"), "runs small", "jacket down puffer insulated warm packable "
      "winter camping gift", "800-fill responsibly sourced down in a water-resistant shell. "
      "Warm to well below freezing and packs into its own pocket."),
    P("FLUX-INS", "Flux Synthetic Insulated Jacket", "insulated jackets", "winter", (169, 189),
      "top", ("Green", "Black"), "true to size", "jacket insulated synthetic puffer warm "
      "hiking climbing wet", "Synthetic insulation that keeps you warm even when damp, "
      "with a stretchy, breathable shell for high-output days."),
    P("W-HALO-PKA", "Women's Halo Down Parka", "insulated jackets", "winter", (279, 319),
      "w_top", ("Black", "White"), "true to size", "parka down insulated long warm winter "
      "city womens coat", "A thigh-length 650-fill down parka with a faux-fur-free hood "
      "and fleece-lined hand pockets for the coldest commutes."),
    P("TUND-VST", "Tundra Down Vest", "insulated jackets", "winter", (129, 149), "top_sl",
      ("Navy", "Olive"), "true to size", "vest gilet down insulated layering warm packable",
      "A light down vest that keeps your core warm under a shell or over a fleece."),
    P("BASN-FLC", "Basin Grid Fleece Quarter-Zip", "fleece", "all", (69, 79), "top",
      ("Grey", "Blue", "Orange"), "true to size", "fleece midlayer pullover warm breathable "
      "hiking layering", "A grid-backed fleece that traps warmth yet breathes on the "
      "climb; quarter zip and thumb loops."),
    P("CMPF-FLC", "Campfire Sherpa Fleece Jacket", "fleece", "winter", (89, 109), "top",
      ("Beige", "Green"), "runs large", "fleece sherpa jacket cozy warm camping casual gift",
      "A cosy high-pile sherpa fleece with a full zip and chest pocket. Relaxed cut."),
    P("W-ASPN-FLC", "Women's Aspen Full-Zip Fleece", "fleece", "all", (79, 89), "w_top",
      ("Purple", "Charcoal"), "true to size", "fleece jacket womens midlayer warm hiking",
      "A soft, stretchy 200-weight fleece jacket for cool mornings on the trail."),
    P("SCRM-SFT", "Scramble Softshell Jacket", "softshell jackets", "all", (139, 159), "top",
      ("Black", "Blue"), "true to size", "softshell jacket windproof stretch water-resistant "
      "climbing hiking", "A windproof, four-way-stretch softshell with a water-repellent "
      "finish for climbing and blustery ridge walks."),
    # --- footwear
    P("TRLH-BT", "Trailhead 2 Hiking Boot", "hiking boots", "all", (149, 169), "shoe_half",
      ("Brown", "Grey"), "true to size", "boots hiking waterproof backpacking trail mid "
      "ankle support", "A waterproof, breathable mid hiking boot with a grippy lug outsole "
      "and a cushioned midsole that needs almost no break-in."),
    P("RIDG-MID", "Ridgeback Mid Waterproof Boot", "hiking boots", "all", (179, 199),
      "shoe_half", ("Black", "Tan"), "runs small", "boots hiking waterproof mid leather "
      "backpacking", "Nubuck leather and a waterproof membrane on a stable shank for heavy "
      "loads. Snug toe box; most hikers go up half a size."),
    P("W-TRLH-BT", "Women's Trailhead 2 Hiking Boot", "hiking boots", "all", (149, 169),
      "w_shoe", ("Tan", "Green"), "true to size", "boots hiking waterproof womens trail mid",
      "The Trailhead 2 on a women's last: waterproof, breathable and light underfoot."),
    P("BKCT-BT", "Backcountry Leather Backpacking Boot", "hiking boots", "all", (249, 279),
      "shoe", ("Brown",), "runs large", "boots leather backpacking mountaineering waterproof "
      "resoleable", "A full-grain leather boot built to be resoled, with a waterproof liner "
      "and a rigid sole for multi-day loads. Roomy; consider half a size down."),
    P("SWTC-LOW", "Switchback Low Hiking Shoe", "hiking boots", "summer", (119, 129),
      "shoe_half", ("Grey", "Olive"), "true to size", "hiking shoes low breathable trail "
      "travel summer", "A breathable low-cut hiking shoe with a sticky rubber outsole."),
    P("FLNT-TR", "Flint Trail Runner", "trail running shoes", "all", (129, 139), "shoe_half",
      ("Black", "Orange", "Blue"), "true to size", "trail running shoes runner cushioned "
      "grippy", "A cushioned trail runner with 5 mm lugs and a rock plate for technical "
      "singletrack."),
    P("VELO-TR", "Velocity Ultra Trail Shoe", "trail running shoes", "all", (159, 169), "shoe",
      ("Yellow", "Black"), "runs small", "trail running shoes ultra marathon cushioned "
      "lightweight", "Max cushioning for long days on the trail; a narrow, race-day fit."),
    P("W-FLNT-TR", "Women's Flint Trail Runner", "trail running shoes", "all", (129, 139),
      "w_shoe", ("Pink", "Grey"), "true to size", "trail running shoes womens runner "
      "cushioned", "The Flint trail runner on a women's last with a softer midsole."),
    P("MUDL-WP", "Mudlark Waterproof Trail Runner", "trail running shoes", "winter", (149, 159),
      "shoe_half", ("Charcoal",), "true to size", "trail running shoes waterproof winter "
      "mud rain", "A waterproof trail runner with an aggressive outsole for mud and slush."),
    P("RVER-SDL", "River Sport Sandal", "sandals", "summer", (59, 69), "shoe",
      ("Black", "Navy"), "true to size", "sandals water river hiking summer beach camping",
      "An adjustable strap sandal with a quick-drying footbed for river crossings."),
    P("SLCK-FLP", "Slickrock Recovery Flip-Flop", "sandals", "summer", (29, 35), "shoe",
      ("Black", "Teal"), "runs large", "sandals flip-flops recovery beach summer",
      "A thick, soft recovery flip-flop for after the run or the summit."),
    P("W-RVER-SDL", "Women's River Sport Sandal", "sandals", "summer", (59, 69), "w_shoe",
      ("Beige", "Pink"), "true to size", "sandals womens water river hiking summer beach",
      "The River sandal on a women's last, with a padded heel strap."),
    # --- base layers, tees, shorts, pants
    P("MERN-150", "Merino 150 Base Layer Crew", "base layers", "winter", (69, 79), "top",
      ("Black", "Grey", "Navy"), "true to size", "base layer merino wool thermal warm "
      "odor-resistant ski hiking", "Lightweight merino wool that regulates temperature and "
      "resists odour over several days of wear."),
    P("MERN-250B", "Merino 250 Base Layer Bottoms", "base layers", "winter", (79, 89),
      "bottom", ("Black", "Charcoal"), "true to size", "base layer merino leggings long "
      "underwear thermal warm ski", "Midweight merino leggings for cold days on skis or "
      "in camp."),
    P("THRM-GRD", "Thermal Grid Base Layer Top", "base layers", "winter", (39, 45), "top",
      ("Black", "Blue"), "runs small", "base layer thermal synthetic quick-dry warm running",
      "A quick-drying synthetic grid fabric that wicks sweat on cold runs."),
    P("W-MERN-150", "Women's Merino 150 Base Layer Crew", "base layers", "winter", (69, 79),
      "w_top", ("Black", "Pink"), "true to size", "base layer merino womens thermal warm ski",
      "A women's-cut lightweight merino crew for layering or wearing alone."),
    P("TRMX-TEE", "Trail Mix Organic Cotton Tee", "t-shirts", "summer", (28, 32), "top",
      ("White", "Black", "Grey", "Green"), "runs large", "t-shirt tee cotton organic casual "
      "gift", "A soft organic cotton tee with a small mountain logo. Relaxed fit."),
    P("QKDR-TEE", "Quick-Dry Hiking Tee", "t-shirts", "summer", (35, 39), "top",
      ("Blue", "Grey", "Orange"), "true to size", "t-shirt tee quick-dry wicking hiking "
      "running breathable", "A wicking, quick-dry tee with flatlock seams for hot hikes."),
    P("W-SUNR-TEE", "Women's Sunrise Merino Tee", "t-shirts", "all", (55, 65), "w_top",
      ("White", "Green", "Black"), "true to size", "t-shirt tee merino wool womens travel "
      "odor-resistant", "A merino tee that stays fresh for days on the road."),
    P("SUN-HDY", "Sunbreak UPF 50 Sun Hoodie", "t-shirts", "summer", (49, 59), "top",
      ("Blue", "Beige"), "true to size", "sun hoodie upf sun protection fishing hiking "
      "summer", "A lightweight hooded shirt with UPF 50 sun protection and thumb loops."),
    P("TRAV-SHT", "Traverse 9\" Hiking Shorts", "shorts", "summer", (54, 64), "bottom",
      ("Khaki", "Olive", "Black"), "true to size", "shorts hiking stretch quick-dry summer",
      "Stretch nylon hiking shorts with a zip thigh pocket and a water-repellent finish."),
    P("STRD-SHT", "Stride 5\" Running Shorts", "shorts", "summer", (39, 45), "bottom",
      ("Black", "Blue"), "true to size", "shorts running lined lightweight summer gym",
      "Lined running shorts with a back zip pocket for keys and gels."),
    P("W-TRAV-SHT", "Women's Traverse Hiking Shorts", "shorts", "summer", (54, 64), "w_bottom",
      ("Khaki", "Navy"), "true to size", "shorts hiking womens stretch quick-dry summer",
      "Women's stretch hiking shorts with a 5\" inseam and a secure phone pocket."),
    P("SUMM-PNT", "Summit Stretch Hiking Pants", "hiking pants", "all", (79, 89), "bottom",
      ("Khaki", "Charcoal", "Olive"), "runs small", "pants trousers hiking stretch travel "
      "climbing", "Durable stretch pants with articulated knees. Slim through the seat; "
      "size up if between sizes."),
    P("CONV-PNT", "Convertible Zip-Off Pants", "hiking pants", "summer", (69, 79), "bottom",
      ("Khaki", "Grey"), "true to size", "pants convertible zip-off shorts hiking travel "
      "summer", "Zip-off legs turn these quick-dry pants into shorts at the trailhead."),
    P("W-SUMM-PNT", "Women's Summit Stretch Hiking Pants", "hiking pants", "all", (79, 89),
      "w_bottom", ("Black", "Khaki"), "true to size", "pants hiking womens stretch travel",
      "Women's stretch hiking pants with a contoured waistband and zip pockets."),
    P("CASC-PNT", "Cascade Waterproof Rain Pants", "rain pants", "all", (89, 109), "bottom",
      ("Black",), "true to size", "rain pants waterproof overtrousers hiking breathable",
      "Waterproof, breathable rain pants with full-length side zips to pull on over boots."),
    P("DRIZ-PNT", "Drizzle Packable Rain Pants", "rain pants", "all", (59, 69), "bottom",
      ("Black", "Navy"), "runs small", "rain pants waterproof packable lightweight travel",
      "Featherweight waterproof pants that pack into their own pocket."),
    # --- socks, hats and gloves
    P("MERN-SCK", "Merino Hiker Crew Socks", "socks", "all", (22, 24), "socks",
      ("Grey", "Brown", "Blue"), "", "socks merino wool hiking cushioned gift warm",
      "Cushioned merino hiking socks that wick moisture and resist blisters."),
    P("LITE-SCK", "Ultralight Running Socks 3-Pack", "socks", "all", (24, 26), "socks",
      ("White", "Black"), "", "socks running lightweight no-show breathable",
      "Three pairs of thin, breathable no-show socks for running."),
    P("SKI-SCK", "Merino Ski Socks", "socks", "winter", (26, 29), "socks",
      ("Red", "Black"), "", "socks ski snowboard merino warm winter gift",
      "Over-the-calf merino ski socks with shin padding."),
    P("MERN-BEA", "Ridgeline Merino Beanie", "hats & gloves", "winter", (29, 32), "one",
      ("Black", "Red", "Grey"), "", "hat beanie merino warm winter ski gift",
      "A rib-knit merino beanie that is warm without itching."),
    P("SUN-HAT", "Wide-Brim Sun Hat", "hats & gloves", "summer", (34, 39), "one",
      ("Khaki", "Olive"), "", "hat sun upf brim hiking fishing summer",
      "A UPF 50 wide-brim hat with a chin cord and a mesh vent."),
    P("INSL-GLV", "Insulated Waterproof Gloves", "hats & gloves", "winter", (49, 59),
      "gloves", ("Black",), "runs small", "gloves waterproof insulated warm ski winter",
      "Waterproof, insulated gloves with a leather palm for ski days and snow shovelling."),
    P("LINR-GLV", "Touchscreen Liner Gloves", "hats & gloves", "winter", (19, 24), "gloves",
      ("Black", "Grey"), "true to size", "gloves liner touchscreen lightweight warm running",
      "Thin stretch liner gloves that work with phone screens."),
    # --- packs, tents, sleeping bags, kitchen, light
    P("SUMM-28", "Summit 28L Daypack", "backpacks", "all", (99, 119), "gear",
      ("Blue", "Black", "Green"), "", "backpack daypack hiking hydration rain-cover travel",
      "A 28-litre daypack with a ventilated back panel, hydration sleeve and rain cover."),
    P("EXPD-65", "Expedition 65L Backpacking Pack", "backpacks", "all", (249, 279), "gear",
      ("Red", "Grey"), "", "backpack backpacking multi-day trekking adjustable",
      "An adjustable-torso 65-litre pack that carries heavy loads comfortably for days."),
    P("TRAL-18", "Trail 18L Hydration Pack", "backpacks", "summer", (79, 89), "gear",
      ("Black", "Orange"), "", "backpack hydration running biking lightweight",
      "A light 18-litre pack with a 2-litre reservoir for long runs and rides."),
    P("BASE-2P", "Basecamp 2 Backpacking Tent", "tents", "all", (249, 299), "gear",
      ("Green",), "", "tent backpacking 2-person camping lightweight waterproof",
      "A freestanding two-person tent with two doors and a fully taped waterproof fly."),
    P("FAML-4P", "Family Dome 4 Tent", "tents", "summer", (299, 349), "gear",
      ("Orange",), "", "tent family camping 4-person car camping",
      "A roomy four-person dome with a vestibule for boots and gear."),
    P("FTHR-1P", "Featherlite 1 Ultralight Tent", "tents", "all", (349, 399), "gear",
      ("Grey",), "", "tent ultralight 1-person backpacking thru-hike",
      "A 900 g one-person shelter pitched with trekking poles."),
    P("ALPN-15", "Alpine 15F Down Sleeping Bag", "sleeping bags", "winter", (299, 339), "bag",
      ("Blue",), "", "sleeping bag down warm winter backpacking 15 degree",
      "A 650-fill down mummy bag rated to 15F with a draft collar. Regular or long."),
    P("SMBR-40", "Summer Breeze 40F Sleeping Bag", "sleeping bags", "summer", (89, 109), "bag",
      ("Green",), "", "sleeping bag synthetic summer camping lightweight 40 degree",
      "A light synthetic bag for warm summer nights; zips open into a quilt."),
    P("JETS-STV", "Jetstream Canister Stove", "camp kitchen", "all", (49, 59), "gear",
      ("Grey",), "", "stove camping backpacking cooking canister",
      "A compact canister stove that boils a litre in about four minutes."),
    P("TITN-POT", "Titanium 750 ml Pot", "camp kitchen", "all", (39, 45), "gear",
      ("Grey",), "", "cookware pot titanium ultralight camping backpacking",
      "An ultralight titanium pot with a lid; a fuel canister nests inside."),
    P("CAMP-CKS", "Camp Cookset 4-Piece", "camp kitchen", "all", (69, 79), "gear",
      ("Grey",), "", "cookware cookset pots pans camping car camping",
      "Two pots, a frying pan and a lid in hard-anodised aluminium that nest together."),
    P("BEAM-400", "Beam 400 Rechargeable Headlamp", "headlamps", "all", (44, 49), "gear",
      ("Black", "Orange"), "", "headlamp light rechargeable usb camping running",
      "A 400-lumen USB-C rechargeable headlamp with a red night mode."),
    P("TRGL-250", "Trailglow 250 Headlamp", "headlamps", "all", (24, 29), "gear",
      ("Blue", "Red"), "", "headlamp light batteries camping budget gift",
      "A 250-lumen headlamp on AAA batteries; a reliable spare for every pack."),
    # --- ski and snow
    P("POWD-SKI", "Powder Day Insulated Ski Jacket", "ski jackets", "winter", (299, 349),
      "top", ("Black", "Red", "Blue"), "true to size", "ski jacket snowboard insulated "
      "waterproof warm winter", "A waterproof, insulated ski jacket with a powder skirt, "
      "pass pocket and pit zips."),
    P("W-POWD-SKI", "Women's Powder Day Ski Jacket", "ski jackets", "winter", (299, 349),
      "w_top", ("White", "Teal"), "true to size", "ski jacket womens snowboard insulated "
      "waterproof warm", "A women's-cut insulated, waterproof ski jacket with a powder skirt."),
    P("GLDE-SHL", "Glade 3L Ski Shell Jacket", "ski jackets", "winter", (399, 449), "top",
      ("Orange", "Black"), "runs large", "ski jacket shell backcountry waterproof touring",
      "A burly 3-layer shell for backcountry touring; roomy enough for a puffy underneath."),
    P("POWD-PNT", "Powder Day Insulated Ski Pants", "ski pants", "winter", (199, 229),
      "bottom", ("Black", "Navy"), "runs small", "ski pants snowboard insulated waterproof "
      "warm winter", "Insulated, waterproof ski pants with boot gaiters and thigh vents."),
    P("W-POWD-PNT", "Women's Powder Day Ski Pants", "ski pants", "winter", (199, 229),
      "w_bottom", ("Black",), "true to size", "ski pants womens snowboard insulated "
      "waterproof", "Women's insulated, waterproof ski pants with a stretch waistband."),
    P("VSTA-GOG", "Vista Ski Goggles", "goggles", "winter", (89, 119), "one",
      ("Black", "White"), "", "goggles ski snowboard anti-fog helmet-compatible gift",
      "Anti-fog spherical goggles with a magnetic quick-swap low-light lens."),
    # --- swimwear
    P("TIDE-BRD", "Tidepool Board Shorts", "swimwear", "summer", (49, 59), "bottom",
      ("Navy", "Pink", "Teal"), "true to size", "swim board shorts swimwear beach surf "
      "summer", "Quick-dry stretch board shorts with a secure key pocket."),
    P("W-COVE-SWM", "Women's Cove One-Piece Swimsuit", "swimwear", "summer", (79, 89),
      "w_top", ("Black", "Blue"), "runs small", "swimsuit swimwear one-piece womens beach "
      "swim", "A supportive one-piece with chlorine-resistant fabric. Runs small."),
    P("RASH-GRD", "Sunbreak UPF 50 Rash Guard", "swimwear", "summer", (45, 49), "top",
      ("White", "Navy"), "true to size", "rash guard swim surf sun protection upf summer",
      "A long-sleeve UPF 50 rash guard for surfing, paddling and snorkelling."),
)

# The product that is out of stock everywhere, and the jacket whose size M is gone in its
# first colour but stocked in its second: fixtures the agent's "sold out" paths rely on.
SOLD_OUT_PRODUCT = "FTHR-1P"
PARTLY_SOLD_OUT = "CASC-JKT"

# id, name, kind, region, ship_days
LOCATIONS: tuple[tuple[str, str, str, str, int], ...] = (
    ("PDX", "Portland store", "store", "US-West", 1),
    ("DEN", "Denver store", "store", "US-Mountain", 2),
    ("BKN", "Brooklyn store", "store", "US-East", 2),
    ("RNO", "Reno warehouse", "warehouse", "US-West", 3),
)

# Three-digit ZIP prefixes with a weight; the region follows the first digit
# (see regions.region_for_postcode).  West is heavier: the shop is Portland-born.
POSTCODE_PREFIXES: tuple[tuple[str, int], ...] = (
    ("972", 9), ("970", 4), ("981", 7), ("980", 3), ("941", 5), ("945", 3), ("900", 5),
    ("921", 3), ("895", 2), ("802", 7), ("803", 3), ("841", 4), ("850", 3), ("837", 2),
    ("112", 5), ("100", 4), ("021", 4), ("191", 3), ("200", 3), ("056", 2), ("303", 4),
    ("331", 2), ("372", 3), ("787", 4), ("770", 3), ("752", 3), ("282", 2),
)

FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Carlos", "Karen", "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Sandra", "Mark", "Ashley",
    "Paul", "Emily", "Steven", "Michelle", "Andrew", "Amanda", "Joshua", "Melissa", "Kevin",
    "Stephanie", "Brian", "Rebecca", "Wei", "Laura", "Priya", "Hannah", "Diego", "Olivia", "Kenji",
    "Sofia", "Omar", "Grace", "Mateo", "Chloe", "Noah", "Aisha", "Liam", "Maya", "Ethan", "Zoe",
    "Lucas", "Ava",
)
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
    "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera",
    "Campbell", "Mitchell", "Carter", "Roberts", "Chen", "Patel", "Kim", "O'Brien", "Nakamura",
    "Okafor", "Larsen", "Schmidt", "Rossi", "Novak",
)

CARRIERS = ("UPS", "FedEx", "USPS")
