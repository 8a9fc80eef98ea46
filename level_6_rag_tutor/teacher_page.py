"""The teacher page: what the class asks, what the tutor could not answer, and what students thought of it.

Server-made HTML with every value escaped (a question is student-typed text, so it is shown, never run),
a bar chart drawn as SVG (no script needed), and a CSV export a spreadsheet opens.

>>> "&lt;b&gt;" in render_teacher_page({"questions": 1, "per_subject": [("<b>", 1)], "per_day": [],
...     "unanswered": [], "low_confidence": [], "guardrails": [], "helpful": 0, "not_helpful": 0})
True
"""

from __future__ import annotations

from html import escape
from typing import Any

from level_6_rag_tutor.knowledge_base import SUBJECTS

CSV_COLUMNS = ["asked_at", "subject", "lang", "question", "answer", "mode", "confidence", "guardrail", "feedback"]


def _label(subject: str) -> str:
    return SUBJECTS.get(subject, (subject.replace("_", " ").capitalize() or "Any", ""))[0]


def bar_chart_svg(counts: list[tuple[str, int]], width: int = 520, bar: int = 22) -> str:
    """Horizontal bars, one per (label, count), as an SVG picture."""
    if not counts:
        return "<p>No questions yet.</p>"
    biggest = max(count for _, count in counts) or 1
    height = bar * len(counts) + 10
    rows = []
    for index, (label, count) in enumerate(counts):
        y = 5 + index * bar
        length = int((width - 200) * count / biggest)
        rows.append(f'<text x="0" y="{y + 15}" font-size="13">{escape(label)}</text>'
                    f'<rect x="150" y="{y + 3}" width="{length}" height="{bar - 8}" fill="#0f766e"></rect>'
                    f'<text x="{156 + length}" y="{y + 15}" font-size="13">{count}</text>')
    return (f'<svg role="img" aria-label="questions per subject" viewBox="0 0 {width} {height}" '
            f'width="100%" xmlns="http://www.w3.org/2000/svg">{"".join(rows)}</svg>')


def _confidence(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _question_table(rows: list[dict[str, Any]], empty: str) -> str:
    if not rows:
        return f"<p>{escape(empty)}</p>"
    body = "".join(
        f"<tr><td>{escape(row['asked_at'].replace('T', ' ')[:16])}</td><td>{escape(_label(row['subject']))}</td>"
        f"<td>{escape(row['question'])}</td><td>{_confidence(row['confidence'])}</td></tr>"
        for row in reversed(rows))
    return f"<table><tr><th>asked (UTC)</th><th>subject</th><th>question</th><th>confidence</th></tr>{body}</table>"


def render_teacher_page(summary: dict[str, Any]) -> str:
    rated = summary["helpful"] + summary["not_helpful"]
    helpful = f"{100 * summary['helpful'] / rated:.0f}% helpful ({summary['helpful']} of {rated} ratings)" if rated else "no ratings yet"
    per_day = "".join(f"<tr><td>{escape(day)}</td><td>{count}</td></tr>" for day, count in summary["per_day"])
    guardrails = ", ".join(f"{escape(name.replace('_', ' '))}: {count}" for name, count in summary["guardrails"]) or "none"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Teacher page - AI tutor</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/static/teacher.css"></head>
<body><main>
<h1>Teacher page</h1>
<p class="summary"><strong>{summary['questions']}</strong> questions asked. Feedback: {helpful}.
Safety replies: {guardrails}. <a href="/teacher/export.csv">Download everything as CSV</a></p>
<h2>Questions per subject</h2>
{bar_chart_svg([(_label(subject), count) for subject, count in summary['per_subject']])}
<h2>Questions per day</h2>
<table><tr><th>day (UTC)</th><th>questions</th></tr>{per_day}</table>
<h2>Not answered from the notes</h2>
<p>The tutor said "I am not sure" (or the answer never finished): topics your notes may be missing.</p>
{_question_table(summary['unanswered'], 'None - every question found a matching note.')}
<h2>Answered with low confidence</h2>
<p>Only some of the question's key words were in the best note: worth checking.</p>
{_question_table(summary['low_confidence'], 'None.')}
</main></body></html>"""


def _cell(value: Any) -> str:
    """A spreadsheet runs a cell starting with = + - @ as a formula: a leading ' keeps student text as text."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_rows(rows: list[dict[str, Any]]) -> list[list[str]]:
    """The header, then one row per question.

    >>> csv_rows([{"asked_at": "t", "subject": "maths", "lang": "en", "question": "=1+1", "answer": "2",
    ...            "mode": "notes", "confidence": 1.0, "guardrail": "", "feedback": None}])[1][3]
    "'=1+1"
    """
    return [CSV_COLUMNS] + [[_cell(row[column]) for column in CSV_COLUMNS] for row in rows]
