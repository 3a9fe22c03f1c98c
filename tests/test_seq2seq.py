"""The encoder–decoder of notebook 08, on its own tiny task: reverse 3–8 symbols and rename them (s3 → S3)."""

import random
import time
from dataclasses import dataclass

import numpy as np
import pytest
import torch
from exercise_checks import assert_catches_every_listed_mistake

from helpers.seq2seq import (
    BOS,
    BOS_ID,
    EOS,
    EOS_ID,
    PAD,
    SPECIALS,
    UNK,
    Batch,
    Hypothesis,
    ScriptedStep,
    Seq2Seq,
    beam_candidates,
    beam_search,
    build_vocabs,
    check_greedy_decode_one,
    decode_split,
    encode_pairs,
    greedy_decode,
    greedy_decode_one,
    greedy_exercise,
    make_batch,
    pick,
    sequence_log_prob,
    teacher_forced_accuracy,
    train_seq2seq,
    translate,
    translation_loss,
    words_of,
)
from helpers.training import count_parameters


@dataclass(frozen=True)
class Pair:
    english: tuple[str, ...]
    french: tuple[str, ...]


def reversal_pairs(n: int, seed: int) -> list[Pair]:
    """n pairs: 3–8 random symbols of 10, and the same symbols reversed and upper-cased."""
    rng = random.Random(seed)
    pairs = []
    for _ in range(n):
        words = [f"s{rng.randrange(10)}" for _ in range(rng.randint(3, 8))]
        pairs.append(Pair(tuple(words), tuple(word.upper() for word in reversed(words))))
    return pairs


TRAIN, TEST = reversal_pairs(2000, 0), reversal_pairs(200, 1)
SRC_VOCAB, TGT_VOCAB = build_vocabs(TRAIN)


def small_model(
    kind: str = "gru", attention: bool = True, seed: int = 0, hidden_size: int = 16, embedding_size: int = 8
) -> Seq2Seq:
    torch.manual_seed(seed)
    return Seq2Seq(
        len(SRC_VOCAB),
        len(TGT_VOCAB),
        embedding_size=embedding_size,
        hidden_size=hidden_size,
        kind=kind,
        attention=attention,
    )


@pytest.fixture(scope="module")
def trained() -> tuple[Seq2Seq, list[float]]:
    """The attention model trained on the reversal task: (model, losses)."""
    model = small_model(hidden_size=64, embedding_size=32)
    log = train_seq2seq(
        model, encode_pairs(TRAIN, SRC_VOCAB, TGT_VOCAB), 300, torch.Generator().manual_seed(0), lr=5e-3, report=None
    )
    return model, log.losses


# --- Vocabulary and batches ---------------------------------------------------------------------


def test_the_vocabularies_put_the_four_specials_first_with_fixed_ids():
    assert SRC_VOCAB.tokens[:4] == TGT_VOCAB.tokens[:4] == [PAD, BOS, EOS, UNK] == list(SPECIALS)
    assert (SRC_VOCAB.index[PAD], TGT_VOCAB.index[BOS], TGT_VOCAB.index[EOS]) == (0, BOS_ID, EOS_ID)


def test_words_of_stops_at_eos_skipping_pad_and_bos():
    ids = TGT_VOCAB.ids(["S1", "S2", "S3"])
    assert words_of(TGT_VOCAB, ids) == ["S1", "S2", "S3"]
    assert words_of(TGT_VOCAB, [BOS_ID, *ids[:2], 0, EOS_ID, ids[2]]) == ["S1", "S2"]


def test_unknown_words_are_all_named_or_read_as_unk():
    batch = make_batch([Pair(("s1", "dog"), ("S1",))], SRC_VOCAB, TGT_VOCAB, unknown="unk")
    assert batch.src[0].tolist() == [SRC_VOCAB.index["s1"], SRC_VOCAB.index[UNK]]
    with pytest.raises(ValueError, match="unknown must be 'error' or 'unk'"):
        make_batch([Pair(("s1",), ("S1",))], SRC_VOCAB, TGT_VOCAB, unknown="skip")
    with pytest.raises(ValueError, match="2 French word"):  # every unknown word of the whole split at once
        make_batch([Pair(("s1",), ("S1", "X")), Pair(("s2",), ("Y",))], SRC_VOCAB, TGT_VOCAB)


def test_a_batch_shifts_the_target_by_one_and_pads_at_the_end():
    pairs = [Pair(("s1", "s2", "s3"), ("S3", "S2", "S1")), Pair(("s4",), ("S4",))]
    batch = make_batch(pairs, SRC_VOCAB, TGT_VOCAB)
    s, t = SRC_VOCAB.index, TGT_VOCAB.index
    assert batch.src.tolist() == [[s["s1"], s["s2"], s["s3"]], [s["s4"], 0, 0]]
    assert batch.src_mask.tolist() == [[True, True, True], [True, False, False]]
    assert batch.tgt_in.tolist() == [[BOS_ID, t["S3"], t["S2"], t["S1"]], [BOS_ID, t["S4"], 0, 0]]
    assert batch.tgt_out.tolist() == [[t["S3"], t["S2"], t["S1"], EOS_ID], [t["S4"], EOS_ID, 0, 0]]
    assert batch.tgt_mask.tolist() == [[True] * 4, [True, True, False, False]]


def test_select_takes_rows_and_cuts_columns_of_pure_padding():
    split = encode_pairs(TRAIN, SRC_VOCAB, TGT_VOCAB)
    assert split.src.shape[1] == 8 and split.tgt_in.shape[1] == 9
    short = [i for i, pair in enumerate(TRAIN) if len(pair.english) == 3][:4]
    part = split.select(torch.tensor(short))
    assert part.src.shape == (4, 3) and part.tgt_out.shape == (4, 4)
    assert part.src.tolist() == [SRC_VOCAB.ids(TRAIN[i].english) for i in short]


# --- The model ----------------------------------------------------------------------------------

PADDED = [TEST[0], Pair(("s1",), ("S1",)), Pair(("s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s0"), ("S0", "S9"))]


def padded_batch() -> Batch:
    """Three pairs of different lengths, so each carries padding in its source or its target."""
    return make_batch(PADDED, SRC_VOCAB, TGT_VOCAB)


@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_the_encoders_final_state_is_the_state_after_the_last_real_word(kind):
    model, batch = small_model(kind), padded_batch()
    encoded = model.encode(batch.src, batch.src_mask)
    for i, row in enumerate(batch.src):
        real = row[batch.src_mask[i]].unsqueeze(0)
        outputs, final = model.encoder(model.src_embed(real))  # the sentence alone: no padding at all
        h = final[0] if kind == "lstm" else final
        ours = encoded.final[0] if kind == "lstm" else encoded.final
        assert torch.allclose(ours[i], h[0, 0], atol=1e-6)
        assert torch.allclose(encoded.states[i, : real.shape[1]], outputs[0], atol=1e-6)
        if kind == "lstm":
            assert torch.allclose(encoded.final[1][i], final[1][0, 0], atol=1e-6)
    assert torch.all(encoded.states[~batch.src_mask] == 0)


@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_the_plain_decoders_fused_pass_equals_running_it_step_by_step(kind):
    model, batch = small_model(kind, attention=False), padded_batch()
    logits, attention = model(batch)
    encoded = model.encode(batch.src, batch.src_mask)
    state, steps = encoded.final, []
    for t in range(batch.tgt_in.shape[1]):
        step_logits, state, weights = model.step(batch.tgt_in[:, t], state, encoded)
        steps.append(step_logits)
    assert attention is None and weights is None
    assert logits.shape == (3, batch.tgt_in.shape[1], len(TGT_VOCAB))
    assert torch.allclose(logits, torch.stack(steps, dim=1), atol=1e-6)


@pytest.mark.parametrize("kind", ["gru", "lstm"])
@pytest.mark.parametrize("attention", [True, False])
def test_the_output_does_not_depend_on_padding(kind, attention):
    model, batch = small_model(kind, attention), padded_batch()
    logits, weights = model(batch)
    for i in range(len(batch)):
        alone = make_batch([PADDED[i]], SRC_VOCAB, TGT_VOCAB)
        single, single_weights = model(alone)
        real = batch.tgt_mask[i]
        assert torch.allclose(logits[i][real], single[0], atol=1e-5)
        if attention:
            assert torch.allclose(weights[i][real][:, : alone.src.shape[1]], single_weights[0], atol=1e-6)


def test_attention_weights_give_source_padding_nothing_and_sum_to_one():
    model, batch = small_model(), padded_batch()
    _, weights = model(batch)
    assert weights.shape == (3, batch.tgt_in.shape[1], batch.src.shape[1])
    assert torch.all(weights.permute(1, 0, 2)[:, ~batch.src_mask] == 0)
    assert torch.allclose(weights.sum(dim=2), torch.ones(3, batch.tgt_in.shape[1]))


def test_the_loss_leaves_out_padding():
    logits = torch.randn(2, 3, 5)
    target = torch.tensor([[1, 2, 0], [3, 0, 0]])
    real = target != 0
    expected = torch.nn.functional.cross_entropy(logits[real], target[real])
    assert torch.allclose(translation_loss(logits, target), expected)


# --- Scheduled sampling and training ------------------------------------------------------------


@pytest.mark.parametrize("attention", [True, False])
def test_scheduled_sampling_is_deterministic_given_the_generator_and_differs_from_teacher_forcing(attention):
    model, batch = small_model(attention=attention), make_batch(TEST[:16], SRC_VOCAB, TGT_VOCAB)
    forced, _ = model(batch)
    first, _ = model(batch, teacher_forcing=0.5, generator=torch.Generator().manual_seed(1))
    again, _ = model(batch, teacher_forcing=0.5, generator=torch.Generator().manual_seed(1))
    other, _ = model(batch, teacher_forcing=0.5, generator=torch.Generator().manual_seed(2))
    assert torch.equal(first, again)
    assert not torch.allclose(first, forced) and not torch.allclose(first, other)
    assert torch.allclose(first[:, 0], forced[:, 0])  # the first input is always BOS
    with pytest.raises(ValueError, match="generator"):
        model(batch, teacher_forcing=0.5)


@pytest.mark.parametrize("kind", ["gru", "lstm"])
@pytest.mark.parametrize("attention", [True, False])
def test_no_teacher_forcing_feeds_back_exactly_the_greedy_words(kind, attention):
    model, batch = small_model(kind, attention), make_batch(TEST[:8], SRC_VOCAB, TGT_VOCAB)
    logits, _ = model(batch, teacher_forcing=0.0, generator=torch.Generator())
    decoded = greedy_decode(model, batch.src, batch.src_mask, max_len=batch.tgt_in.shape[1])
    for row, words in zip(logits.argmax(dim=2).tolist(), decoded.tokens):
        assert row[: len(words)] == words


def test_training_learns_to_reverse_in_300_updates(trained):
    model, losses = trained
    test = encode_pairs(TEST, SRC_VOCAB, TGT_VOCAB)
    hypotheses = decode_split(model, test, TGT_VOCAB, max_len=12, batch_size=64)
    exact = sum(words == list(pair.french) for words, pair in zip(hypotheses, TEST)) / len(TEST)
    assert exact >= 0.9, exact
    assert teacher_forced_accuracy(model, test) >= 0.95
    assert losses[-1] < 0.2 * losses[0]


def test_training_is_deterministic_and_prints_progress_without_timings():
    split, lines = encode_pairs(TRAIN[:300], SRC_VOCAB, TGT_VOCAB), []
    runs = []
    for _ in range(2):
        log = train_seq2seq(
            small_model(),
            split,
            12,
            torch.Generator().manual_seed(3),
            batch_size=16,
            teacher_forcing=lambda step: 1.0 - step / 12,
            reports=3,
            report=lines.append,
        )
        runs.append(log.losses)
    assert runs[0] == runs[1]
    assert len(lines) == 6 and lines[:3] == lines[3:]
    assert lines[2].startswith("[####################] 100%  update   12/12  training loss")
    assert "teacher forcing 0.08" in lines[2]


# --- Decoding -----------------------------------------------------------------------------------


def forced_output(model: Seq2Seq, word: int) -> Seq2Seq:
    """The model, changed so that it always predicts `word`, whatever it reads."""
    with torch.no_grad():
        model.readout.weight.zero_()
        model.readout.bias.zero_()
        model.readout.bias[word] = 10.0
    return model


@pytest.mark.parametrize("attention", [True, False])
def test_greedy_decoding_stops_at_eos_and_at_max_len(attention):
    batch = padded_batch()
    first = greedy_decode(forced_output(small_model(attention=attention), EOS_ID), batch.src, batch.src_mask, 7)
    assert first.tokens == [[], [], []] and first.finished == [True, True, True]
    word = TGT_VOCAB.index["S5"]
    never = greedy_decode(forced_output(small_model(attention=attention), word), batch.src, batch.src_mask, 7)
    assert never.tokens == [[word] * 7] * 3 and never.finished == [False] * 3
    assert (never.attention is None) != attention
    if attention:
        assert never.attention.shape == (3, 7, batch.src.shape[1])


def test_greedy_decoding_cuts_each_sentence_at_its_own_eos(monkeypatch):
    model, batch = small_model(), padded_batch()
    script = torch.tensor([[5, EOS_ID, 6, 7], [5, 6, 7, 8], [EOS_ID, 5, 5, 5]])  # what each sentence says per step
    calls = []

    def scripted_step(prev, state, encoded):
        logits, state, weights = Seq2Seq.step(model, prev, state, encoded)
        calls.append(prev.tolist())
        return torch.nn.functional.one_hot(script[:, len(calls) - 1], len(TGT_VOCAB)).float(), state, weights

    monkeypatch.setattr(model, "step", scripted_step)
    decoded = greedy_decode(model, batch.src, batch.src_mask, max_len=4)
    assert decoded.tokens == [[5], [5, 6, 7, 8], []] and decoded.finished == [True, False, True]
    assert calls[1] == [5, 5, EOS_ID]  # each step is fed the previous step's words
    assert torch.all(decoded.attention[0, 1:] == 0) and torch.all(decoded.attention[2] == 0)
    assert torch.allclose(decoded.attention[1].sum(dim=1), torch.ones(4))


@pytest.mark.parametrize("kind", ["gru", "lstm"])
@pytest.mark.parametrize("attention", [True, False])
def test_a_beam_of_one_is_greedy_decoding(kind, attention):
    model = small_model(kind, attention, seed=5)
    for pair in TEST[:6]:
        src = torch.tensor([SRC_VOCAB.ids(pair.english)])
        greedy = greedy_decode(model, src, torch.ones_like(src, dtype=torch.bool), max_len=10)
        ids, log_prob = beam_search(model, src[0], beam_size=1, max_len=10)
        assert ids == greedy.tokens[0]
        assert log_prob == pytest.approx(sequence_log_prob(model, src[0], ids, with_eos=greedy.finished[0]), abs=1e-4)


def test_a_wider_beam_finds_translations_at_least_as_likely_as_greedy():
    compared = better = 0
    for seed in range(6):
        model = small_model(seed=seed, hidden_size=8)
        with torch.no_grad():  # an untrained model, made sure of itself and likely to end its sentences
            model.readout.weight *= 3.0
            model.readout.bias[EOS_ID] += 1.0
        for pair in TEST[:5]:
            src = torch.tensor(SRC_VOCAB.ids(pair.english))
            greedy, greedy_log_prob = beam_search(model, src, beam_size=1, max_len=12)
            ids, log_prob = beam_search(model, src, beam_size=4, max_len=12, length_norm=False)
            normalised, normalised_log_prob = beam_search(model, src, beam_size=4, max_len=12)
            ended = len(ids) < 12  # a hypothesis that said EOS has at most max_len − 1 words
            assert log_prob == pytest.approx(sequence_log_prob(model, src, ids, with_eos=ended), abs=1e-4)
            if len(greedy) == 12:
                continue  # greedy never said EOS: its log-probability misses a word, so it is not comparable
            compared += 1
            better += log_prob > greedy_log_prob + 1e-3
            assert log_prob >= greedy_log_prob - 1e-5
            assert normalised_log_prob / (len(normalised) + 1) >= greedy_log_prob / (len(greedy) + 1) - 1e-5
    assert compared >= 20 and better >= 10, (compared, better)


def test_translate_and_decode_split_agree_with_greedy_decoding(trained):
    model = trained[0]
    translation = translate(model, SRC_VOCAB, TGT_VOCAB, "s1 s2 s3 s4", max_len=12)
    assert translation.tokens == ["S4", "S3", "S2", "S1"] and translation.finished
    assert translation.attention.shape == (4, 4)
    assert np.allclose(translation.attention.sum(axis=1), 1.0, atol=1e-6)
    split = encode_pairs(TEST[:20], SRC_VOCAB, TGT_VOCAB)
    assert decode_split(model, split, TGT_VOCAB, 12, batch_size=7) == [
        translate(model, SRC_VOCAB, TGT_VOCAB, pair.english, 12).tokens for pair in TEST[:20]
    ]
    with pytest.raises(ValueError, match="'s11'"):
        translate(model, SRC_VOCAB, TGT_VOCAB, "s1 s11")
    assert translate(small_model(attention=False), SRC_VOCAB, TGT_VOCAB, ["s1"], 3).attention is None


def test_count_parameters_counts_every_weight():
    model = small_model(attention=False)
    emb, hidden, source, target = 8, 16, len(SRC_VOCAB), len(TGT_VOCAB)
    gru = lambda inputs: 3 * hidden * (inputs + hidden + 2)
    assert count_parameters(model) == (source + target) * emb + gru(emb) + gru(emb + hidden) + (2 * hidden + 1) * target


# --- Exercise -----------------------------------------------------------------------------------


def test_the_greedy_exercise_accepts_the_reference_and_names_each_mistake():
    assert_catches_every_listed_mistake(greedy_exercise())
    assert check_greedy_decode_one(greedy_decode_one).passed


def test_a_loop_that_ignores_max_len_fails_fast_with_a_clear_message():
    def forever(step, state, bos, eos, max_len):
        words, prev = [], bos
        while True:
            logits, state = step(prev, state)
            prev = int(logits.argmax())
            if prev == eos:
                return words
            words.append(prev)

    start = time.perf_counter()
    result = check_greedy_decode_one(forever)
    assert time.perf_counter() - start < 10.0  # the scripted step stops it: no hang
    assert not result.passed and "max_len = 6" in result.message and "ignore max_len" in result.message


def test_the_scripted_step_follows_its_script_only_when_fed_its_own_words():
    step = ScriptedStep([5, 3, 2], bos=1, max_len=4)
    logits, state = step(1, 0)
    assert int(logits.argmax()) == 5 and state == 1
    assert int(step(5, 1)[0].argmax()) == 3
    assert int(step(4, 1)[0].argmax()) == 4  # fed a wrong word, it repeats that word
    assert greedy_decode_one(ScriptedStep([5, 3, 2], 1, 10), 0, 1, 2, 10) == [5, 3]
    assert SPECIALS[BOS_ID] == BOS and SPECIALS[EOS_ID] == EOS


def test_bad_settings_and_inputs_are_explained():
    with pytest.raises(ValueError, match="kind must be one of"):
        Seq2Seq(20, 20, kind="rnn")
    model, batch = small_model(), padded_batch()
    with pytest.raises(ValueError, match=r"teacher_forcing must lie in \[0, 1\], got 1.5"):
        model(batch, teacher_forcing=1.5)
    with pytest.raises(ValueError, match="at least one real word"):
        model.encode(batch.src, torch.zeros_like(batch.src_mask))
    with pytest.raises(ValueError, match="1 English word.*'s42'"):
        make_batch([Pair(("s1", "s42"), ("S1",))], SRC_VOCAB, TGT_VOCAB)
    with pytest.raises(ValueError, match="max_len must be at least 1"):
        greedy_decode(model, batch.src, batch.src_mask, 0)


def test_beam_search_picks_from_its_candidates_by_total_or_per_prediction():
    model = small_model(seed=3, hidden_size=8)
    with torch.no_grad():
        model.readout.weight *= 3.0
        model.readout.bias[EOS_ID] += 1.0
    for pair in TEST[:5]:
        src = torch.tensor(SRC_VOCAB.ids(pair.english))
        candidates = beam_candidates(model, src, beam_size=4, max_len=12)
        for norm in (False, True):
            best = pick(candidates, norm)
            assert beam_search(model, src, 4, 12, length_norm=norm) == (best.ids, best.log_prob)
            assert all(best.score(norm) >= c.score(norm) for c in candidates)
        for c in candidates:
            assert c.predictions == len(c.ids) + c.finished
            assert c.score(True) == pytest.approx(c.log_prob / c.predictions)
    hypotheses = [Hypothesis([5], -1.0, True), Hypothesis([5, 6, 7], -1.8, True)]
    assert pick(hypotheses, False).ids == [5] and pick(hypotheses, True).ids == [5, 6, 7]  # −0.5 vs −0.45 a word
    with pytest.raises(ValueError, match="at least one hypothesis"):
        pick([], True)
    with pytest.raises(ValueError, match="at least one source word"):
        beam_candidates(model, [], 4, 12)
