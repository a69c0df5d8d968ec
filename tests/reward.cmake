# Tests of core/reward.
awb_add_test(aspect_schema DIR core LIBS awb_core)
awb_add_test(reward_model DIR core LIBS awb_core)
awb_add_test(reward_trainer DIR core LIBS awb_core)
awb_add_test(reward_throughput DIR core LIBS awb_core LABELS slow)
awb_add_test(reward_data DIR core LIBS awb_core)
awb_add_test(reward_ensemble DIR core LIBS awb_core)
