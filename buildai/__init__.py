"""Build AI from Zero: the shared toolkit behind every level of the course.

Everything that more than one level needs lives here once: the terminal UI
(`buildai.ui`), paths (`buildai.paths`), loading and checking text
(`buildai.data`), safe file I/O (`buildai.safe_io`), the character tokenizer
(`buildai.tokenizer`), the common step-script flags (`buildai.script`) and the
`buildai` command (`buildai.cli`).
"""

__version__ = "0.1.0"
