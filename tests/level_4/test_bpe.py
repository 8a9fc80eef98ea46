"""Byte-level BPE (level_4_mini_gpt/bpe.py), checked against a hand calculation, a slow obvious trainer,
and the Hugging Face `tokenizers` library, which must split every text into exactly the same ids."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from buildai.data import load_corpus
from buildai.errors import UserError
from buildai.paths import HINDI_CORPUS
from level_4_mini_gpt.bpe import BYTES, END_OF_TEXT, BPETokenizer, merge_pair, split_chunks
from tests.conftest import assert_bad_text_rejected, assert_ok

STEP = "level_4_mini_gpt/bpe_step.py"


@pytest.fixture(scope="module")
def corpora() -> tuple[str, str]:
    return load_corpus().text, load_corpus(HINDI_CORPUS).text


@pytest.fixture(scope="module")
def tokenizer(corpora: tuple[str, str]) -> BPETokenizer:
    english, hindi = corpora
    return BPETokenizer.train(english[:60_000] + "\n\n" + hindi[:6_000], vocab_size=800)


@pytest.fixture(scope="module")
def reloaded_hf(tokenizer: BPETokenizer, tmp_path_factory: pytest.TempPathFactory) -> object:
    """Our tokenizer exported with save_pretrained, then loaded back the way anyone else would load it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        from transformers import PreTrainedTokenizerFast

        folder = tmp_path_factory.mktemp("bpe_hf")
        tokenizer.to_huggingface(folder)
        assert (folder / "tokenizer.json").is_file()
        return PreTrainedTokenizerFast.from_pretrained(folder)


def random_unicode(rng: random.Random, length: int) -> str:
    """Any code point at all (assigned or not), except the surrogate halves, which have no UTF-8."""
    chars = []
    while len(chars) < length:
        point = rng.choice([rng.randrange(0x80), rng.randrange(0x3000), rng.randrange(0x110000)])
        if not 0xD800 <= point < 0xE000:
            chars.append(chr(point))
    return "".join(chars)


def varied_strings(english: str, hindi: str) -> list[str]:
    rng = random.Random(1234)
    fixed = [
        "", " ", "  ", "\n", "\n\n\n", "\t \t", "a  b   c    d", "trailing   ", "   leading", "\r\n", "\u00a0\u3000\u2003",
        "don't", "DON'T", "we'll they're I've she'd 's 't", "'''", "12345", "3.14159", "2024-25", "१२३ ४५६",
        "Hello, world!", "...!!!???", "नमस्ते", "हिन्दी में कहानी।", "क्षत्रिय ज्ञान", "चाय ☕ and samosa",
        "Mix of English और हिन्दी, 42 words.", "😀", "👍🏽👨‍👩‍👧", "🇮🇳 India", "e\u0301 é", "中文字符测试", "עברית", "العربية",
        "ゼロ", "x" * 500, " " * 300, "ab" * 300, END_OF_TEXT, "A<|endoftext|>B", "<|endoftext", "|endoftext|>",
    ]
    strings = list(fixed)
    for _ in range(1500):  # slices of the stories: real text, cut anywhere
        source = english if rng.random() < 0.7 else hindi
        start = rng.randrange(len(source))
        strings.append(source[start:start + rng.randint(1, 200)])
    for _ in range(1500):
        strings.append(random_unicode(rng, rng.randint(0, 40)))
    for _ in range(300):  # random mixtures of the pieces above
        strings.append("".join(rng.choice(strings[:len(fixed)]) for _ in range(rng.randint(2, 6))))
    return strings


@pytest.fixture(scope="module")
def strings(corpora: tuple[str, str]) -> list[str]:
    return varied_strings(*corpora)


# --------------------------------------------------------------------------- the oracle: Hugging Face


def test_decode_gives_back_every_text(tokenizer: BPETokenizer, strings: list[str]) -> None:
    assert len(strings) > 3000
    wrong = [text for text in strings if tokenizer.decode(tokenizer.encode(text)) != text]
    assert not wrong, wrong[:5]


def test_hugging_face_gives_exactly_our_ids(tokenizer: BPETokenizer, reloaded_hf: object, strings: list[str]) -> None:
    different = []
    for text in strings:
        ours = tokenizer.encode(text, allow_special=True)
        theirs = reloaded_hf.encode(text, add_special_tokens=False)  # type: ignore[attr-defined]
        if ours != theirs:
            different.append((text, ours[:10], theirs[:10]))
    assert not different, different[:3]
    merged = sum(1 for text in strings for index in tokenizer.encode(text) if index >= BYTES)
    assert merged > 10_000  # the merges were really used, not just single bytes on both sides


def test_hugging_face_reads_specials_as_text_like_us_when_asked(tokenizer: BPETokenizer, reloaded_hf: object) -> None:
    text = "The end.<|endoftext|>Once upon a time"
    theirs = reloaded_hf.encode(text, add_special_tokens=False, split_special_tokens=True)  # type: ignore[attr-defined]
    assert theirs == tokenizer.encode(text)
    assert reloaded_hf.eos_token_id == tokenizer.special_tokens[END_OF_TEXT]  # type: ignore[attr-defined]


def test_hugging_face_decodes_any_ids_like_us(tokenizer: BPETokenizer, reloaded_hf: object) -> None:
    """Random ids may cut characters in half: both sides must write the same replacement characters."""
    rng = random.Random(7)
    for _ in range(1000):
        ids = [rng.randrange(len(tokenizer.vocab)) for _ in range(rng.randint(0, 12))]
        assert tokenizer.decode(ids) == reloaded_hf.decode(ids, clean_up_tokenization_spaces=False), ids  # type: ignore[attr-defined]


# ----------------------------------------------------------------------------- training, by hand


def test_a_tiny_example_worked_by_hand() -> None:
    # "aaabdaaabac" is one chunk. Bytes: a=97 b=98 c=99 d=100.
    # 1. pairs: aa 4 (overlapping), ab 2, bd 1, da 1, ba 1, ac 1  -> merge (97, 97) = 256
    #    text: 256 a b d 256 a b a c
    # 2. pairs: (256, a) 2, (a, b) 2, others 1. A tie: the smaller ids win, (97, 98) = 257
    #    text: 256 257 d 256 257 a c
    # 3. pairs: (256, 257) 2, others 1 -> merge (256, 257) = 258;  text: 258 d 258 a c
    # 4. every pair once: only pairs seen at least twice are merged, so training stops here.
    tok = BPETokenizer.train("aaabdaaabac", vocab_size=BYTES + 4 + 1)
    assert tok.merges == [(97, 97), (97, 98), (256, 257)]
    assert tok.encode("aaabdaaabac") == [258, 100, 258, 97, 99]
    assert tok.token_bytes(258) == b"aaab"
    assert tok.vocab_size == BYTES + 3 + 1 and tok.special_tokens == {END_OF_TEXT: 259}


def slow_obvious_training(text: str, merges_wanted: int) -> list[tuple[int, int]]:
    """The textbook loop, recounting everything after every merge: slow, but nothing to get wrong."""
    words = Counter(split_chunks(text))
    pieces = {word: list(word.encode("utf-8")) for word in words}
    merges: list[tuple[int, int]] = []
    while len(merges) < merges_wanted:
        counts: Counter[tuple[int, int]] = Counter()
        for word, ids in pieces.items():
            for pair in zip(ids, ids[1:]):
                counts[pair] += words[word]
        best = max(counts, key=lambda pair: (counts[pair], -pair[0], -pair[1]), default=None)
        if best is None or counts[best] < 2:
            break
        merges.append(best)
        pieces = {word: merge_pair(ids, best, BYTES + len(merges) - 1) for word, ids in pieces.items()}
    return merges


@pytest.mark.parametrize("kind", ["english", "hindi", "random_ab"])
def test_fast_training_learns_the_same_merges_as_the_obvious_loop(kind: str, corpora: tuple[str, str]) -> None:
    rng = random.Random(kind)
    if kind == "random_ab":  # lots of ties and overlapping runs such as "aaaa"
        text = " ".join("".join(rng.choice("ab") for _ in range(rng.randint(1, 12))) for _ in range(300))
    else:
        source = corpora[0] if kind == "english" else corpora[1]
        start = rng.randrange(len(source) - 5000)
        text = source[start:start + 5000]
    fast = BPETokenizer.train(text, vocab_size=BYTES + 150 + 1).merges
    assert len(fast) > 40
    assert fast == slow_obvious_training(text, 150)


def test_the_split_keeps_hindi_words_whole() -> None:
    # The vowel signs and the virama (्) are "marks" in Unicode; GPT-2's own pattern would cut here.
    assert split_chunks("हिन्दी में  कहानी, 12 बार!") == ["हिन्दी", " में", " ", " कहानी", ",", " 12", " बार", "!"]
    assert split_chunks("It's 2 o'clock") == ["It", "'s", " 2", " o", "'", "clock"]


def test_training_is_the_same_every_time(corpora: tuple[str, str]) -> None:
    text = corpora[0][:8000]
    assert BPETokenizer.train(text, 400).merges == BPETokenizer.train(text, 400).merges


def test_progress_is_reported_for_every_merge() -> None:
    seen: list[tuple[int, int]] = []
    tok = BPETokenizer.train("the cat and the hat and the bat " * 20, BYTES + 10 + 1, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(done, 10) for done in range(1, len(tok.merges) + 1)] and len(tok.merges) == 10


# ------------------------------------------------------------------------------ special tokens


def test_the_special_token_is_one_id_only_when_allowed(tokenizer: BPETokenizer) -> None:
    eot = tokenizer.special_tokens[END_OF_TEXT]
    assert eot == tokenizer.vocab_size - 1 == len(tokenizer.vocab)
    text = "The fox ran.<|endoftext|>The crow sang."
    allowed = tokenizer.encode(text, allow_special=True)
    assert allowed.count(eot) == 1
    assert allowed == tokenizer.encode("The fox ran.") + [eot] + tokenizer.encode("The crow sang.")
    plain = tokenizer.encode(text)
    assert eot not in plain and len(plain) > len(allowed)
    assert tokenizer.decode(allowed) == tokenizer.decode(plain) == text


def test_the_special_token_is_never_learned_from() -> None:
    tok = BPETokenizer.train(END_OF_TEXT.join(["hello world"] * 50), vocab_size=BYTES + 30 + 1)
    assert tok.merges, "nothing was learned"
    assert not any(set(token) & set(b"<|>") for token in tok.vocab[BYTES:])


# --------------------------------------------------------------------------- saving and loading


def test_save_and_load_give_the_same_tokenizer(tokenizer: BPETokenizer, tmp_path: Path, strings: list[str]) -> None:
    path = tokenizer.save(tmp_path / "bpe.json")
    again = BPETokenizer.load(path)
    assert again.merges == tokenizer.merges and again.special_tokens == tokenizer.special_tokens
    assert all(again.encode(text, allow_special=True) == tokenizer.encode(text, allow_special=True) for text in strings[:500])


@pytest.mark.parametrize("content", [
    "{not json", "", "[1, 2, 3]", '{"format": "buildai-bpe"}',
    '{"format": "buildai-bpe", "version": 1, "pattern": "x", "merges": [], "special_tokens": []}',
])
def test_a_damaged_file_is_a_clear_message(content: str, tmp_path: Path, tokenizer: BPETokenizer) -> None:
    path = tmp_path / "bpe.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UserError):
        BPETokenizer.load(path)


def test_a_merge_of_tokens_that_do_not_exist_yet_is_refused(tokenizer: BPETokenizer, tmp_path: Path) -> None:
    data = tokenizer.to_dict()
    data["merges"][3] = [300, 97]  # id 300 would only exist after merge number 45
    with pytest.raises(UserError, match="merge number 4"):
        BPETokenizer.from_dict(data)
    data["merges"][3] = [97, "b"]
    with pytest.raises(UserError):
        BPETokenizer.from_dict(data)


def test_two_tokens_with_the_same_bytes_cannot_be_exported() -> None:
    # "ab"+"c" and "a"+"bc" both spell "abc": the Hugging Face vocabulary (text -> id) could not hold both.
    tok = BPETokenizer([(97, 98), (256, 99), (98, 99), (97, 258)])
    with pytest.raises(UserError, match="same bytes"):
        tok.to_huggingface()


# ------------------------------------------------------------------------------ bad input


def test_bad_training_input_is_a_clear_message() -> None:
    with pytest.raises(UserError, match="empty"):
        BPETokenizer.train("", 300)
    with pytest.raises(UserError, match="empty"):
        BPETokenizer.train(END_OF_TEXT * 3, 300)  # nothing left once the special token is cut out
    with pytest.raises(UserError, match="at least 257"):
        BPETokenizer.train("some text", 256)
    with pytest.raises(UserError, match="different from each other"):
        BPETokenizer([], special_tokens=[END_OF_TEXT, END_OF_TEXT])
    with pytest.raises(UserError, match="not a real character"):
        BPETokenizer([]).encode("half a pair: \ud83d")


# ------------------------------------------------------------------------- encoding stays linear


def random_words(rng: random.Random, count: int) -> str:
    return " ".join("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9))) for _ in range(count))


def work_to_encode(tokenizer: BPETokenizer, text: str) -> int:
    fresh = BPETokenizer(tokenizer.merges)  # an empty chunk cache
    fresh.encode(text)
    return fresh.pairs_examined


def test_twice_the_text_is_about_twice_the_work(tokenizer: BPETokenizer) -> None:
    rng = random.Random(3)
    first, second = random_words(rng, 2000), random_words(rng, 2000)  # different words: the cache cannot help
    ratio = work_to_encode(tokenizer, first + " " + second) / work_to_encode(tokenizer, first)
    assert 1.7 < ratio < 2.3, ratio
    # One long chunk (no spaces, so the split cannot cut it): still linear, not quadratic.
    long_chunk = "".join(rng.choice("theand") for _ in range(4000))
    ratio = work_to_encode(tokenizer, long_chunk * 2) / work_to_encode(tokenizer, long_chunk)
    assert 1.7 < ratio < 2.3, ratio


def test_a_repeated_chunk_is_encoded_once(tokenizer: BPETokenizer) -> None:
    rng = random.Random(4)
    text = " " + random_words(rng, 500)  # every word with a space before it, so both copies have the same chunks
    assert work_to_encode(tokenizer, text + text) == work_to_encode(tokenizer, text) > 0


# ------------------------------------------------------------------------------ the step script


def test_the_step_runs_from_its_folder(run_script, output_root: Path) -> None:  # type: ignore[no-untyped-def]
    process = run_script(STEP, "--vocab-size", "300", "--quiet", extra_env={"HF_HUB_OFFLINE": "1"})
    assert_ok(process)
    assert "Learned: 43 merges" in process.stdout
    assert "Decoding gives back every sentence exactly: True" in process.stdout
    assert "The Hugging Face tokenizer gives the same ids: True" in process.stdout
    assert "What is happening" not in process.stdout  # --quiet hides the explanations
    folder = output_root / "level_4_mini_gpt"
    assert len(BPETokenizer.load(folder / "bpe_tokenizer.json").merges) == 43
    assert (folder / "bpe_compression.png").stat().st_size > 1000
    assert (folder / "bpe_tokenizer_hf" / "tokenizer.json").is_file()


def test_the_step_rejects_a_bad_text_file(run_script, bad_text_file: Path) -> None:  # type: ignore[no-untyped-def]
    assert_bad_text_rejected(run_script(STEP, "--text", str(bad_text_file), "--no-hf", "--quiet"), bad_text_file)


def test_the_step_rejects_a_vocabulary_too_small(run_script) -> None:  # type: ignore[no-untyped-def]
    process = run_script(STEP, "--vocab-size", "200", "--no-hf")
    assert process.returncode == 2 and "Traceback" not in process.stderr
    assert "at least 257" in " ".join(process.stderr.split())
