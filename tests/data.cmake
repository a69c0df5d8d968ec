# Tests of core/data.
awb_add_test(prompt_import DIR core LIBS awb_core)
awb_add_test(demo_corpus DIR core LIBS awb_core)
awb_add_test(gold_judge DIR core LIBS awb_core)
