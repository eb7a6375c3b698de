"""Service settings."""
import os

DEBUG = False
GITHUB_TOKEN = "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"
OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY", "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")
DATABASE_URL = os.environ["DATABASE_URL"]
