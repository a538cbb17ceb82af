"""Feedback: a Cancel stops work until the work has stored its result for good (settle)."""
import pytest

from geo.errors import Cancelled
from geo.feedback import Feedback


def test_a_cancel_stops_work_until_it_has_settled():
    reports = []
    feedback = Feedback(lambda fraction, text: reports.append((fraction, text)))
    part = feedback.sub(0.5, 1.0)
    feedback.cancel()
    with pytest.raises(Cancelled):
        part.progress(0.5, "writing")
    part.settle("stored")
    feedback.check()
    part.progress(1.0, "closing")               # nothing raised: the result is stored
    assert feedback.cancelled and part.cancelled  # the wish is kept, so the caller can say it came too late
    assert reports[-2] == (1.0, "stored")


def test_an_unsettled_feedback_still_raises_after_its_work_returned():
    feedback = Feedback()
    feedback.cancel()
    with pytest.raises(Cancelled):
        feedback.check()
