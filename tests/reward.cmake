# Tests of core/reward.
