"""Yandex AI Studio adapter: the OpenAI-compatible endpoint and the native Foundation Models API."""
