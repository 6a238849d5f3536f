"""Pages in memory: walking every page after the key of the last item seen gives each item once, in order."""

from hypothesis import given
from hypothesis import strategies as st

from watchkeeper.domain.keyset import page_of


def _walk(items, limit):
    seen, after = [], None
    while True:
        page = page_of(items, lambda item: (item,), after, limit)
        seen.extend(page.items)
        assert len(page.items) <= limit
        if page.next is None:
            return seen
        after = page.next


@given(st.sets(st.text(max_size=5)), st.integers(min_value=1, max_value=7))
def test_walking_the_pages_gives_every_item_once_in_order(items, limit):
    assert _walk(list(items), limit) == sorted(items)


def test_the_last_page_says_nothing_follows():
    assert page_of(["a", "b"], lambda item: (item,), None, 2).next is None
    assert page_of(["a", "b", "c"], lambda item: (item,), None, 2).next == ("b",)


def test_a_page_after_a_key_no_item_has_starts_where_that_key_would_be():
    assert page_of(["a", "c", "e"], lambda item: (item,), ("b",), 5).items == ["c", "e"]
