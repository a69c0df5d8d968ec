# Tests of core/store.
