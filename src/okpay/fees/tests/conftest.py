from okpay.fees.tests.fixtures import empty_schedule, make_rule

__all__ = ["empty_schedule", "make_rule"]
