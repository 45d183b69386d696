"""watcher: monitors Meta's privacy, generative-AI and help pages per region."""

__version__ = "0.1.0"
