"""A user's script, run as a separate process by the crash tests.

    python -m tests.durable.client BASE_URL JOURNAL N [--file] [--chain]

Runs N prompts through `invoker.batch.invoke` (or `chain.abatch` with `--chain`) against the
emulator at BASE_URL with the job journal JOURNAL, and prints one JSON object: request ID to
answer text.
"""

from __future__ import annotations

import argparse
import asyncio
import json

from langchain_gemini_batch import BatchLimits, ChatGeminiBatch, GoogleLMInvoker, PollingPolicy

MODEL = "gemini-2.5-flash"
KEY = "crash-test-key"


async def run(args: argparse.Namespace) -> dict[str, str]:
    limits = BatchLimits(
        inline_max_bytes=0 if args.file else 4_000_000, max_requests_per_job=args.per_job
    )
    prompts = {f"q{i}": f"Question {i}" for i in range(args.n)}
    if args.chain:
        model = ChatGeminiBatch(
            model=MODEL,
            api_key=KEY,
            base_url=args.base_url,
            batch_poll_interval=0.05,
            batch_poll_max_interval=0.2,
            batch_inline_max_bytes=limits.inline_max_bytes,
        )
        messages = await model.abatch(list(prompts.values()))
        return {key: str(m.content) for key, m in zip(prompts, messages, strict=True)}
    invoker = GoogleLMInvoker(
        MODEL, KEY, base_url=args.base_url, journal=args.journal, batch_limits=limits
    )
    results = await invoker.batch.invoke(prompts, polling=PollingPolicy(0.05, 0.2))
    return {key: getattr(result, "text", repr(result)) for key, result in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("journal")
    parser.add_argument("n", type=int)
    parser.add_argument("--file", action="store_true")
    parser.add_argument("--chain", action="store_true")
    parser.add_argument("--per-job", type=int, default=None, help="max_requests_per_job")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()
