"""Experiments against a control: definitions, sticky assignment, outcome events, the
outcome metrics and their statistics (README, "Experiments").

- `definition`   the experiment file (YAML) or admin-API body, validated into a typed model
- `metrics`      the outcome metrics, defined once (what each counts, which way is better)
- tables in `api/models.py`: experiments, exposures, conversations' visitors, outcome events
- `assignment`   deterministic sticky assignment and exposures recorded once
- `events`       storefront outcome events, idempotent by event id
- `outcomes`     per-visitor, per-day outcome rows read from the database, with
                 `conversation_outcomes` (resolution, handoffs, human time per conversation)
- `stats`        estimates, lifts, intervals, p-values, SRM and sample sizes (scipy)
- `report`       one experiment's report, as the CLI, the admin API and the console show it
                 (`text_report` renders it for the terminal)
- `service`      start, stop, list
- `variants`     what an assistant variant changes in a turn (prompts, policies, model)
"""
