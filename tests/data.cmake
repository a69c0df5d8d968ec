# Tests of core/data.
