# Model runtime tests (core/model), checked against the naive reference in reference.cmake.
awb_add_test(causal_lm DIR core LIBS awb_reference_lm awb_core)
awb_add_test(lora DIR core LIBS awb_reference_lm awb_core)
awb_add_test(sampler DIR core LIBS awb_reference_lm awb_core)
awb_add_test(cli_model DIR app LIBS awb_reference_lm awb_cli)
