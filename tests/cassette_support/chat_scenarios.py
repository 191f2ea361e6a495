"""Cassette scenarios for `chain.abatch` through `ChatGeminiBatch`."""

from __future__ import annotations

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from pydantic import BaseModel, Field

from langchain_gemini_batch import ChatGeminiBatch
from tests.cassette_support.scenarios import MODEL, Context

TOPICS = ["tides", "volcanoes", "comets", "glaciers", "auroras"]


def chat_model(ctx: Context) -> ChatGeminiBatch:
    return ChatGeminiBatch(
        model=MODEL,
        api_key=ctx.api_key,
        base_url=ctx.base_url,
        temperature=0.0,
        max_retries=0,
        batch_poll_interval=ctx.polling.initial_interval,
        batch_poll_max_interval=ctx.polling.max_interval,
        batch_display_name="cassette-chain",
    )


async def chain_text(ctx: Context) -> None:
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Answer in one sentence."), ("human", "Explain {topic} to a child.")]
    )
    chain = prompt | chat_model(ctx) | StrOutputParser()
    answers = await chain.abatch([{"topic": t} for t in TOPICS])
    assert len(answers) == len(TOPICS)
    for topic, answer in zip(TOPICS, answers, strict=True):
        if ctx.emulated:
            assert answer == f"Echo: Explain {topic} to a child."
        else:
            assert answer.strip()


def get_weather(city: str) -> str:
    """Get the current weather in a city.

    Args:
        city: The city's name.
    """
    return f"sunny in {city}"


async def chain_tools(ctx: Context) -> None:
    model = chat_model(ctx).bind_tools([get_weather], tool_choice="any")
    cities = ["Paris", "Lima", "Oslo"]
    messages = await model.abatch([f"What is the weather in {c}?" for c in cities])
    for message in messages:
        assert isinstance(message, AIMessage)
        (call,) = message.tool_calls
        assert call["name"] == "get_weather"
        assert isinstance(call["args"]["city"], str)
        assert message.response_metadata["batch_job"].startswith("batches/")


class Person(BaseModel):
    """A person mentioned in the text."""

    name: str = Field(description="The person's name")
    age: int = Field(description="The person's age in years")


async def chain_structured(ctx: Context) -> None:
    model = chat_model(ctx).with_structured_output(Person)
    texts: list[LanguageModelInput] = ["Ada is 36.", "Alan is 41.", "Grace is 85."]
    people = await model.abatch(texts)
    assert len(people) == len(texts)
    assert all(isinstance(p, Person) for p in people)
