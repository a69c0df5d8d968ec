# Tests of core/reward.
awb_add_test(aspect_schema DIR core LIBS awb_core)
