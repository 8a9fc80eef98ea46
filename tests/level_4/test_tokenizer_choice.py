"""train.py --tokenizer char|bpe: BPE models train, save, load and write; bits per byte compare them fairly.

The runs here use a slice of the stories and a very small model, so each takes a few seconds.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

from buildai.data import load_corpus, split_paragraphs
from buildai.errors import UserError
from buildai.paths import HINDI_CORPUS
from buildai.tokenizer import CharTokenizer
from level_4_mini_gpt import export_hf, reporting, scoring, tokenizers_choice, train
from level_4_mini_gpt.bpe import BPETokenizer
from level_4_mini_gpt.checkpoint import INFO_FILE, load_checkpoint, save_checkpoint
from level_4_mini_gpt.memorisation import MemorisationMeter
from level_4_mini_gpt.model import GPTConfig, MiniGPT, SamplingSettings
from level_4_mini_gpt.text import TextDecoder, stream_text
from level_4_mini_gpt.tokenizers_choice import TokenSizes
from tests.conftest import assert_ok, assert_plain, message_text
from tests.level_4.conftest import run_level4_script

SMALL = ["--preset", "tiny", "--n-layer", "1", "--n-head", "2", "--n-embd", "32", "--block-size", "32",
         "--batch-size", "8", "--eval-interval", "10", "--sample-interval", "1000", "--threads", "1"]
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def slice_of_stories(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 30 stories: enough text to learn merges from, small enough for a quick n-gram baseline."""
    path = tmp_path_factory.mktemp("slice") / "some_stories.txt"
    path.write_text("\n\n".join(split_paragraphs(load_corpus().text)[:30]) + "\n", encoding="utf-8")
    return path


def checkpoint_of(root: Path) -> Path:
    return root / "level_4_mini_gpt" / "checkpoint"


def history_of(root: Path) -> dict:
    return json.loads((root / "level_4_mini_gpt" / "history.json").read_text(encoding="utf-8"))


# ------------------------------------------------------------------------- a BPE run, end to end


def test_a_bpe_run_saves_loads_resumes_and_writes(tmp_path: Path, slice_of_stories: Path) -> None:
    flags = [*SMALL, "--text", str(slice_of_stories), "--max-steps", "20", "--tokenizer", "bpe", "--vocab-size", "300"]
    first = run_level4_script("train.py", *flags, "--stop-after", "10", output_root=tmp_path, extra_env=ONE_THREAD)
    assert_ok(first)
    assert "learned now from the training text only" in message_text(first.stdout)
    assert "nats/token" in first.stdout and "bits/byte" in first.stdout

    resumed = run_level4_script("train.py", "--resume", "--threads", "1", output_root=tmp_path, extra_env=ONE_THREAD)
    assert_ok(resumed)
    assert "Continuing from step 10" in resumed.stdout
    assert "reused from" in message_text(resumed.stdout)  # the very same tokens as before the stop

    folder = checkpoint_of(tmp_path)
    model, tokenizer, info = load_checkpoint(folder)
    assert isinstance(tokenizer, BPETokenizer) and tokenizer.kind == "bpe"
    assert tokenizer.vocab_size == model.config.vocab_size == 300
    assert info["tokenizer"]["type"] == "bpe" and info["tokenizer"]["vocab_size"] == 300
    assert info["tokenizer_choice"] == {"kind": "bpe", "vocab_size": 300}
    # The tokenizer file next to the checkpoint is bpe.py's own format, learned from the training part only.
    corpus = load_corpus(slice_of_stories)
    saved = BPETokenizer.load(folder / tokenizers_choice.TOKENIZER_FILE)
    assert saved.merges == tokenizer.merges == BPETokenizer.train(corpus.train_text, 300).merges
    assert json.loads((folder / tokenizers_choice.TOKENIZER_FILE).read_text(encoding="utf-8"))["trained_on"] == \
        tokenizers_choice.training_fingerprint(corpus.train_text, 300)

    history = history_of(tmp_path)
    assert history["finished"] and history["steps"] == 20
    assert history["text"]["tokenizer"] == "bpe" and history["text"]["held_out_tokens"] == len(tokenizer.encode(corpus.val_text))
    assert history["text"]["held_out_bytes"] == len(corpus.val_text.encode("utf-8"))
    assert 0 < history["best"]["val_bits_per_byte"] < history["best"]["val_loss"] / math.log(2)  # < bits per token

    written = run_level4_script("generate.py", "--prompt", "The chai", "--max-new-tokens", "25", "--explain",
                                "--threads", "1", output_root=tmp_path)
    assert_ok(written)
    assert "25 tokens" in written.stdout and "The chai" in written.stdout
    assert "The␣chai" in written.stdout  # the --explain table: one row per token, its text so far as tokens
    assert "Memorised:" in written.stdout  # the meter compares text with text: it works for any tokenizer
    assert "BPE tokens" in written.stdout  # the model card says what the model reads

    chatted = run_level4_script("chat.py", "--threads", "1", output_root=tmp_path, stdin="len 10\nOnce upon\nquit\n")
    assert_ok(chatted)
    assert "10 tokens" in chatted.stdout


def test_a_bpe_model_writes_only_whole_characters() -> None:
    """Devanagari letters are 3 bytes; a byte-only BPE model writes them a byte at a time, yet no '�' appears
    mid-stream and the pieces join up to the text."""

    class Spells:  # a stand-in model that "chooses" the bytes of a fixed text, one per step
        def __init__(self, text: str):
            self.ids = list(text.encode("utf-8"))

        def stream(self, prompt_ids, max_new_tokens, settings, generator=None, use_cache=True):
            for token in self.ids[:max_new_tokens]:
                yield token, torch.zeros(256)

    tokenizer = BPETokenizer([], special_tokens=())
    pieces = list(stream_text(Spells("नमस्ते दुनिया"), tokenizer, "a", 100, SamplingSettings()))  # type: ignore[arg-type]
    assert "".join(pieces) == "नमस्ते दुनिया" and all("�" not in piece for piece in pieces)
    cut_off = "".join(stream_text(Spells("नमस्ते"), tokenizer, "a", 4, SamplingSettings()))  # type: ignore[arg-type]
    assert cut_off == "न�"  # the 4th byte starts a letter that never ends: one '�', at the very end
    decoder = TextDecoder(CharTokenizer(list("ab")))
    assert [decoder.add(1), decoder.add(0), decoder.finish()] == ["b", "a", ""]


# ------------------------------------------------------------------------------ bits per byte


def scored(text: str, tokenizer: tokenizers_choice.Tokenizer) -> reporting.Score:
    torch.manual_seed(0)
    model = MiniGPT(GPTConfig(vocab_size=tokenizer.vocab_size, block_size=16, n_layer=1, n_head=1, n_embd=8))
    ids = torch.tensor(tokenizer.encode(text), dtype=torch.long)
    return scoring.score_text(model, ids, 16, CPU, sizes=TokenSizes.of(tokenizer))


def test_bits_per_byte_is_bits_per_char_for_ascii_text() -> None:
    text = load_corpus().val_text[:600]
    assert text.isascii()
    score = scored(text, CharTokenizer.from_text(text))
    assert score.bits_per_byte == score.bits_per_char == score.loss / math.log(2)
    assert score.predictions == score.characters == score.bytes == len(text) - 1


def test_bits_per_byte_counts_the_bytes_of_hindi() -> None:
    text = load_corpus(HINDI_CORPUS).val_text[:300]
    score = scored(text, CharTokenizer.from_text(text))
    assert (score.characters, score.bytes) == (len(text) - 1, len(text[1:].encode("utf-8")))
    assert score.bytes > 2 * score.characters  # Devanagari: 3 bytes a letter
    assert score.bits_per_byte == pytest.approx(score.bits_per_char * score.characters / score.bytes)
    # A BPE tokenizer scores the same text: its characters and bytes are those of the text after its first token.
    bpe = BPETokenizer.train(load_corpus(HINDI_CORPUS).train_text, 400)
    ids = bpe.encode(text)
    score = scored(text, bpe)
    rest = bpe.decode(ids[1:])
    assert (score.predictions, score.characters, score.bytes) == (len(ids) - 1, len(rest), len(rest.encode("utf-8")))


def test_both_tokenizers_are_scored_on_the_same_held_out_text(tmp_path: Path) -> None:
    for path in (None, HINDI_CORPUS):
        corpus = load_corpus(path)
        as_chars = tokenizers_choice.prepare(corpus, "char", None, tmp_path)
        as_bpe = tokenizers_choice.prepare(corpus, "bpe", 400, tmp_path / str(path is None))
        assert as_chars.tokenizer.decode(as_chars.val_ids) == as_bpe.tokenizer.decode(as_bpe.val_ids) == corpus.val_text
        assert as_bpe.tokenizer.decode(as_bpe.train_ids) == corpus.train_text
        assert tokenizers_choice.text_summary(as_chars)["held_out_bytes"] == \
            tokenizers_choice.text_summary(as_bpe)["held_out_bytes"]


def test_the_saved_bpe_tokenizer_is_reused_only_while_it_fits(tmp_path: Path) -> None:
    corpus = load_corpus(HINDI_CORPUS)
    first = tokenizers_choice.prepare(corpus, "bpe", 300, tmp_path)
    again = tokenizers_choice.prepare(corpus, "bpe", 300, tmp_path)
    other = tokenizers_choice.prepare(corpus, "bpe", 320, tmp_path)
    assert not first.reused and again.reused and not other.reused
    assert again.tokenizer.merges == first.tokenizer.merges and len(other.tokenizer.merges) > len(first.tokenizer.merges)
    (tmp_path / tokenizers_choice.TOKENIZER_FILE).write_text("{ damaged", encoding="utf-8")
    assert not tokenizers_choice.prepare(corpus, "bpe", 320, tmp_path).reused  # learned again, no error


# ---------------------------------------------------------------------------------- refusals


def test_a_bad_vocab_size_is_one_clear_message(tmp_path: Path) -> None:
    process = run_level4_script("train.py", *SMALL, "--tokenizer", "bpe", "--vocab-size", "200", output_root=tmp_path)
    assert process.returncode == 2
    assert "must be at least 257" in message_text(process.stderr)
    assert "Traceback" not in process.stdout + process.stderr and "usage:" not in process.stderr
    assert_plain(process)
    with pytest.raises(UserError, match="only works with --tokenizer bpe"):  # the same check, without a process
        tokenizers_choice.checked_choice("char", 512)


def test_bpe_refuses_a_folder_of_texts(tmp_path: Path) -> None:
    (tmp_path / "books").mkdir()
    (tmp_path / "books" / "one.txt").write_text("Once upon a time. " * 50, encoding="utf-8")
    with pytest.raises(UserError, match="not with a folder"):
        train.main([*SMALL, "--data", str(tmp_path / "books"), "--tokenizer", "bpe", "--out-dir", str(tmp_path / "out"),
                    "--quiet"])
    assert not [path for path in (tmp_path / "out").rglob("*") if path.is_file()]  # nothing tokenized or saved


def bpe_checkpoint(folder: Path) -> None:
    tokenizer = BPETokenizer.train(load_corpus().train_text[:5000], 280)
    model = MiniGPT(GPTConfig(vocab_size=tokenizer.vocab_size, block_size=16, n_layer=1, n_head=2, n_embd=16))
    save_checkpoint(folder, model, tokenizer, {"step": 1, "corpus_path": None})


def test_export_hf_refuses_a_bpe_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    bpe_checkpoint(tmp_path / "checkpoint")
    with pytest.raises(UserError, match="exports character models only"):
        export_hf.export_checkpoint(tmp_path / "checkpoint", tmp_path / "hugging_face")
    assert not (tmp_path / "hugging_face").exists()  # refused before writing anything (a UserError: no traceback)


def test_the_memorisation_meter_reads_a_bpe_models_text(tmp_path: Path) -> None:
    bpe_checkpoint(tmp_path / "checkpoint")
    _, tokenizer, info = load_checkpoint(tmp_path / "checkpoint")
    meter = MemorisationMeter.for_checkpoint(info)
    assert meter is not None and meter.reading(load_corpus().train_text[:200]) == 1.0


# ------------------------------------------------------------------------------ old checkpoints


def test_a_checkpoint_saved_before_the_choice_loads_as_characters(tmp_path: Path) -> None:
    tokenizer = CharTokenizer.from_text("chai, samosa, jalebi!\n")
    model = MiniGPT(GPTConfig(vocab_size=tokenizer.vocab_size, block_size=8, n_layer=1, n_head=1, n_embd=8))
    save_checkpoint(tmp_path, model, tokenizer, {"step": 3})
    info = json.loads((tmp_path / INFO_FILE).read_text(encoding="utf-8"))
    assert info["tokenizer"]["type"] == "char" and info["tokenizer"]["vocab_size"] == tokenizer.vocab_size
    info["tokenizer"] = {"chars": tokenizer.chars}  # as the oldest checkpoints wrote it: no type, no size
    (tmp_path / INFO_FILE).write_text(json.dumps(info), encoding="utf-8")
    _, loaded, _ = load_checkpoint(tmp_path)
    assert isinstance(loaded, CharTokenizer) and loaded.chars == tokenizer.chars
    assert tokenizers_choice.kind_of(loaded) == "char"
    info["tokenizer"] = {"type": "wordpiece"}
    (tmp_path / INFO_FILE).write_text(json.dumps(info), encoding="utf-8")
    with pytest.raises(UserError, match="does not know"):
        load_checkpoint(tmp_path)
