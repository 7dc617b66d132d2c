"""Commerce tools: catalogue search, inventory, orders, sizing and store data."""
