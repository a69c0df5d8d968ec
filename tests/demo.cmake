# Tests of core/demo.
