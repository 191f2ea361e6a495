"""Conversions between LangChain, the package schema and the Gemini wire format."""
