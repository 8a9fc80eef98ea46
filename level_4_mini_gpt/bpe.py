"""Byte-level byte-pair encoding (BPE): the kind of tokenizer GPT-2 uses, built from nothing.

Our GPT reads one character at a time. Real models read *tokens*: common pieces of words such as
" the", "ing" or "ion", so the same text costs far fewer steps. Byte-pair encoding finds those
pieces by itself, by counting:

1. Write the text as UTF-8 bytes. Every text in every language is then a list of numbers 0-255,
   so there is never an "unknown character" (an English letter is 1 byte, a Devanagari letter 3).
2. Cut the text into chunks -- words, numbers, punctuation, spaces -- with a regular expression
   (`SPLIT_PATTERN`), so a token never glues the end of one word to the start of the next.
3. Count every pair of neighbouring tokens inside the chunks. The most frequent pair becomes a new
   token (id 256, then 257, ...), and every place it occurs is rewritten with the new id.
4. Repeat until the vocabulary has the size you asked for. The list of merges, in the order they
   were learned, *is* the tokenizer.

Encoding a new text replays the merges: in each chunk, the earliest-learned pair present is joined
first, again and again, until no learned pair is left. Decoding glues the tokens' bytes together.

>>> tok = BPETokenizer.train("low lower lowest low low", vocab_size=256 + 3 + 1)
>>> [show_token(tok.token_bytes(256 + i)) for i in range(3)]
['lo', 'low', '␣low']
>>> tok.encode(" lowland")
[258, 108, 97, 110, 100]
>>> tok.decode(tok.encode("नमस्ते, lower!"))
'नमस्ते, lower!'
>>> tok.encode("<|endoftext|>", allow_special=True)
[259]

Ties: when two pairs are equally frequent, the one with the smaller ids wins (compare the first
ids, then the second), so training gives the same merges on every computer and every run.
`to_huggingface` exports the result as a Hugging Face `PreTrainedTokenizerFast`; the tests check
that the real library splits every text into exactly the same ids as this file does.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import regex  # like `re`, but knows Unicode categories such as \p{L} (letters); transformers needs it too

from buildai.errors import UserError
from buildai.safe_io import read_json, write_json

# GPT-2's split, with one change: \p{M} (marks) counts as part of a word. Devanagari writes vowel signs
# and the virama as marks (the ि and ् of "हिन्दी"); GPT-2's pattern would cut a Hindi word at every one.
# Pieces: English endings ('s 't 're 've 'm 'll 'd), a word with an optional space before it, a
# number, a run of punctuation, and spaces (a run of spaces leaves its last one to the next word).
SPLIT_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?[\p{L}\p{M}]+| ?\p{N}+| ?[^\s\p{L}\p{M}\p{N}]+|\s+(?!\S)|\s+"""
END_OF_TEXT = "<|endoftext|>"
BYTES = 256  # ids 0-255 are the bytes themselves; learned tokens start at 256
FORMAT = "buildai-bpe"
FORMAT_VERSION = 1
CACHE_LIMIT = 100_000  # chunks remembered by encode(); past this the memory is cleared and refilled

_SPLITTER = regex.compile(SPLIT_PATTERN)
_LOOSE_BYTES = regex.compile("[\udc80-\udcff]+")  # bytes that are not whole characters (see show_token)

Pair = tuple[int, int]
Progress = Callable[[int, int], None]  # called as progress(merges done, merges wanted)


def split_chunks(text: str) -> list[str]:
    """Cut text into the chunks BPE works inside. Joined together they are the text again.

    >>> split_chunks("The cat's 12 mangoes!!  हिन्दी")
    ['The', ' cat', "'s", ' 12', ' mangoes', '!!', ' ', ' हिन्दी']
    """
    return _SPLITTER.findall(text)


def merge_pair(ids: Sequence[int], pair: Pair, new_id: int) -> list[int]:
    """Replace every occurrence of `pair` in `ids` (left to right, not overlapping) with `new_id`.

    >>> merge_pair([97, 97, 97, 98], (97, 97), 256)
    [256, 97, 98]
    """
    merged: list[int] = []
    i = 0
    while i < len(ids):
        if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            merged.append(new_id)
            i += 2
        else:
            merged.append(ids[i])
            i += 1
    return merged


def show_token(data: bytes) -> str:
    """A token's bytes as a learner can read them: whole UTF-8 characters as text, other bytes in hex.

    >>> show_token(b" the"), show_token(b"\\n"), show_token("कि".encode()[:5])
    ('␣the', '\\\\n', 'क<e0 a4>')
    """
    # A Devanagari letter is 3 bytes and a token may hold only some of them. "surrogateescape" turns
    # each such byte into a stand-in character (U+DC80 + byte) that we then write as hex.
    text = data.decode("utf-8", errors="surrogateescape")
    text = text.replace(" ", "␣").replace("\n", "\\n").replace("\t", "\\t")
    return _LOOSE_BYTES.sub(lambda found: "<" + " ".join(f"{ord(ch) - 0xDC00:02x}" for ch in found.group()) + ">", text)


def _split_special(text: str, specials: Iterable[str]) -> list[tuple[str, bool]]:
    """Text -> [(piece, is_special)], cutting out every special token's text."""
    names = sorted(specials, key=len, reverse=True)  # the longest first, if one contains another
    if not names:
        return [(text, False)]
    pattern = regex.compile("(" + "|".join(regex.escape(name) for name in names) + ")")
    return [(piece, index % 2 == 1) for index, piece in enumerate(pattern.split(text)) if piece]


def _utf8(chunk: str) -> bytes:
    try:
        return chunk.encode("utf-8")
    except UnicodeEncodeError:  # a lone half of a surrogate pair, e.g. from a broken copy-paste
        raise UserError(f"The text contains {chunk!r}, which is not a real character (half of a UTF-16 pair), "
                        f"so it has no UTF-8 bytes. Remove it and try again.") from None


class BPETokenizer:
    """Learned merges plus special tokens: text <-> ids.

    `merges[i]` is the pair that became token `256 + i`. Special tokens come after the learned ones.
    It offers the same small interface as the character tokenizer (`kind`, `vocab_size`, `encode`
    with `skip_unknown`, `decode`, `unknown_chars`, `in`), so train.py, generate.py and chat.py can
    use either one.
    """

    kind = "bpe"  # the character tokenizer's counterpart is "char" (see tokenizers_choice.py)

    def __init__(self, merges: Sequence[Pair], special_tokens: Sequence[str] = (END_OF_TEXT,)):
        self.merges: list[Pair] = [(int(a), int(b)) for a, b in merges]
        self.ranks: dict[Pair, int] = {pair: BYTES + i for i, pair in enumerate(self.merges)}  # pair -> its new id
        self.vocab: list[bytes] = [bytes([byte]) for byte in range(BYTES)]
        for a, b in self.merges:
            self.vocab.append(self.vocab[a] + self.vocab[b])
        if len(set(special_tokens)) != len(special_tokens) or not all(special_tokens):
            raise UserError(f"Special tokens must be different from each other and not empty: {list(special_tokens)}.")
        first_special = len(self.vocab)
        self.special_tokens: dict[str, int] = {name: first_special + i for i, name in enumerate(special_tokens)}
        self._special_names = {index: name for name, index in self.special_tokens.items()}
        self._cache: dict[str, list[int]] = {}
        self.pairs_examined = 0  # work done by encode (see _encode_chunk): tests check it grows linearly

    # ----------------------------------------------------------------------------- training

    @classmethod
    def train(cls, text: str, vocab_size: int, special_tokens: Sequence[str] = (END_OF_TEXT,),
              progress: Progress | None = None) -> "BPETokenizer":
        """Learn `vocab_size - 256 - len(special_tokens)` merges from `text`.

        Training stops early if no pair occurs twice any more (a short text runs out of repeats).
        """
        smallest = BYTES + len(special_tokens)
        if vocab_size < smallest:
            raise UserError(f"The vocabulary size must be at least {smallest}: 256 byte tokens plus "
                            f"{len(special_tokens)} special token(s). You asked for {vocab_size}.")
        # Special tokens are never learned from: cut them out of the text before counting.
        plain = [piece for piece, special in _split_special(text, special_tokens) if not special]
        words = Counter(chunk for piece in plain for chunk in split_chunks(piece))
        if not words:
            raise UserError("The text to train the tokenizer on is empty. Give it some text (a few paragraphs at least).")
        merges = _learn_merges(words, vocab_size - smallest, progress)
        return cls(merges, special_tokens)

    # ----------------------------------------------------------------------------- encoding

    def encode(self, text: str, allow_special: bool = False, skip_unknown: bool = False) -> list[int]:
        """Text -> ids. Special tokens' text becomes their one id only with `allow_special=True`;
        otherwise it is ordinary text (so a story that mentions "<|endoftext|>" cannot end itself).
        Every real character has UTF-8 bytes, so nothing is unknown; `skip_unknown=True` drops what has
        none (half of a UTF-16 pair, see unknown_chars) instead of stopping with a message.

        >>> tok = BPETokenizer([])
        >>> tok.encode("hi"), tok.encode("<|endoftext|>", allow_special=True)
        ([104, 105], [256])
        >>> tok.encode("h\\udc80i", skip_unknown=True)
        [104, 105]
        """
        if skip_unknown:
            text = "".join(ch for ch in text if ch in self)
        if not allow_special:
            return self._encode_plain(text)
        ids: list[int] = []
        for piece, special in _split_special(text, self.special_tokens):
            ids.extend([self.special_tokens[piece]] if special else self._encode_plain(piece))
        return ids

    def __contains__(self, character: str) -> bool:
        """Can this character be written in bytes? Every real one can: 'क' and '😊' are in, a lone half of a
        UTF-16 pair (which a broken copy-paste can leave in a text) is not."""
        return not "\ud800" <= character <= "\udfff"

    def unknown_chars(self, text: str) -> list[str]:
        """Characters of `text` this tokenizer cannot write, each once (only halves of UTF-16 pairs).

        >>> BPETokenizer([]).unknown_chars("नमस्ते 😊"), BPETokenizer([]).unknown_chars("a\\udc80")
        ([], ['\\udc80'])
        """
        return list(dict.fromkeys(ch for ch in text if ch not in self))

    def _encode_plain(self, text: str) -> list[int]:
        ids: list[int] = []
        for chunk in split_chunks(text):
            cached = self._cache.get(chunk)
            if cached is None:
                if len(self._cache) >= CACHE_LIMIT:
                    self._cache.clear()
                cached = self._cache[chunk] = self._encode_chunk(_utf8(chunk))
            ids.extend(cached)
        return ids

    def _encode_chunk(self, data: bytes) -> list[int]:
        """Replay the merges on one chunk: join the earliest-learned pair present, until none is left.

        Each round joins every occurrence of one merge, and a merge never comes back once done (a new
        token's pairs were always learned later than the token), so a chunk takes at most one round
        per learned merge: the work grows with the chunk's length, not with its square.
        """
        ids = list(data)
        while len(ids) >= 2:
            self.pairs_examined += len(ids) - 1
            best = min(zip(ids, ids[1:]), key=lambda pair: self.ranks.get(pair, 1 << 62))
            if best not in self.ranks:
                break
            ids = merge_pair(ids, best, self.ranks[best])
        return ids

    def decode(self, ids: Iterable[int]) -> str:
        """Ids -> text. Bytes that are only part of a character (possible if you cut a list of ids
        in the middle) become the replacement character '�' instead of an error."""
        return b"".join(self.token_bytes(index) for index in ids).decode("utf-8", errors="replace")

    def token_bytes(self, index: int) -> bytes:
        """The bytes one id stands for (a special token: its name, as UTF-8)."""
        if 0 <= index < len(self.vocab):
            return self.vocab[index]
        if index in self._special_names:
            return self._special_names[index].encode("utf-8")
        raise UserError(f"Token id {index} is not in this tokenizer's vocabulary (ids 0 to {self.vocab_size - 1}).")

    @property
    def vocab_size(self) -> int:
        return len(self.vocab) + len(self.special_tokens)

    # ----------------------------------------------------------------------------- saving

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "version": FORMAT_VERSION, "pattern": SPLIT_PATTERN,
                "merges": [list(pair) for pair in self.merges], "special_tokens": list(self.special_tokens)}

    @classmethod
    def from_dict(cls, data: Any, where: str = "The saved tokenizer") -> "BPETokenizer":
        """Check everything a file could get wrong before trusting it."""
        damaged = f"{where} is damaged or is not a BPE tokenizer saved by bpe.py"
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise UserError(f"{damaged}. Train and save it again (python bpe_step.py).")
        if data.get("version") != FORMAT_VERSION or data.get("pattern") != SPLIT_PATTERN:
            raise UserError(f"{where} was saved by a different version of bpe.py. Train and save it again.")
        merges, specials = data.get("merges"), data.get("special_tokens")
        if not isinstance(merges, list) or not isinstance(specials, list) or not all(isinstance(s, str) and s for s in specials):
            raise UserError(f"{damaged} (its merges or special tokens are missing). Train and save it again.")
        for i, pair in enumerate(merges):
            # A merge may only join tokens that already existed when it was learned.
            if not (isinstance(pair, list) and len(pair) == 2 and all(type(x) is int and 0 <= x < BYTES + i for x in pair)):
                raise UserError(f"{damaged} (merge number {i + 1} is {pair!r}). Train and save it again.")
        return cls([tuple(pair) for pair in merges], specials)

    def save(self, path: str | Path) -> Path:
        """Save as JSON (plain numbers and strings: opening it can never run code)."""
        return write_json(path, self.to_dict())

    @classmethod
    def load(cls, path: str | Path) -> "BPETokenizer":
        return cls.from_dict(read_json(path, "BPE tokenizer", "Make one with: python bpe_step.py"), f"The file '{path}'")

    # ----------------------------------------------------------------------------- Hugging Face

    def to_huggingface(self, path: str | Path | None = None) -> Any:
        """The same tokenizer as a Hugging Face `PreTrainedTokenizerFast` (saved to `path` if given).

        The `tokenizers` library stores byte-level tokens as text: each byte becomes one printable
        character (see `byte_to_char`), so ' the' is stored as 'Ġthe'. Its pipeline: our split pattern
        (`Split`), then bytes -> characters (`ByteLevel` without its own regex), then the merges (`BPE`).
        """
        from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers
        from transformers import PreTrainedTokenizerFast

        as_chars = byte_to_char()

        def spelled(index: int) -> str:
            return "".join(as_chars[byte] for byte in self.vocab[index])

        vocab = {spelled(index): index for index in range(len(self.vocab))}
        if len(vocab) != len(self.vocab):  # training never makes two tokens with the same bytes; a file could
            raise UserError("This tokenizer has two tokens with the same bytes, so it cannot be exported.")
        merges = [(spelled(a), spelled(b)) for a, b in self.merges]
        engine = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token=None, fuse_unk=False, byte_fallback=False))
        engine.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(SPLIT_PATTERN), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ])
        engine.decoder = decoders.ByteLevel()
        engine.add_special_tokens([AddedToken(name, special=True, normalized=False) for name in self.special_tokens])
        wrapped = PreTrainedTokenizerFast(
            tokenizer_object=engine, clean_up_tokenization_spaces=False, model_max_length=10**9,
            eos_token=END_OF_TEXT if END_OF_TEXT in self.special_tokens else None,
        )
        if path is not None:
            wrapped.save_pretrained(str(path))
        return wrapped


def byte_to_char() -> dict[int, str]:
    """GPT-2's table from each byte to one printable character, so tokens can be stored as text.

    Bytes that are already visible characters ('!' to '~', '¡' to '¬', '®' to 'ÿ') stand for
    themselves; the others (space, newline, control bytes ...) borrow characters from 256 upwards,
    in order. That is why a space shows up as 'Ġ' (character 288) in GPT-2's vocabulary.

    >>> table = byte_to_char()
    >>> table[ord("a")], table[ord(" ")], table[ord("\\n")], len(set(table.values()))
    ('a', 'Ġ', 'Ċ', 256)
    """
    visible = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    table = {byte: chr(byte) for byte in visible}
    borrowed = 0
    for byte in range(BYTES):
        if byte not in table:
            table[byte] = chr(BYTES + borrowed)
            borrowed += 1
    return table


def _learn_merges(words: Counter[str], wanted: int, progress: Progress | None) -> list[Pair]:
    """The heart of training: find the most frequent pair, merge it, repeat `wanted` times.

    Recounting every pair after each merge would repeat almost the same work hundreds of times, so
    we keep the counts and, after a merge, update only the chunks that contained the merged pair.
    Each distinct chunk is stored once with how often it occurs, so a repeated text costs no more.
    """
    chunks = [list(word.encode("utf-8")) for word in words]
    weights = list(words.values())
    counts: Counter[Pair] = Counter()
    where: defaultdict[Pair, set[int]] = defaultdict(set)  # pair -> chunks that (may) contain it
    for index, ids in enumerate(chunks):
        for pair in zip(ids, ids[1:]):  # overlapping pairs count too: "aaa" has the pair "aa" twice
            counts[pair] += weights[index]
            where[pair].add(index)
    known = {bytes([byte]) for byte in range(BYTES)}
    spelled = [bytes([byte]) for byte in range(BYTES)]  # id -> bytes, to keep every token's bytes unique
    forbidden: set[Pair] = set()  # pairs whose bytes another token already has (see below)
    merges: list[Pair] = []
    while len(merges) < wanted and counts:
        # The most frequent pair; on a tie, the smallest ids (-a, -b: max picks the smallest a, then b).
        pair = max(counts, key=lambda p: (counts[p], -p[0], -p[1]))
        if counts[pair] < 2:
            break  # a pair seen once is no pattern: merging it saves nothing elsewhere
        joined = spelled[pair[0]] + spelled[pair[1]]
        if joined in known:
            # Another pair already made these exact bytes (e.g. "a"+"ab" after "aa"+"b"). Two ids for one
            # string would make a saved vocabulary ambiguous, so this pair is never merged.
            forbidden.add(pair)
            del counts[pair]
            continue
        new_id = BYTES + len(merges)
        merges.append(pair)
        spelled.append(joined)
        known.add(joined)
        for index in where.pop(pair, ()):
            ids, weight = chunks[index], weights[index]
            merged = merge_pair(ids, pair, new_id)
            if len(merged) == len(ids):
                continue  # an old entry: an earlier merge already took this pair away from this chunk
            for old in zip(ids, ids[1:]):
                if old not in forbidden:
                    counts[old] -= weight
                    if counts[old] <= 0:
                        del counts[old]
            for new in zip(merged, merged[1:]):
                if new not in forbidden:
                    counts[new] += weight
                    where[new].add(index)
            chunks[index] = merged
        if progress is not None:
            progress(len(merges), wanted)
    return merges
