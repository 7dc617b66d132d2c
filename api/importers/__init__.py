"""Store importers: validate first, report on data quality, write in one transaction."""
