"""Datasets: target distributions with their networks, real samples and evaluation.

One module per dataset family (``mixtures``, ``dirac``, ``images``); each registers its
datasets with ``@register``. ``image_sources`` reads image files or TFDS, and
``evaluators`` trains the classifiers whose features image metrics use.
"""

from benches.datasets.base import FAMILIES, Dataset
from benches.datasets.registry import available, get, names, register

__all__ = ["FAMILIES", "Dataset", "available", "get", "names", "register"]
