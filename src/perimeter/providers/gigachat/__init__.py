"""GigaChat (Sber) adapter: OAuth token exchange, the v1 chat dialect, embeddings, models."""
