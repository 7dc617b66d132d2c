"""Graph nodes, one job each: route, discover, size, order_status, handoff, respond."""
