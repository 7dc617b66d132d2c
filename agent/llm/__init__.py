"""LLM providers: embedded, ollama, openai and scripted."""
