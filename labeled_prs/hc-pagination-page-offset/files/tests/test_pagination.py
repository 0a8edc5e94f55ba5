import pytest

from shop.api.pagination import page_count, page_slice


@pytest.mark.parametrize(("total", "pages"), [(0, 1), (1, 1), (20, 1), (21, 2), (100, 5)])
def test_page_count(total: int, pages: int) -> None:
    assert page_count(total, 20) == pages


@pytest.mark.parametrize("page", [0, -3])
def test_page_slice_rejects_pages_below_one(page: int) -> None:
    with pytest.raises(ValueError, match="start at 1"):
        page_slice(page, 20)
