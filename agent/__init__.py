"""Tandem's conversation agent: a LangGraph state machine over commerce tools."""
