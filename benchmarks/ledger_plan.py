"""What the ledger benchmark measures: the cases, their sizes and the transfers they post.

Nothing here imports Django, so the command line can plan a run before any database is set
up. A transfer is a plain tuple ``(id, debit_account_id, credit_account_id, amount)``; both
sides of a case (okpay and the baseline) post exactly the same list, only the ids differ.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

Row = tuple[str, str, str, int]

CURRENCY = "CNY"
TRANSFER_CODE = "bench"
WALLET_CODE = "wallet"
FUNDING_CODE = "funding"
FUNDING_ACCOUNT = "bench-funding"
HOT_ACCOUNT = "bench-hot"
# Every wallet is funded with this much, far more than the transfers can ever take out.
FUNDING_AMOUNT = 10**12
AMOUNT_MAX = 1_000

CASE_KEYS = ("a", "b", "c", "d")
DB_KEYS = ("sqlite", "postgresql")


@dataclass(frozen=True, slots=True)
class CaseShape:
    key: str
    clients: int
    calls_per_client: int
    batch: int
    warmup_calls_per_client: int
    hot: bool = False

    @property
    def title(self) -> str:
        if self.hot:
            return f"{self.clients} clients, 1 hot credit account"
        if self.batch > 1:
            return f"batches of {self.batch:,}, {self.clients} client"
        plural = "s" if self.clients > 1 else ""
        return f"1 per call, {self.clients} client{plural}"


@dataclass(frozen=True, slots=True)
class Plan:
    accounts: int
    # Measured runs per side: okpay runs ``rounds`` times, the baseline ``rounds + 1`` times.
    rounds: int
    cases: tuple[CaseShape, ...]

    def case(self, key: str) -> CaseShape:
        for shape in self.cases:
            if shape.key == key:
                return shape
        raise KeyError(key)


# Counts are per measured run. Many short runs, alternating, keep both sides exposed to
# the same background load; okpay posts ``rounds`` times these counts per case.
FULL = Plan(
    accounts=1_000,
    rounds=4,
    cases=(
        CaseShape("a", clients=1, calls_per_client=500, batch=1, warmup_calls_per_client=200),
        CaseShape("b", clients=8, calls_per_client=125, batch=1, warmup_calls_per_client=25),
        CaseShape("c", clients=1, calls_per_client=3, batch=1_000, warmup_calls_per_client=1),
        CaseShape(
            "d", clients=8, calls_per_client=125, batch=1, warmup_calls_per_client=25, hot=True
        ),
    ),
)

QUICK = Plan(
    accounts=100,
    rounds=1,
    cases=(
        CaseShape("a", clients=1, calls_per_client=60, batch=1, warmup_calls_per_client=10),
        CaseShape("b", clients=8, calls_per_client=15, batch=1, warmup_calls_per_client=3),
        CaseShape("c", clients=1, calls_per_client=3, batch=100, warmup_calls_per_client=1),
        CaseShape(
            "d", clients=8, calls_per_client=15, batch=1, warmup_calls_per_client=3, hot=True
        ),
    ),
)


def wallet_ids(count: int) -> list[str]:
    return [f"bench-wallet-{index:05d}" for index in range(count)]


@dataclass(frozen=True, slots=True)
class Pattern:
    """Account pairs and amounts of one run, split by client and by call."""

    # pattern[client][call] is the list of (debit, credit, amount) posted in one call.
    calls: tuple[tuple[tuple[tuple[str, str, int], ...], ...], ...]

    def rows(self, tag: str) -> list[list[list[Row]]]:
        """The transfers of this pattern with ids unique to ``tag`` (one tag per run)."""
        return [
            [
                [
                    (f"{tag}-{client}-{call}-{n}", debit, credit, amount)
                    for n, (debit, credit, amount) in enumerate(legs)
                ]
                for call, legs in enumerate(client_calls)
            ]
            for client, client_calls in enumerate(self.calls)
        ]


def make_pattern(
    shape: CaseShape, *, wallets: list[str], calls_per_client: int, rng: random.Random
) -> Pattern:
    """Random distinct pairs of wallets; in the hot case every transfer credits one account."""
    clients = []
    for _client in range(shape.clients):
        calls = []
        for _call in range(calls_per_client):
            legs = []
            for _n in range(shape.batch):
                debit_index = rng.randrange(len(wallets))
                if shape.hot:
                    credit = HOT_ACCOUNT
                else:
                    credit_index = rng.randrange(len(wallets) - 1)
                    if credit_index >= debit_index:
                        credit_index += 1
                    credit = wallets[credit_index]
                legs.append((wallets[debit_index], credit, rng.randint(1, AMOUNT_MAX)))
            calls.append(tuple(legs))
        clients.append(tuple(calls))
    return Pattern(calls=tuple(clients))


@dataclass(frozen=True, slots=True)
class CaseResult:
    db: str
    case: str
    title: str
    okpay_tps: float
    baseline_tps: float

    @property
    def ratio(self) -> float:
        return self.okpay_tps / self.baseline_tps

    def as_json(self) -> dict[str, object]:
        return {
            "db": self.db,
            "case": self.case,
            "okpay_tps": round(self.okpay_tps, 1),
            "baseline_tps": round(self.baseline_tps, 1),
            "ratio": round(self.ratio, 3),
        }
