"""Personal-data handling inside the agent: redaction before logs and hosted models."""
