from okpay.identity.tests.fixtures import *  # noqa: F403
