"""A user's indexing script, run as a separate process by the kill tests.

    python -m tests.embeddings.client BASE_URL JOURNAL N [--per-job K]

Embeds N texts with `GeminiBatchEmbeddings.embed_documents` against the emulator at BASE_URL
with the job journal JOURNAL, and prints the vectors as one JSON list.
"""

from __future__ import annotations

import argparse
import json

from langchain_gemini_batch.embeddings import GeminiBatchEmbeddings

KEY = "crash-test-key"


def corpus(n: int) -> list[str]:
    return [f"Indexed passage {i}." for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("journal")
    parser.add_argument("n", type=int)
    parser.add_argument("--per-job", type=int, default=None)
    args = parser.parse_args()
    embeddings = GeminiBatchEmbeddings(
        api_key=KEY,
        base_url=args.base_url,
        journal=args.journal,
        output_dimensionality=8,
        batch_poll_interval=0.05,
        batch_poll_max_interval=0.2,
        batch_max_requests_per_job=args.per_job,
    )
    print(json.dumps(embeddings.embed_documents(corpus(args.n))))


if __name__ == "__main__":
    main()
