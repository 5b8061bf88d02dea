"""``perimeter tco``: what self-hosting costs against a cloud API, and where they break even.

:mod:`model` is the arithmetic (pure functions of dataclasses), :mod:`scenario` turns YAML
files and command-line options into a model (GPU defaults from ``gpus.yaml``, API list prices
from the accounting price table), :mod:`ledger` reads real traffic from the gateway's ledger,
:mod:`plot` draws monthly cost vs volume.
"""
