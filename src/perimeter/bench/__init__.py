"""``perimeter bench``: a load generator and report for any OpenAI-compatible endpoint.

Modules, in the order a run uses them: :mod:`prompts` (what to send), :mod:`client` (one
streamed request, timed), :mod:`runner` (load profiles, warm-up/cool-down, stop conditions),
:mod:`metrics` (vLLM/GuideLLM-style summaries and goodput), :mod:`sweep` (finds saturation),
:mod:`results` (JSON on disk), :mod:`report` (self-contained HTML with inline SVG plots).
"""
