"""The spaCy pipeline: ``blank("zh")`` + jieba + rule components, configured in ``pipeline.cfg``.

>>> nlp = load_pipeline()
>>> doc = nlp("4月27日，李强总理会见世界知识产权组织总干事邓鸿森。")
>>> [(e.type, e.anchor.text) for e in doc._.events]
[('Meeting', '4月27日')]
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.util import load_config, load_model_from_config

# importing registers the tokenizer and the component factories
from kg.nlp import entities, events, tokenizer  # noqa: F401

CONFIG_PATH = Path(__file__).with_name("pipeline.cfg")


@lru_cache(maxsize=1)
def load_pipeline() -> Language:
    """The configured pipeline; everything it needs is loaded from the repository."""
    return load_model_from_config(load_config(CONFIG_PATH), auto_fill=True)
