"""The fee schedule: which fee an operation costs, computed from operator-edited rules."""
