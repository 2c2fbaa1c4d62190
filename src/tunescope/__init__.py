"""tunescope: review, fix and fine-tune on chat-model training data from the terminal."""

__version__ = "0.1.0"
