"""Identity test set-up: fast password hashing, jobs run at once, a fixed site URL.

Fixtures for building data through the real services live in ``fixtures.py``.
"""

from okpay.identity.tests.fixtures import *  # noqa: F403
