"""`python -m langchain_gemini_batch.cli ...` is `gemini-batch ...`."""

from langchain_gemini_batch.cli import main

main()
