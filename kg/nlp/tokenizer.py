"""A spaCy tokenizer for Chinese that segments with jieba, whose dictionary ships in its package.

Every name in the curated lexicons is added to jieba's dictionary, so that known names come
out as single tokens and entity spans fall on token boundaries.
"""

from __future__ import annotations

import logging

import jieba
from spacy.tokens import Doc
from spacy.util import registry

from kg.lexicon import Lexicon

jieba.setLogLevel(logging.WARNING)


class JiebaTokenizer:
    def __init__(self, vocab, user_words: list[str]):
        self.vocab = vocab
        self.jieba = jieba.Tokenizer()
        for word in user_words:
            self.jieba.add_word(word, freq=50000)

    def __call__(self, text: str) -> Doc:
        words = [w for w in self.jieba.cut(text, HMM=True) if w]
        spaces = [False] * len(words)
        # jieba keeps whitespace as tokens; spaCy wants it as trailing space where possible
        out_words, out_spaces = [], []
        for word, space in zip(words, spaces):
            if word == " " and out_words and not out_spaces[-1]:
                out_spaces[-1] = True
                continue
            out_words.append(word)
            out_spaces.append(space)
        return Doc(self.vocab, words=out_words, spaces=out_spaces)

    # The tokenizer is built from config each time, never saved with weights.
    def to_bytes(self, **kwargs) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs) -> "JiebaTokenizer":
        return self

    def to_disk(self, path, **kwargs) -> None:
        pass

    def from_disk(self, path, **kwargs) -> "JiebaTokenizer":
        return self


@registry.tokenizers("ipkg.JiebaTokenizer.v1")
def create_jieba_tokenizer(with_lexicon: bool = True):
    def make(nlp):
        words = []
        if with_lexicon:
            words = [form for form, _ in Lexicon.load().surface_forms() if len(form) > 1]
        return JiebaTokenizer(nlp.vocab, words)

    return make
