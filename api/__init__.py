"""Tandem's HTTP side: settings, database, models, routes, services and the CLI."""
