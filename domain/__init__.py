"""The commerce domain: the catalogue, stock, customers and orders as tables, and the database
they live in.  The bottom layer of Tandem: the agent, the API, the evals and the CLI build on
it, and it imports none of them (enforced by import-linter, see pyproject.toml)."""
