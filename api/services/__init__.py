"""Business operations behind the routes: conversations, turns, handoffs."""
