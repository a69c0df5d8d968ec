# Tests of core/train.
