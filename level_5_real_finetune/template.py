"""The prompt template: how a question and its answer are written as one text for the model.

It is kept here, in one place, because training, chatting and evaluating must all use exactly the same
layout: a model fine-tuned on "Question: ...\\nAnswer: ..." answers best when asked in that same layout.

>>> prompt = format_prompt("Why is the sky blue?")
>>> prompt
'Question: Why is the sky blue?\\nAnswer:'
>>> prompt + format_answer("Air scatters blue light the most.")
'Question: Why is the sky blue?\\nAnswer: Air scatters blue light the most.\\n'
>>> format_prompt("Why is the sky blue?", "teacher")
'A student asks: Why is the sky blue?\\nThe teacher explains:'
"""

from __future__ import annotations

from buildai.errors import UserError

# Each template has a place for the question; the answer follows after one space and ends with a newline.
# "plain" is the default. The others exist for the exercise that compares templates (solutions.md).
TEMPLATES = {
    "plain": "Question: {question}\nAnswer:",
    "teacher": "A student asks: {question}\nThe teacher explains:",
    "bare": "{question}\n",
}
DEFAULT_TEMPLATE = "plain"
END_OF_ANSWER = "\n"  # the model learns to finish an answer with a newline; generation stops there
QUESTION_MARKERS = ("Question:", "A student asks:")  # if the model starts a new question, the answer is over


def check_template(name: str) -> str:
    if name not in TEMPLATES:
        raise UserError(f"There is no prompt template called '{name}'. Choose one of: {', '.join(TEMPLATES)}.")
    return name


def format_prompt(question: str, template: str = DEFAULT_TEMPLATE) -> str:
    """The text the model sees before it answers."""
    return TEMPLATES[check_template(template)].format(question=" ".join(question.split()))


def format_answer(answer: str) -> str:
    """The text the model learns to write after the prompt: a space, the answer, the end marker."""
    return " " + " ".join(answer.split()) + END_OF_ANSWER
