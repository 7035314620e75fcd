from okpay.fx.tests.fixtures import ecb_rates, no_spreads, treasury_kwd

__all__ = ["ecb_rates", "no_spreads", "treasury_kwd"]
