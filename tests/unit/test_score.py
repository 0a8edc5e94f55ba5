"""Benchmark scorer: matching, counts, chance and bootstrap, against hand-computed values."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.cases import Label, Negative, load_cases
from bench.matching import Comment, comments_from_review, distance, find_duplicates
from bench.routing_report import RoutingCase, best_route, score_routing
from bench.score import Level, ScoreInput, score_case, score_input, score_set
from reviewers.diff import parse_diff
from reviewers.models import (
    Category,
    Coverage,
    Finding,
    Review,
    ReviewComment,
    Route,
    Severity,
    Side,
)
from reviewers.prompts import parse_prompt

D, S, P = Category.DEFECT, Category.SECURITY, Category.PERFORMANCE
M, F = Category.MAINTAINABILITY, Category.FORMATTING
R, L = Side.RIGHT, Side.LEFT

# a.py: added RIGHT lines {2, 3, 5, 23}, removed LEFT line {2}.
# b.py: a new file, added RIGHT lines 1..10.  14 added lines in all.
TINY_DIFF = """\
diff --git a/a.py b/a.py
index 1111111..2222222 100644
--- a/a.py
+++ b/a.py
@@ -1,4 +1,6 @@
 one
-two
+TWO
+two_b
 three
+three_b
 four
@@ -20,2 +22,3 @@
 x
+y
 z
diff --git a/b.py b/b.py
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/b.py
@@ -0,0 +1,10 @@
""" + "".join(f"+line{i}\n" for i in range(1, 11))

DIFF = parse_diff(TINY_DIFF)


def lab(
    start: int, end: int | None = None, cat: Category = D, path: str = "a.py", side: Side = R
) -> Label:
    return Label(path, side, start, end if end is not None else start, cat, f"note {start}")


def com(
    start: int,
    end: int | None = None,
    cat: Category = D,
    path: str = "a.py",
    side: Side = R,
    route: Route | None = None,
    fp: str | None = None,
) -> Comment:
    return Comment(
        path, side, start, end if end is not None else start, cat, route=route, fingerprint=fp
    )


def case(
    labels: list[Label],
    comments: list[Comment],
    negatives: list[Negative] | None = None,
    cid: str = "c",
) -> ScoreInput:
    return ScoreInput(cid, tuple(labels), tuple(negatives or ()), tuple(comments), DIFF)


@pytest.mark.parametrize(
    ("c_start", "c_end", "l_start", "l_end", "expected"),
    [
        (5, 5, 5, 5, 0),
        (1, 2, 5, 6, 3),
        (9, 12, 5, 6, 3),
        (4, 8, 5, 6, 0),
        (2, 1, 5, 6, 3),  # a reversed comment range is read as its min..max
        (7, 7, 1, 1, 6),
    ],
)
def test_distance(c_start: int, c_end: int, l_start: int, l_end: int, expected: int) -> None:
    assert distance(c_start, c_end, l_start, l_end) == expected


@pytest.mark.parametrize(
    ("comment", "matched"),
    [
        (com(7), True),  # 3 above a 10..12 label
        (com(6), False),  # 4 above
        (com(15), True),  # 3 below
        (com(16), False),
        (com(1, 7), True),  # a multi-line comment whose end reaches the window
        (com(16, 30), False),
        (com(1, 30), True),  # covers the label
        (com(11, path="b.py"), False),  # other file
        (com(11, side=L), False),  # other side
    ],
)
def test_location_window(comment: Comment, matched: bool) -> None:
    cs = score_case(case([lab(10, 12)], [comment]))
    assert cs.levels[Level.LOCATED].tp == int(matched)
    assert cs.levels[Level.LOCATED].fp == int(not matched)


@pytest.mark.parametrize(
    ("tolerance", "matched"),
    [(0, False), (2, False), (3, True), (5, True)],
)
def test_tolerance_is_a_parameter(tolerance: int, matched: bool) -> None:
    cs = score_case(case([lab(10)], [com(13)]), tolerance=tolerance)
    assert cs.levels[Level.LOCATED].tp == int(matched)


def test_overlapping_labels_are_matched_one_to_one() -> None:
    # Pairs: (d0,C0,L0), (d0,C0,L1), (d0,C1,L1), (d1,C1,L0) -> C0-L0 then C1-L1.
    cs = score_case(case([lab(10, 12), lab(11, 14)], [com(12), com(13)]))
    lv = cs.levels[Level.LOCATED]
    assert [(m.comment, m.label, m.distance) for m in lv.matches] == [(0, 0, 0), (1, 1, 0)]
    assert (lv.tp, lv.fp, lv.fn) == (2, 0, 0)


def test_tie_goes_to_the_earlier_comment() -> None:
    cs = score_case(case([lab(10, 12)], [com(15), com(7)]))
    lv = cs.levels[Level.LOCATED]
    assert [(m.comment, m.label) for m in lv.matches] == [(0, 0)]
    assert (lv.tp, lv.fp, lv.fn) == (1, 1, 0)


def test_greedy_takes_the_closest_pair_first() -> None:
    # C1 sits on L0 (d0); C0 is 2 from both, so it falls to L1.
    cs = score_case(case([lab(10), lab(14)], [com(12), com(10)]))
    lv = cs.levels[Level.LOCATED]
    assert [(m.comment, m.label, m.distance) for m in lv.matches] == [(0, 1, 2), (1, 0, 0)]


def test_left_side_labels_match_only_left_comments() -> None:
    labels = [lab(2, side=L)]
    right = score_case(case(labels, [com(2)])).levels[Level.LOCATED]
    left = score_case(case(labels, [com(2, side=L)])).levels[Level.LOCATED]
    assert (right.tp, right.fp, right.fn) == (0, 1, 1)
    assert (left.tp, left.fp, left.fn) == (1, 0, 0)


def test_typed_needs_the_same_category() -> None:
    cs = score_case(case([lab(10, cat=D), lab(20, cat=S)], [com(10, cat=P), com(20, cat=S)]))
    located, typed = cs.levels[Level.LOCATED], cs.levels[Level.TYPED]
    assert (located.tp, located.fp, located.fn) == (2, 0, 0)
    assert (typed.tp, typed.fp, typed.fn) == (1, 1, 1)


def test_typed_is_matched_on_its_own() -> None:
    # Located pairs C0 (defect, d0) with L0 (security); typed leaves L0 to C1 (security, d2).
    cs = score_case(case([lab(10, cat=S)], [com(10, cat=D), com(12, cat=S)]))
    assert [(m.comment, m.label) for m in cs.levels[Level.LOCATED].matches] == [(0, 0)]
    assert [(m.comment, m.label) for m in cs.levels[Level.TYPED].matches] == [(1, 0)]


@pytest.mark.parametrize(
    ("comments", "dups"),
    [
        ([com(10, fp="x"), com(30, fp="x")], (1,)),  # same fingerprint, other line
        ([com(10, fp="x"), com(10, fp="y")], (1,)),  # same path/side/line/category
        ([com(10), com(10, cat=S)], ()),  # other category
        ([com(9, 10), com(10)], (1,)),  # same end line
        ([com(10), com(10, side=L)], ()),
        ([com(10), com(10), com(10)], (1, 2)),
    ],
)
def test_duplicates(comments: list[Comment], dups: tuple[int, ...]) -> None:
    assert find_duplicates(comments) == dups


def test_duplicates_are_neither_tp_nor_fp() -> None:
    cs = score_case(case([lab(10)], [com(10, fp="a"), com(10, fp="a"), com(40, fp="a")]))
    lv = cs.levels[Level.LOCATED]
    assert cs.duplicates == (1, 2)
    assert (lv.tp, lv.fp, lv.fn) == (1, 0, 0)


def test_negative_is_a_known_false_positive() -> None:
    neg = Negative("a.py", R, 30, 31, "rejected comment", D)
    cs = score_case(case([lab(10)], [com(10), com(33), com(50)], [neg]))
    lv = cs.levels[Level.LOCATED]
    assert (lv.tp, lv.fp, lv.fn, lv.known_fp) == (1, 2, 0, 1)


def test_a_comment_matching_a_label_is_not_a_known_fp_even_near_a_negative() -> None:
    neg = Negative("a.py", R, 10, 10)
    lv = score_case(case([lab(10)], [com(10)], [neg])).levels[Level.LOCATED]
    assert (lv.tp, lv.known_fp) == (1, 0)


class NoteJudge:
    """Fake judge: the same issue when the label note ends with the comment title."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []

    def same_issue(self, label_note: str, comment_title: str, comment_body: str) -> bool:
        self.calls.append((label_note, comment_title, comment_body))
        return label_note.endswith(comment_title)


def test_judge_stage_runs_only_on_located_pairs() -> None:
    judge = NoteJudge()
    comments = (
        Comment("a.py", R, 10, 10, D, title="10", body="b"),
        Comment("a.py", R, 20, 20, D, title="nope", body="b"),
        Comment("a.py", R, 40, 40, D, title="40", body="b"),  # outside every window
    )
    inp = ScoreInput("c", (lab(10), lab(20)), (), comments, DIFF)
    cs = score_case(inp, judge=judge)
    judged = cs.levels[Level.JUDGED]
    assert (judged.tp, judged.fp, judged.fn) == (1, 2, 1)
    assert cs.levels[Level.LOCATED].tp == 2
    assert judge.calls == [("note 10", "10", "b"), ("note 20", "nope", "b")]
    assert Level.JUDGED not in score_case(inp).levels


def test_chance_on_a_tiny_diff() -> None:
    # Labels a.py:8 (window 5..11 holds added line 5) and b.py:1 (window -2..4: lines 1..4).
    # RIGHT: 14 added lines, 5 of them near a label -> 5/14. LEFT: removed a.py:2, no label -> 0.
    labels = [lab(8), lab(1, path="b.py", cat=S)]
    cs = score_case(case(labels, [com(5), com(9, path="b.py", cat=S), com(2, side=L)]))
    assert cs.chance_right == pytest.approx(5 / 14)
    assert cs.levels[Level.LOCATED].chance == pytest.approx((5 / 14, 5 / 14, 0.0))
    # Typed: defect labels are near 1 added line, security labels near 4.
    assert cs.levels[Level.TYPED].chance == pytest.approx((1 / 14, 4 / 14, 0.0))


def test_set_chance_is_weighted_by_comments_and_lift_is_precision_over_chance() -> None:
    # Case A: chance 5/14, 3 comments, 1 TP. Case B: label b.py:10 (window 7..13 -> 4 lines),
    # chance 4/14, 1 comment, 1 TP.
    a = case([lab(8), lab(1, path="b.py")], [com(5), com(40), com(41)], cid="a")
    b = case([lab(10, path="b.py")], [com(10, path="b.py")], cid="b")
    result = score_set([a, b], resamples=10)
    micro = result.levels[Level.LOCATED].micro
    assert (micro.tp, micro.fp, micro.fn) == (2, 2, 1)
    assert micro.precision == pytest.approx(0.5)
    assert micro.recall == pytest.approx(2 / 3)
    assert micro.f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    weighted = (3 * 5 / 14 + 1 * 4 / 14) / 4
    assert micro.chance == pytest.approx(weighted)
    assert micro.lift == pytest.approx(0.5 / weighted)
    assert result.chance_unweighted == pytest.approx((5 / 14 + 4 / 14) / 2)


def test_clean_prs_and_counts() -> None:
    clean1 = case([], [com(2), com(3), com(3)], cid="clean1")  # one duplicate
    clean2 = case([], [], cid="clean2")
    buggy = case([lab(5)], [com(5)], cid="buggy")
    result = score_set([clean1, clean2, buggy], resamples=10)
    assert (result.cases, result.clean_cases, result.labels) == (3, 2, 1)
    assert (result.comments, result.duplicates) == (4, 1)
    assert result.comments_per_clean_pr == pytest.approx(3 / 2)
    micro = result.levels[Level.LOCATED].micro
    assert (micro.tp, micro.fp, micro.fn) == (1, 2, 0)
    # Clean PR comments have chance 0 (no labels); a.py:5 has window 2..8: added 2, 3, 5 -> 3/14.
    assert micro.chance == pytest.approx((0 + 0 + 3 / 14) / 3)


def test_no_comments_means_no_precision() -> None:
    result = score_set([case([lab(5)], [])], resamples=10)
    micro = result.levels[Level.LOCATED].micro
    assert (micro.precision, micro.recall, micro.f1, micro.chance, micro.lift) == (
        None,
        0.0,
        None,
        None,
        None,
    )


def test_per_category_precision_by_comment_and_recall_by_label() -> None:
    # C0 (performance) sits on a defect label: located TP for performance precision and for
    # defect recall. C1 (security) is a FP. The security label is missed.
    result = score_set(
        [case([lab(10, cat=D), lab(30, cat=S)], [com(10, cat=P), com(50, cat=S)])], resamples=10
    )
    cats = result.levels[Level.LOCATED].by_category
    assert (cats[P].comments, cats[P].comment_tp, cats[P].precision) == (1, 1, 1.0)
    assert (cats[P].labels, cats[P].recall) == (0, None)
    assert (cats[S].comments, cats[S].comment_tp, cats[S].precision) == (1, 0, 0.0)
    assert (cats[S].labels, cats[S].label_tp, cats[S].recall) == (1, 0, 0.0)
    assert (cats[D].comments, cats[D].labels, cats[D].label_tp, cats[D].recall) == (0, 1, 1, 1.0)
    assert cats[D].precision is None
    typed = result.levels[Level.TYPED].by_category
    assert (typed[P].comment_tp, typed[D].label_tp) == (0, 0)


def test_per_route() -> None:
    comments = [
        com(10, route=Route.FRONTIER),
        com(40, route=Route.FRONTIER),
        com(20, route=Route.SMALL),
        com(50),
    ]
    result = score_set([case([lab(10), lab(20), lab(30)], comments)], resamples=10)
    routes = result.levels[Level.LOCATED].by_route
    assert sorted(routes) == ["frontier", "none", "small"]
    fr, sm, no = routes["frontier"], routes["small"], routes["none"]
    assert (fr.comments, fr.tp, fr.precision, fr.labels_found) == (2, 1, 0.5, 1)
    assert fr.recall_share == pytest.approx(1 / 3)
    assert (sm.comments, sm.tp, sm.precision) == (1, 1, 1.0)
    assert (no.comments, no.tp, no.precision, no.recall_share) == (1, 0, 0.0, 0.0)


def test_bootstrap_is_deterministic_and_brackets_the_estimate() -> None:
    inputs = [
        case([lab(10)], [com(10)], cid="a"),
        case([lab(10), lab(30)], [com(10), com(50)], cid="b"),
        case([lab(10)], [com(60), com(70)], cid="c"),
        case([], [com(5)], cid="d"),
    ]
    first = score_set(inputs, resamples=200, seed=7).levels[Level.LOCATED]
    again = score_set(inputs, resamples=200, seed=7).levels[Level.LOCATED]
    assert (first.precision_ci, first.recall_ci, first.f1_ci) == (
        again.precision_ci,
        again.recall_ci,
        again.f1_ci,
    )
    p = first.micro.precision
    low, high = first.precision_ci.low, first.precision_ci.high
    assert p is not None and low is not None and high is not None
    assert low <= p <= high and low < high


def test_bootstrap_of_identical_cases_is_degenerate() -> None:
    inputs = [case([lab(10)], [com(10), com(40)], cid=str(i)) for i in range(5)]
    lv = score_set(inputs, resamples=50).levels[Level.LOCATED]
    assert (lv.precision_ci.low, lv.precision_ci.high) == (0.5, 0.5)
    assert (lv.recall_ci.low, lv.recall_ci.high) == (1.0, 1.0)


def test_comments_from_review_reads_anchored_comments() -> None:
    finding = Finding("a.py", R, 3, 5, S, Severity.HIGH, 0.9, "t", "b", Route.FRONTIER, "m")
    review = Review(
        comments=(
            ReviewComment(finding, "a.py", R, 5, 3, "fp1"),
            ReviewComment(finding, "a.py", R, 7, None, "fp2"),
        ),
        unanchored=(finding,),
        coverage=Coverage(1, 1, {}, {}),
        usage=(),
    )
    got = comments_from_review(review)
    assert [(c.start_line, c.end_line, c.fingerprint) for c in got] == [
        (3, 5, "fp1"),
        (7, 7, "fp2"),
    ]
    assert (got[0].category, got[0].route, got[0].severity, got[0].title) == (
        S,
        Route.FRONTIER,
        Severity.HIGH,
        "t",
    )


def test_routing_report() -> None:
    routes = {
        ("a.py", R, 10): Route.SMALL,
        ("a.py", R, 11): Route.FRONTIER,
        ("a.py", R, 20): Route.SMALL,
        ("a.py", R, 30): Route.SKIP,
        ("b.py", R, 1): Route.SKIP,
    }
    labels = (
        lab(10, 12, D),  # line 11 went frontier: reaches
        lab(20, cat=S),  # small only
        lab(30, cat=P),  # skipped
        lab(99, cat=D),  # not in the diff
        lab(10, cat=F),  # formatting: not counted in routing recall
    )
    result = score_routing([RoutingCase("c", labels, routes)])
    assert (result.labels, result.reached_frontier) == (4, 1)
    assert result.routing_recall == pytest.approx(0.25)
    assert result.by_category[D].not_in_diff == 1
    assert result.by_category[D].best_route[Route.FRONTIER] == 1
    assert result.by_category[S].best_route[Route.SMALL] == 1
    assert result.by_category[F].frontier_share == 0.0
    assert result.by_category[M].frontier_share is None
    assert dict(result.lines_by_route) == {Route.SKIP: 2, Route.SMALL: 2, Route.FRONTIER: 1}
    assert result.line_share_by_route[Route.SKIP] == pytest.approx(0.4)
    assert best_route(lab(99), routes) is None


def test_score_set_of_no_cases() -> None:
    result = score_set([], resamples=10)
    assert (result.cases, result.levels, result.comments_per_clean_pr) == (0, {}, None)


def test_judge_prompt_is_versioned() -> None:
    path = Path(__file__).resolve().parents[2] / "prompts" / "judge.md"
    prompt = parse_prompt(path.read_text(encoding="utf-8"), str(path))
    assert prompt.ref == "bench-judge@1"
    assert "same_issue" in prompt.system


def test_oracle_comments_score_perfectly_on_labeled_prs() -> None:
    cases = load_cases([Path(__file__).resolve().parents[2] / "labeled_prs"])
    oracle = [
        score_input(
            case,
            [
                Comment(lb.path, lb.side, lb.start_line, lb.end_line, lb.category)
                for lb in case.labels
            ],
        )
        for case in cases
    ]
    result = score_set(oracle, resamples=50)
    typed = result.levels[Level.TYPED].micro
    assert (typed.tp, typed.fp, typed.fn) == (result.labels, 0, 0)
    assert typed.precision == 1.0 and typed.chance is not None and 0 < typed.chance < 1
    assert result.comments_per_clean_pr == 0.0
