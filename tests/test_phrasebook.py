"""The English→French phrasebook of notebook 08: hand-checked translations, splits, lengths and tokens."""

import random

import pytest

from helpers.phrasebook import (
    ALL_COMBINATIONS,
    POSSESSIVES,
    SINGULAR,
    STATIVE,
    UNIQUE_KIN,
    Pair,
    clause,
    combinations_in,
    detokenize_french,
    english_words,
    generate_pairs,
    length_histogram,
    make_splits,
    noun_phrase,
    predicate,
    random_clause,
    render,
    sentence,
    tokenize_english,
    unknown_words,
    unseen_combination,
)


def n(det, noun, **options):
    """A shorter name for noun_phrase, to keep the table below readable."""
    return noun_phrase(det, noun, **options)


# Every French sentence below was written by hand, not by the generator: these are the ground truth.
CASES = [
    # articles and elision: the word that follows the article decides
    (sentence("i", "see", n("the", "tree")), "i see the tree", "je vois l'arbre"),
    (sentence("i", "see", n("the", "tree", before="big")), "i see the big tree", "je vois le grand arbre"),
    (sentence("he", "like", n("the", "tree", before="old")), "he likes the old tree", "il aime le vieil arbre"),
    (
        sentence("she", "know", n("the", "school", before="old")),
        "she knows the old school",
        "elle connaît la vieille école",
    ),
    (sentence(n("the", "man", before="old"), "sleep"), "the old man sleeps", "le vieil homme dort"),
    (sentence(n("the", "man", plural=True, before="old"), "sleep"), "the old men sleep", "les vieux hommes dorment"),
    (sentence("i", "see", n("the", "owl")), "i see the owl", "je vois le hibou"),  # h aspiré: no elision
    (sentence("we", "see", n("a", "bird", before="beautiful")), "we see a beautiful bird", "nous voyons un bel oiseau"),
    (sentence("he", "help", n("his", "friend", before="new")), "he helps his new friend", "il aide son nouvel ami"),
    # ce, cet, cette, ces
    (sentence("they", "watch", n("this", "elephant")), "they watch this elephant", "ils regardent cet éléphant"),
    (
        sentence("i", "know", n("this", "hospital", before="old")),
        "i know this old hospital",
        "je connais ce vieil hôpital",
    ),
    (sentence("you", "like", n("this", "school")), "you like this school", "vous aimez cette école"),
    (sentence("he", "buy", n("this", "apple", plural=True)), "he buys these apples", "il achète ces pommes"),
    (sentence("she", "watch", n("this", "owl")), "she watches this owl", "elle regarde ce hibou"),
    # des, and de before a plural adjective
    (sentence("i", "see", n("a", "dog", plural=True)), "i see some dogs", "je vois des chiens"),
    (sentence("i", "see", n("a", "dog", plural=True, before="big")), "i see some big dogs", "je vois de grands chiens"),
    # possessives: mon école, and son/sa agree with the noun, not with the owner
    (sentence("i", "go", n("my", "school")), "i go to my school", "je vais à mon école"),
    (
        sentence("i", "go", n("my", "school", before="old"), tense="past"),
        "i went to my old school",
        "je suis allé à ma vieille école",
    ),
    (sentence("he", "like", n("her", "car")), "he likes her car", "il aime sa voiture"),
    (sentence("she", "like", n("his", "car")), "she likes his car", "elle aime sa voiture"),
    (sentence("she", "sell", n("her", "horse", plural=True)), "she sells her horses", "elle vend ses chevaux"),
    (sentence("she", "look for", n("her", "church")), "she looks for her church", "elle cherche son église"),
    (
        sentence(n("our", "neighbour", plural=True), "know", n("their", "aunt", plural=True)),
        "our neighbours know their aunts",
        "nos voisins connaissent leurs tantes",
    ),
    (
        sentence(n("your", "sister"), "help", n("our", "teacher")),
        "your sister helps our teacher",
        "votre sœur aide notre professeur",
    ),
    # à and de with the article: au, aux, à la, à l', du, des, de l', d'un
    (sentence("he", "go", n("the", "market")), "he goes to the market", "il va au marché"),
    (sentence("she", "talk", n("the", "child", plural=True)), "she talks to the children", "elle parle aux enfants"),
    (sentence("i", "talk", n("the", "friend")), "i talk to the friend", "je parle à l'ami"),
    (
        sentence("we", "arrive", n("the", "station"), tense="future"),
        "we will arrive at the station",
        "nous arriverons à la gare",
    ),
    (
        sentence("they", "go", n("the", "hospital", before="old")),
        "they go to the old hospital",
        "ils vont au vieil hôpital",
    ),
    (sentence("i", "sleep", phrase=("near", n("the", "market"))), "i sleep near the market", "je dors près du marché"),
    (
        sentence("they", "run", phrase=("near", n("the", "tree", plural=True))),
        "they run near the trees",
        "ils courent près des arbres",
    ),
    (
        sentence("he", "work", phrase=("near", n("the", "hospital"))),
        "he works near the hospital",
        "il travaille près de l'hôpital",
    ),
    (
        sentence("we", "swim", phrase=("near", n("a", "tree")), tense="past"),
        "we swam near a tree",
        "nous avons nagé près d'un arbre",
    ),
    (
        sentence("she", "dance", phrase=("with", n("my", "friend"))),
        "she dances with my friend",
        "elle danse avec mon ami",
    ),
    (
        sentence("he", "read", n("a", "newspaper"), phrase=("in", n("the", "garden"))),
        "he reads a newspaper in the garden",
        "il lit un journal dans le jardin",
    ),
    # a or an, decided by the word that follows
    (sentence("i", "eat", n("a", "apple")), "i eat an apple", "je mange une pomme"),
    (sentence("he", "have", n("a", "dog", before="old")), "he has an old dog", "il a un vieux chien"),
    (
        sentence("she", "see", n("a", "elephant", before="big")),
        "she sees a big elephant",
        "elle voit un grand éléphant",
    ),
    (
        sentence("she", "buy", n("a", "car", after="expensive")),
        "she buys an expensive car",
        "elle achète une voiture chère",
    ),
    (sentence(n("a", "elephant"), "swim"), "an elephant swims", "un éléphant nage"),
    # adjectives after the noun agree with it
    (
        sentence("i", "see", n("the", "ball", before="big", after="red")),
        "i see the big red ball",
        "je vois le grand ballon rouge",
    ),
    (
        sentence("we", "find", n("the", "flower", plural=True, after="white"), tense="past"),
        "we found the white flowers",
        "nous avons trouvé les fleurs blanches",
    ),
    (sentence(n("the", "woman", after="happy"), "dance"), "the happy woman dances", "la femme heureuse danse"),
    (sentence(n("the", "child", after="happy"), "laugh"), "the happy child laughs", "l'enfant heureux rit"),
    # negation: de/d' for an indefinite object, the definite article and possessives stay
    (sentence("he", "see", n("a", "cat"), negative=True), "he does not see a cat", "il ne voit pas de chat"),
    (sentence("i", "have", n("a", "orange"), negative=True), "i do not have an orange", "je n'ai pas d'orange"),
    (
        sentence("they", "buy", n("a", "apple", plural=True), negative=True),
        "they do not buy any apples",
        "ils n'achètent pas de pommes",
    ),
    (
        sentence("he", "buy", n("a", "cake", plural=True, before="good"), tense="past", negative=True),
        "he did not buy any good cakes",
        "il n'a pas acheté de bons gâteaux",
    ),
    (
        sentence("i", "eat", n("a", "egg"), tense="past", negative=True),
        "i did not eat an egg",
        "je n'ai pas mangé d'œuf",
    ),
    (
        sentence("they", "sell", n("a", "horse"), tense="future", negative=True),
        "they will not sell a horse",
        "ils ne vendront pas de cheval",
    ),
    (sentence("i", "see", n("the", "cat"), negative=True), "i do not see the cat", "je ne vois pas le chat"),
    (
        sentence("we", "find", n("our", "key", plural=True), tense="past", negative=True),
        "we did not find our keys",
        "nous n'avons pas trouvé nos clés",
    ),
    # n' before a vowel, also before the auxiliary of the passé composé
    (
        sentence("he", "see", n("the", "dog"), tense="past", negative=True),
        "he did not see the dog",
        "il n'a pas vu le chien",
    ),
    (
        sentence("she", "go", n("the", "school"), tense="past", negative=True),
        "she did not go to the school",
        "elle n'est pas allée à l'école",
    ),
    (
        sentence("we", "go", n("the", "park"), tense="future", negative=True),
        "we will not go to the park",
        "nous n'irons pas au parc",
    ),
    # j' before a vowel
    (sentence("i", "like", n("the", "cake", plural=True)), "i like the cakes", "j'aime les gâteaux"),
    (sentence("i", "buy", n("a", "hat")), "i buy a hat", "j'achète un chapeau"),
    (sentence("i", "write", n("a", "letter")), "i write a letter", "j'écris une lettre"),
    (sentence("i", "go", n("the", "beach"), tense="future"), "i will go to the beach", "j'irai à la plage"),
    (sentence("i", "help", n("my", "mother")), "i help my mother", "j'aide ma mère"),
    (sentence("i", "arrive", n("the", "airport")), "i arrive at the airport", "j'arrive à l'aéroport"),
    # être verbs: the participle agrees with the subject
    (sentence("she", "go", n("the", "school"), tense="past"), "she went to the school", "elle est allée à l'école"),
    (
        sentence("i", "arrive", n("the", "station"), tense="past"),
        "i arrived at the station",
        "je suis arrivé à la gare",
    ),
    (sentence("we", "come", n("the", "museum"), tense="past"), "we came to the museum", "nous sommes venus au musée"),
    (sentence("you", "go", n("the", "beach"), tense="past"), "you went to the beach", "vous êtes allés à la plage"),
    (
        sentence(n("the", "woman", plural=True), "go", n("the", "church"), tense="past"),
        "the women went to the church",
        "les femmes sont allées à l'église",
    ),
    # irregular futures
    (
        sentence("he", "see", n("the", "horse", plural=True), tense="future"),
        "he will see the horses",
        "il verra les chevaux",
    ),
    (
        sentence("she", "go", n("the", "hospital"), tense="future"),
        "she will go to the hospital",
        "elle ira à l'hôpital",
    ),
    (
        sentence(n("the", "child"), "have", n("a", "ball"), tense="future"),
        "the child will have a ball",
        "l'enfant aura un ballon",
    ),
    (
        sentence(n("my", "uncle"), "come", n("the", "garden"), tense="future"),
        "my uncle will come to the garden",
        "mon oncle viendra dans le jardin",
    ),
    (
        sentence(n("the", "teacher"), "take", n("the", "newspaper", plural=True), tense="future"),
        "the teacher will take the newspapers",
        "le professeur prendra les journaux",
    ),
    (sentence("she", "buy", n("the", "car"), tense="future"), "she will buy the car", "elle achètera la voiture"),
    # irregular plurals in both languages
    (
        sentence(n("the", "man", plural=True), "see", n("the", "mouse", plural=True)),
        "the men see the mice",
        "les hommes voient les souris",
    ),
    (
        sentence(n("the", "bird", plural=True), "like", n("the", "hat", plural=True)),
        "the birds like the hats",
        "les oiseaux aiment les chapeaux",
    ),
    (
        sentence(n("the", "owl", plural=True), "sleep", phrase=("near", n("the", "hospital", plural=True))),
        "the owls sleep near the hospitals",
        "les hiboux dorment près des hôpitaux",
    ),
    # English third person -s, and French present forms
    (sentence("he", "watch", n("the", "bird", plural=True)), "he watches the birds", "il regarde les oiseaux"),
    (sentence("she", "carry", n("a", "box")), "she carries a box", "elle porte une boîte"),
    (sentence("we", "eat", n("the", "egg", plural=True)), "we eat the eggs", "nous mangeons les œufs"),
    (sentence("we", "buy", n("a", "cake")), "we buy a cake", "nous achetons un gâteau"),
    (sentence("we", "laugh"), "we laugh", "nous rions"),
    # irregular English pasts
    (sentence("he", "run", tense="past"), "he ran", "il a couru"),
    (sentence("they", "buy", n("a", "car"), tense="past"), "they bought a car", "ils ont acheté une voiture"),
    (sentence("we", "swim", tense="past"), "we swam", "nous avons nagé"),
    (sentence("she", "sing", tense="past"), "she sang", "elle a chanté"),
    (sentence("i", "sleep", tense="past"), "i slept", "j'ai dormi"),
    # relative clauses: the verb agrees with its noun
    (
        sentence(n("the", "man"), "sleep", who=predicate("see", n("the", "dog"))),
        "the man who sees the dog sleeps",
        "l'homme qui voit le chien dort",
    ),
    (
        sentence(n("the", "cat", plural=True), "run", who=predicate("eat", n("the", "cake"), tense="past")),
        "the cats that ate the cake run",
        "les chats qui ont mangé le gâteau courent",
    ),
    (
        sentence(n("the", "girl", plural=True), "laugh", who=predicate("go", n("the", "beach"), tense="past")),
        "the girls who went to the beach laugh",
        "les filles qui sont allées à la plage rient",
    ),
    (
        sentence(n("my", "brother"), "sing", who=predicate("have", n("a", "dog"), negative=True), tense="future"),
        "my brother who does not have a dog will sing",
        "mon frère qui n'a pas de chien chantera",
    ),
    # time adverbs
    (sentence("we", "dance", time="today"), "we dance today", "nous dansons aujourd'hui"),
    (
        sentence(n("the", "horse"), "eat", n("a", "apple", plural=True), time="every day"),
        "the horse eats some apples every day",
        "le cheval mange des pommes tous les jours",
    ),
    (sentence("they", "laugh", tense="past", time="last night"), "they laughed last night", "ils ont ri hier soir"),
    (
        sentence("you", "work", tense="future", time="next week"),
        "you will work next week",
        "vous travaillerez la semaine prochaine",
    ),
    # meaning: a past state is the imparfait; one goes into a garden; like + person would be love
    (sentence("i", "have", n("a", "dog"), tense="past"), "i had a dog", "j'avais un chien"),
    (
        sentence("they", "know", n("the", "teacher"), tense="past"),
        "they knew the teacher",
        "ils connaissaient le professeur",
    ),
    (
        sentence("we", "have", n("a", "car"), tense="past", negative=True),
        "we did not have a car",
        "nous n'avions pas de voiture",
    ),
    (
        sentence("she", "like", n("the", "cat", plural=True), tense="past"),
        "she liked the cats",
        "elle aimait les chats",
    ),
    (
        sentence(
            n("the", "doctor"),
            "know",
            n("my", "school"),
            tense="past",
            who=predicate("have", n("a", "horse"), tense="past"),
        ),
        "the doctor who had a horse knew my school",
        "le médecin qui avait un cheval connaissait mon école",
    ),
    (sentence("you", "have", n("a", "egg"), tense="past"), "you had an egg", "vous aviez un œuf"),
    (sentence("he", "go", n("the", "garden")), "he goes to the garden", "il va dans le jardin"),
    (
        sentence("you", "go", n("my", "garden"), tense="past"),
        "you went to my garden",
        "vous êtes allés dans mon jardin",
    ),
    (
        sentence("they", "arrive", n("the", "garden"), tense="past"),
        "they arrived at the garden",
        "ils sont arrivés au jardin",
    ),
    (sentence("i", "help", n("the", "mother", plural=True)), "i help the mothers", "j'aide les mères"),
    # two clauses
    (
        render(clause("i", "sing"), clause(n("the", "dog"), "run")),
        "i sing and the dog runs",
        "je chante et le chien court",
    ),
    (
        render(
            clause("he", "read", n("the", "book"), tense="past", time="yesterday"),
            clause("she", "write", n("a", "letter"), tense="future", time="tomorrow"),
        ),
        "he read the book yesterday and she will write a letter tomorrow",
        "il a lu le livre hier et elle écrira une lettre demain",
    ),
]


@pytest.mark.parametrize("pair, english, french", CASES, ids=[english for _, english, _ in CASES])
def test_a_hand_checked_sentence_comes_out_right_in_both_languages(pair, english, french):
    assert pair.english_text == english
    assert pair.french_text == french


def test_elided_words_are_tokens_of_their_own():
    pair = sentence("i", "have", n("a", "orange"), negative=True)
    assert pair.english == ("i", "do", "not", "have", "an", "orange")
    assert pair.french == ("je", "n'", "ai", "pas", "d'", "orange")
    assert sentence("we", "dance", time="today").french[-1] == "aujourd'hui"  # one word, not an elision


def test_the_builders_say_what_they_expected():
    with pytest.raises(ValueError, match="noun must be one of"):
        n("the", "zebra")
    with pytest.raises(ValueError, match="goes after the noun"):
        n("the", "cat", before="black")
    with pytest.raises(ValueError, match="takes no object"):
        sentence("i", "sleep", n("the", "cat"))
    with pytest.raises(ValueError, match="takes an object"):
        sentence("i", "see")
    with pytest.raises(ValueError, match="goes with the past tense"):
        sentence("i", "sleep", time="yesterday")
    with pytest.raises(ValueError, match="noun-phrase subject"):
        sentence("he", "sleep", who=predicate("see", n("the", "dog")))
    with pytest.raises(ValueError, match="got the person 'teacher'"):
        sentence("i", "like", n("the", "teacher"))  # aimer + a person means love
    with pytest.raises(ValueError, match="names a state, which takes no time adverb"):
        sentence("i", "know", n("the", "teacher"), tense="past", time="yesterday")
    with pytest.raises(ValueError, match="one has one mother"):
        n("my", "mother", plural=True)
    with pytest.raises(ValueError, match="cannot follow the place 'park'"):
        sentence("i", "see", n("a", "park"), phrase=("in", n("our", "house")))


def test_the_same_seed_gives_the_same_pairs_and_another_seed_others():
    assert generate_pairs(300, seed=1) == generate_pairs(300, seed=1)
    assert generate_pairs(300, seed=1) != generate_pairs(300, seed=2)
    pairs = generate_pairs(300, seed=1)
    assert len({p.english for p in pairs}) == 300 and all(isinstance(p, Pair) for p in pairs)


@pytest.fixture(scope="module")
def splits():
    return make_splits(n_train=4000, n_val=400, n_test=800, seed=3)


def test_no_pair_occurs_twice_within_or_across_splits(splits):
    every = [p.english for p in splits.train + splits.val + splits.test]
    assert (len(splits.train), len(splits.val), len(splits.test)) == (4000, 400, 800)
    assert len(set(every)) == len(every)


def test_held_out_combinations_never_reach_training_but_a_quarter_of_test(splits):
    assert 0.08 < len(splits.held_out) / len(ALL_COMBINATIONS) < 0.12
    assert not any(unseen_combination(p, splits) for p in splits.train)
    for part in (splits.val, splits.test):
        share = sum(unseen_combination(p, splits) for p in part) / len(part)
        assert share >= 0.15, share
    combos = set().union(*(combinations_in(p.english) for p in splits.test))
    assert combos & splits.held_out and combos - splits.held_out  # test has both kinds


def test_combinations_are_read_from_the_english_words():
    pair = sentence("i", "see", n("the", "mouse", plural=True, before="big", after="white"))
    assert combinations_in(pair.english) == {("big", "mouse"), ("white", "mouse")}


def test_english_lengths_spread_evenly_from_short_to_long():
    pairs = generate_pairs(10000, seed=0)
    counts = length_histogram(pairs)
    assert min(counts) <= 3 and max(counts) >= 24
    shares = {length: counts.get(length, 0) / len(pairs) for length in range(3, 25)}
    assert min(shares.values()) > 0.01 and max(shares.values()) < 0.08, shares
    assert sum(count for length, count in counts.items() if length >= 15) / len(pairs) > 0.35
    assert sum(length_histogram(pairs, "french").values()) == len(pairs)


FRENCH_VOWELS = tuple("aeiouyàâéèêëîïôœù")


def french_vowel(word):
    """Whether French elides before `word` (an h counts as mute, except in hibou, the one aspirated h here)."""
    return word.startswith(FRENCH_VOWELS) or (word.startswith("h") and not word.startswith("hibou"))


@pytest.fixture(scope="module")
def sample():
    return generate_pairs(5000, seed=11)


def test_french_elides_where_it_must_and_only_there(sample):
    for pair in sample:
        french = pair.french
        for word, following in zip(french, french[1:]):
            assert not (word in {"le", "la", "de", "je", "ne", "que"} and french_vowel(following)), pair.french_text
            assert not (word.endswith("'") and not french_vowel(following)), pair.french_text
            assert (word, following) not in {("à", "le"), ("à", "les"), ("de", "le"), ("de", "les")}, pair.french_text
        assert not french[-1].endswith("'")


def test_negation_is_the_same_in_both_languages(sample):
    for pair in sample:
        french = list(pair.french)
        negations = [i for i, word in enumerate(french) if word in ("ne", "n'")]
        assert len(negations) == pair.english.count("not"), pair.english_text
        for i in negations:
            assert "pas" in french[i + 2 : i + 3], pair.french_text  # ne, the conjugated verb, pas
        assert pair.english.count("and") == pair.french.count("et")


def test_english_articles_fit_the_next_word(sample):
    for pair in sample:
        english = pair.english
        for word, following in zip(english, english[1:]):
            if word == "a":
                assert not following.startswith(tuple("aeiou")), pair.english_text
            if word == "an":
                assert following.startswith(tuple("aeiou")), pair.english_text
            if word == "any":
                assert "not" in english[: english.index(word)], pair.english_text


def test_the_english_vocabulary_is_exactly_the_words_random_sentences_use(sample):
    assert {word for pair in sample for word in pair.english} == english_words()


def test_tokenize_english_lowercases_strips_punctuation_and_spells_out_negation():
    assert tokenize_english("I don't like the cat.") == ["i", "do", "not", "like", "the", "cat"]
    assert tokenize_english("She won't go to the market!") == ["she", "will", "not", "go", "to", "the", "market"]
    assert tokenize_english("“He doesn’t,” we said? They didn't") == [
        "he",
        "does",
        "not",
        "we",
        "said",
        "they",
        "did",
        "not",
    ]
    assert tokenize_english("  ") == []


def test_detokenize_french_glues_elided_words_to_the_next():
    assert detokenize_french(["je", "n'", "ai", "pas", "d'", "orange"]) == "je n'ai pas d'orange"
    assert detokenize_french(["l'", "arbre", "aujourd'hui"]) == "l'arbre aujourd'hui"
    assert detokenize_french([]) == ""


def test_unknown_words_lists_each_new_word_once_in_order():
    assert unknown_words(["the", "cat", "quickly", "sees", "zebra", "quickly"]) == ["quickly", "zebra"]
    assert unknown_words(tokenize_english("The old man doesn't look for any keys.")) == []


def test_the_default_splits_have_their_sizes():
    splits = make_splits()
    assert (len(splits.train), len(splits.val), len(splits.test)) == (20000, 1000, 2000)


# The meaning rules, checked on many random clauses and pairs (the grammar tests above check the form).
@pytest.fixture(scope="module")
def clauses():
    rng = random.Random(5)
    return [random_clause(rng, rng.randrange(3, 17)) for _ in range(20000)]


def _noun_phrases(c):
    phrases = [c.subject] if not isinstance(c.subject, str) else []
    for p in (c.predicate, c.who):
        if p is not None and p.object is not None:
            phrases.append(p.object)
    return phrases + ([c.phrase[1]] if c.phrase else [])


def test_random_clauses_keep_the_meaning_rules(clauses):
    counts = dict.fromkeys(["stative past", "garden", "in phrase", "like"], 0)
    for c in clauses:
        pair = render(c)
        for p in (c.predicate, c.who):
            if p is None:
                continue
            if p.verb.english == "like":
                counts["like"] += 1
                assert p.object.noun.kind != "person", pair.english_text
            if p.verb.english in STATIVE and p.tense == "past":
                counts["stative past"] += 1
            if p.verb.english in ("go to", "come to") and p.object.noun.english == "garden":
                counts["garden"] += 1
                assert "dans" in pair.french, pair.french_text
        if c.predicate.verb.english in STATIVE:
            assert not c.time, pair.english_text  # "knew … yesterday", "know … every day"
        if c.phrase and c.phrase[0] == "in":
            counts["in phrase"] += 1
            assert c.predicate.object is None or c.predicate.object.noun.kind not in ("place", "fixture"), (
                pair.english_text
            )
        for p in _noun_phrases(c):
            assert not (p.noun.english in UNIQUE_KIN and p.plural and p.det in POSSESSIVES), pair.english_text
    assert min(counts.values()) > 100, counts  # every rule was exercised


def test_random_pairs_use_the_imparfait_for_past_states_and_nothing_else_of_it(sample):
    imparfait = {stem + ending for stem in STATIVE.values() for ending in ("ais", "ait", "ions", "iez", "aient")}
    for pair in sample:
        english, french = pair.english, pair.french
        assert not {"eu", "connu", "aimé"} & set(french), pair.french_text  # no passé composé of a state
        states = sum(word in ("had", "knew", "liked") for word in english)
        states += sum(w == "did" and v in STATIVE for w, v in zip(english, english[2:]))  # did not have
        assert states == sum(word in imparfait for word in french), (pair.english_text, pair.french_text)
        for i, word in enumerate(english):
            if word in POSSESSIVES:  # the next noun after my, his, …: never "mothers" or "fathers"
                noun = next(w for w in english[i + 1 :] if w in SINGULAR)
                assert SINGULAR[noun] not in UNIQUE_KIN or noun == SINGULAR[noun], pair.english_text
