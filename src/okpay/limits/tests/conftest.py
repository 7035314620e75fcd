from okpay.limits.tests.fixtures import usd_p2p_limits

__all__ = ["usd_p2p_limits"]
