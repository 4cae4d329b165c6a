"""zhiben (治本): deadline tracker for the Liaocheng 2024–2026 治本攻坚三年行动 plans."""

__version__ = "0.1.0"
