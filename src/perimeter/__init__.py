"""Perimeter: a self-hosted hybrid LLM gateway.

Applications speak the OpenAI (or Anthropic) API to Perimeter; Perimeter finds sensitive
data, decides where each request may and should go (on-prem or cloud), calls the model,
restores pseudonymized values, and accounts and audits every request.
"""

__version__ = "0.1.0"
