"""Multiple-choice quizzes with immediate feedback, readable as plain text where widgets are not live."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import ipywidgets as widgets

RIGHT = "✔"
WRONG = "✘"


@dataclass(frozen=True)
class Question:
    """One multiple-choice question; `answer` is the index of the right option."""

    prompt: str
    options: tuple[str, ...]
    answer: int
    explanation: str
    hints: dict[int, str] = field(default_factory=dict)  # feedback for particular wrong options

    def __post_init__(self):
        if len(self.options) < 2:
            raise ValueError(f"a question needs at least 2 options, got {len(self.options)}: {self.prompt!r}")
        if len(set(self.options)) != len(self.options):
            raise ValueError(f"options must differ from each other: {self.options}")
        if not 0 <= self.answer < len(self.options):
            raise ValueError(f"answer must be an option index 0..{len(self.options) - 1}, got {self.answer}")
        for index in self.hints:
            if index == self.answer or not 0 <= index < len(self.options):
                raise ValueError(
                    f"hints are for wrong options 0..{len(self.options) - 1} other than {self.answer}, got {index}"
                )


def feedback(question: Question, choice: int) -> tuple[bool, str]:
    """Whether option `choice` is right, and what to tell the reader about it."""
    if not 0 <= choice < len(question.options):
        raise ValueError(f"choice must be an option index 0..{len(question.options) - 1}, got {choice}")
    if choice == question.answer:
        return True, f"{RIGHT} Right. {question.explanation}"
    hint = question.hints.get(choice, "Have another look at the section above.")
    return False, f"{WRONG} Not quite. {hint} Try another option."


class Quiz:
    """A quiz: one radio group per question, feedback as soon as an option is picked."""

    def __init__(self, title: str, questions: list[Question]):
        if not questions:
            raise ValueError("a quiz needs at least one question")
        self.title = title
        self.questions = list(questions)
        self.choices = [
            widgets.RadioButtons(options=list(q.options), value=None, layout=widgets.Layout(width="auto"))
            for q in self.questions
        ]
        self.feedback = [widgets.HTML() for _ in self.questions]
        self.score = widgets.HTML()
        for number, group in enumerate(self.choices):
            group.observe(lambda change, n=number: self.choose(n, change["owner"].index), names="value")
        parts = [widgets.HTML(f"<h3>{html.escape(title)}</h3>")]
        for number, question in enumerate(self.questions):
            parts += [
                widgets.HTML(f"<b>{number + 1}. {html.escape(question.prompt)}</b>"),
                self.choices[number],
                self.feedback[number],
            ]
        self.widget = widgets.VBox([*parts, self.score])
        self.widget.add_class("course-quiz")  # lets the browser tests find every quiz on the page
        self._update_score()

    def choose(self, number: int, choice: int | None) -> bool | None:
        """Record a pick for question `number` and show its feedback; None clears it."""
        if choice is None:
            self.feedback[number].value = ""
            self._update_score()
            return None
        correct, message = feedback(self.questions[number], choice)
        colour = "#009E73" if correct else "#D55E00"
        self.feedback[number].value = f"<span style='color: {colour}'>{html.escape(message)}</span>"
        self._update_score()
        return correct

    def correct_count(self) -> int:
        """How many questions currently have their right option picked."""
        return sum(group.index == q.answer for group, q in zip(self.choices, self.questions))

    def _update_score(self) -> None:
        self.score.value = f"<i>{self.correct_count()} of {len(self.questions)} right so far.</i>"

    def as_text(self) -> str:
        """The quiz as plain text, answers at the end, for places where widgets don't run."""
        lines = [self.title, ""]
        for number, question in enumerate(self.questions, 1):
            lines.append(f"{number}. {question.prompt}")
            lines += [f"   {chr(97 + i)}) {option}" for i, option in enumerate(question.options)]
        lines.append("")
        lines.append("Answers: " + "; ".join(f"{n}{chr(97 + q.answer)}" for n, q in enumerate(self.questions, 1)))
        return "\n".join(lines)

    def as_html(self) -> str:
        """The quiz as static HTML with each answer folded away in a <details> element."""
        parts = [f"<h3>{html.escape(self.title)}</h3>"]
        for number, question in enumerate(self.questions, 1):
            options = "".join(f"<li>{html.escape(option)}</li>" for option in question.options)
            parts.append(
                f"<p><b>{number}. {html.escape(question.prompt)}</b></p><ol type='a'>{options}</ol>"
                f"<details><summary>Answer</summary>({chr(97 + question.answer)}) "
                f"{html.escape(question.options[question.answer])}. {html.escape(question.explanation)}</details>"
            )
        return "\n".join(parts)

    def _repr_mimebundle_(self, **kwargs) -> dict:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = self.as_text()
        bundle["text/html"] = self.as_html()
        return bundle
