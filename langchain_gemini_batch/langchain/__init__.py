"""The LangChain side of the package (internal modules).

Message, tool and output conversion, the batch and online paths of `ChatGeminiBatch`, call
options and structured output. The public classes live in `langchain_gemini_batch.chat_models`
(as in langchain-google-genai); import them from the package root.
"""
